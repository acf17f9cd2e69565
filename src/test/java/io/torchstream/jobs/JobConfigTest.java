package io.torchstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.torchstream.internal.session.ModelOptions;
import io.torchstream.internal.session.ModelSharing;
import io.torchstream.testing.BundleCopies;
import io.torchstream.testing.JobFiles;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

/** Job files: every key typed and validated in one place, errors naming file, key, value and expectation. */
class JobConfigTest {

    @TempDir
    Path tmp;

    private static final String MINIMAL = """
            model:
              bundle: models/x
            input:
              type: file
              path: in.jsonl
            output:
              type: print
            dead-letters:
              type: print
            """;

    private JobConfig parse(String yaml, String... args) {
        Path file = JobFiles.write(tmp.resolve("jobs/job.yaml"), yaml);
        String[] all = new String[args.length + 1];
        all[0] = file.toString();
        System.arraycopy(args, 0, all, 1, args.length);
        return CommandLine.parse(all).config();
    }

    @Test
    void defaultsAndPathsRelativeToTheJobFile() {
        JobConfig c = parse(MINIMAL);
        assertThat(c.bundle).isEqualTo(tmp.resolve("jobs/models/x"));
        assertThat(c.input.path()).isEqualTo(tmp.resolve("jobs/in.jsonl"));
        assertThat(c.sharing).isEqualTo(ModelSharing.TASK_MANAGER);
        assertThat(c.batchMaxSize).isZero();
        assertThat(c.batchMaxWait).isEqualTo(Duration.ofMillis(20));
        assertThat(c.parallelism).isEqualTo(2);
        assertThat(c.checkpointInterval).isZero();
        assertThat(c.textField).isEqualTo("text");
        assertThat(c.maxBytes).isEqualTo(1 << 20);
        assertThat(c.labels).isEmpty();
    }

    @Test
    void setOverridesAnyKeyByItsDottedPathAndCommandLinePathsAreRelativeToTheCurrentDirectory() {
        JobConfig c = parse(
                MINIMAL,
                "--set",
                "batch.max-wait=150ms",
                "--set",
                "model.sharing=per-slot",
                "--output",
                "out.jsonl",
                "--parallelism",
                "3",
                "--set",
                "flink.pipeline.object-reuse=true");
        assertThat(c.batchMaxWait).isEqualTo(Duration.ofMillis(150));
        assertThat(c.sharing).isEqualTo(ModelSharing.PER_SLOT);
        assertThat(c.output.kind()).isEqualTo(JobConfig.SinkKind.FILE);
        assertThat(c.output.path()).isEqualTo(Path.of("out.jsonl").toAbsolutePath());
        assertThat(c.parallelism).isEqualTo(3);
        assertThat(c.flink).containsEntry("pipeline.object-reuse", "true");
    }

    @Test
    void aFileRunOfAKafkaJobWritesItsDeadLettersBesideTheResults() {
        JobConfig files = CommandLine.parse(
                        new String[] {"jobs/tag.yaml", "--input", "in.jsonl", "--output", "out/entities.jsonl"})
                .config();
        assertThat(files.deadLetters.kind()).isEqualTo(JobConfig.SinkKind.FILE);
        assertThat(files.deadLetters.path())
                .isEqualTo(Path.of("out/entities.dead-letters.jsonl").toAbsolutePath());

        JobConfig chosen = CommandLine.parse(
                        new String[] {"jobs/tag.yaml", "--output", "x", "--dead-letters", "bad.jsonl"})
                .config();
        assertThat(chosen.deadLetters.path()).isEqualTo(Path.of("bad.jsonl").toAbsolutePath());
        JobConfig set = CommandLine.parse(
                        new String[] {"jobs/tag.yaml", "--output", "x", "--set", "dead-letters.kafka.topic=dlq"})
                .config();
        assertThat(set.deadLetters.kind())
                .as("dead letters configured on the command line stay as configured")
                .isEqualTo(JobConfig.SinkKind.KAFKA);
        JobConfig kafkaOut = CommandLine.parse(new String[] {"jobs/tag.yaml", "--input", "in.jsonl"})
                .config();
        assertThat(kafkaOut.deadLetters.kind()).as("results still go to Kafka").isEqualTo(JobConfig.SinkKind.KAFKA);
        JobConfig demo = CommandLine.parse(new String[] {"jobs/demo.yaml", "--output", "x.jsonl"})
                .config();
        assertThat(demo.deadLetters.kind()).isEqualTo(JobConfig.SinkKind.CONSOLE);
    }

    @Test
    void aRepositoryOfVersionsIsPolledAtModelReloadInterval() {
        BundleCopies.publish("bert-seq-cls", tmp.resolve("jobs/models/x"), 1);
        JobConfig c = parse(MINIMAL, "--set", "model.reload.interval=30s", "--set", "model.reload.labels=any");
        assertThat(c.model.reload().interval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.model.reload().sameLabels()).isFalse();
        assertThat(ModelOptions.openBundle(c.model.bundle()).directory()).isEqualTo(tmp.resolve("jobs/models/x/1"));

        assertThatThrownBy(() -> parse(MINIMAL, "--set", "model.reload.labels=some"))
                .hasMessageContaining("model.reload.labels: 'some' expected one of same, any");
        JobConfig topic = parse(
                MINIMAL,
                "--set",
                "model.reload.topic=model-versions",
                "--set",
                "model.reload.bootstrap-servers=localhost:9092");
        assertThat(topic.model.reload().topic()).isEqualTo("model-versions");
        assertThat(topic.model.reload().enabled()).isTrue();
        assertThatThrownBy(() -> parse(MINIMAL, "--set", "model.reload.topic=model-versions"))
                .hasMessageContaining("model.reload.bootstrap-servers")
                .hasMessageContaining("must be set with model.reload.topic");
        BundleCopies.copy("bert-seq-cls", tmp.resolve("jobs/models/y"));
        assertThatThrownBy(() -> parse(MINIMAL, "--set", "model.bundle=models/y", "--set", "model.reload.interval=1s"))
                .hasMessageContaining("model.reload.interval")
                .hasMessageContaining("needs a repository of numbered versions");
    }

    @Test
    void errorsNameTheKeyTheValueAndWhatWasExpected() {
        assertThatThrownBy(() -> parse(MINIMAL, "--set", "batch.max-wait=soon"))
                .hasMessageContaining(
                        "job.yaml: batch.max-wait: 'soon' is not valid; expected a duration such as 20ms or 1s");
        assertThatThrownBy(() -> parse(MINIMAL, "--set", "batch.max-size=-1"))
                .hasMessageContaining("batch.max-size: '-1' must be >= 0");
        assertThatThrownBy(() -> parse(MINIMAL, "--set", "model.sharing=global"))
                .hasMessageContaining("model.sharing: 'global' expected one of per-slot, task-manager");
        assertThatThrownBy(() -> parse(MINIMAL, "--set", "batch.max-sise=4"))
                .hasMessageContaining("unknown key 'batch.max-sise' (did you mean 'batch.max-size'?)");
        assertThatThrownBy(() -> parse(MINIMAL.replace("type: print\ndead", "type: kafka\ndead")))
                .hasMessageContaining("output.kafka.bootstrap-servers is required when output.type is kafka");
        assertThatThrownBy(() ->
                        parse(MINIMAL, "--set", "input.type=kafka", "--set", "input.kafka.bootstrap-servers=h:9092"))
                .hasMessageContaining("input.kafka.topic is required when input.type is kafka");
        assertThatThrownBy(() -> parse(MINIMAL, "--set", "bogus")).hasMessageContaining("--set expects KEY=VALUE");
    }

    @Test
    void exactlyOnceNeedsCheckpointsAndATransactionTimeoutAboveTheirInterval() {
        String kafka = MINIMAL + """
                """;
        String[] toKafka = {
            "--set",
            "output.type=kafka",
            "--set",
            "output.kafka.bootstrap-servers=127.0.0.1:9092",
            "--set",
            "output.kafka.topic=out"
        };
        assertThatThrownBy(() -> parse(kafka, toKafka))
                .hasMessageContaining("output.kafka.delivery")
                .hasMessageContaining("needs checkpointing: set job.checkpoint-interval");
        String[] slowCheckpoints = {
            "--set",
            "output.type=kafka",
            "--set",
            "output.kafka.bootstrap-servers=127.0.0.1:9092",
            "--set",
            "output.kafka.topic=out",
            "--set",
            "job.checkpoint-interval=10min"
        };
        assertThatThrownBy(() -> parse(kafka, slowCheckpoints))
                .hasMessageContaining("output.kafka.transaction-timeout")
                .hasMessageContaining("must exceed the checkpoint interval");
        JobConfig atLeastOnce = parse(
                kafka,
                "--set",
                "output.type=kafka",
                "--set",
                "output.kafka.bootstrap-servers=127.0.0.1:9092",
                "--set",
                "output.kafka.topic=out",
                "--set",
                "output.kafka.delivery=at-least-once");
        assertThat(atLeastOnce.delivery).isEqualTo(JobConfig.Delivery.AT_LEAST_ONCE);
    }

    @Test
    void labelsAreCheckedAtStart() {
        String labels = MINIMAL + """
                classify:
                  labels:
                    - name: a
                      description: about a
                      examples: [one a, another a]
                    - name: b
                      description: about b
                """;
        JobConfig c = parse(labels);
        assertThat(c.labels).hasSize(2);
        assertThat(c.labels.get(0).examples()).containsExactly("one a", "another a");
        assertThat(c.labelScale).isEqualTo(40.0);

        assertThatThrownBy(() -> parse(labels.replace("name: b", "name: a")))
                .hasMessageContaining("classify.labels: label 'a' is defined twice");
        assertThatThrownBy(() -> parse(labels.replace("description: about b", "description: ''")))
                .hasMessageContaining("label 'b' has an empty description");
        assertThatThrownBy(() -> parse(MINIMAL + "classify:\n  labels: []\n")).hasMessageContaining("no labels");
        assertThatThrownBy(() -> parse(labels.replace("examples: [one a, another a]", "colour: red")))
                .hasMessageContaining("unknown field 'colour'");
        assertThatThrownBy(() -> parse(labels, "--set", "classify.scale=0"))
                .hasMessageContaining("scale must be a positive number");
    }

    @Test
    void aMisspeltKeyAnywhereIsAnErrorThatNamesIt() {
        assertThatThrownBy(() -> parse(MINIMAL + "classify:\n  label:\n    - name: a\n      description: about a\n"))
                .isInstanceOf(JobSpecException.class)
                .hasMessageContaining("unknown key 'classify.label' (did you mean 'classify.labels'?)");
        assertThatThrownBy(() -> parse(MINIMAL + "classify:\n  labels:\n    - name: a\n      descripton: about a\n"))
                .hasMessageContaining(
                        "classify.labels[0]: unknown field 'descripton'; expected name, description, examples");
        assertThatThrownBy(() -> parse(MINIMAL + "tagging:\n  ignore-labelz: [O]\n"))
                .hasMessageContaining("unknown key 'tagging.ignore-labelz' (did you mean 'tagging.ignore-labels'?)");
    }

    @Test
    void anEmptyValueOnTheCommandLineUnsetsAKey() {
        JobConfig labelled =
                CommandLine.parse(new String[] {"jobs/classify.yaml"}).config();
        assertThat(labelled.labels).isNotEmpty();
        JobConfig unset = CommandLine.parse(new String[] {"jobs/classify.yaml", "--set", "classify.labels-file="})
                .config();
        assertThat(unset.labels).isEmpty();
        JobConfig inline = parse(
                MINIMAL + "classify:\n  labels:\n    - {name: a, description: about a}\n", "--set", "classify.labels=");
        assertThat(inline.labels).isEmpty();
        assertThat(parse(MINIMAL, "--set", "batch.max-wait=").batchMaxWait)
                .as("back to the default")
                .isEqualTo(Duration.ofMillis(20));
    }

    @Test
    void anUnnamedJobIsNamedAfterItsFileAndSoAreItsKafkaGroupAndTransactions() {
        JobConfig c = parse(MINIMAL.replace(
                "type: file\n  path: in.jsonl",
                "type: kafka\n  kafka:\n    bootstrap-servers: h:9092\n" + "    topic: t"));
        assertThat(c.name).isEqualTo("job");
        assertThat(c.input.groupId()).isEqualTo("job");
        assertThat(c.transactionalIdPrefix("results")).isEqualTo("job-results");
        assertThat(CommandLine.parse(new String[] {"jobs/classify.yaml"})
                        .config()
                        .transactionalIdPrefix("results"))
                .isEqualTo("classify-results");
    }

    @Test
    void theShippedJobFilesAreValid() {
        for (String job : new String[] {"jobs/demo.yaml", "jobs/classify.yaml"}) {
            JobConfig c = CommandLine.parse(new String[] {job}).config();
            assertThat(c.bundle).exists();
        }
    }
}
