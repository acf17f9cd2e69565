package io.torchstream.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.torchstream.internal.bundle.ModelBundle;
import io.torchstream.internal.session.ModelSession;
import io.torchstream.internal.task.Aggregation;
import io.torchstream.internal.task.Entities;
import io.torchstream.internal.task.Entity;
import io.torchstream.internal.task.Prediction;
import io.torchstream.internal.task.TextModel;
import io.torchstream.internal.task.TokenTagger;
import io.torchstream.internal.text.TextInput;
import io.torchstream.jobs.CommandLine;
import io.torchstream.jobs.JobConfig;
import io.torchstream.testing.Fixtures;
import io.torchstream.testing.JobFiles;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.ExceptionUtils;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * ML_PREDICT tags entities on a MiniCluster exactly as {@link TokenTagger} does directly, long texts
 * (several windows) and empty texts included, for the aggregated ({@code entity_group}) and the
 * per-token ({@code entity}, {@code index}) forms.
 */
class SqlTagITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    private static List<String> texts() {
        List<String> texts = new ArrayList<>();
        JobFiles.readLines(Path.of("jobs/samples/messages.jsonl"))
                .forEach(m -> texts.add(m.get("text").asText()));
        Fixtures.inputs(Fixtures.reference("bert-token-cls")).forEach(t -> texts.add(t.text()));
        texts.add(null);
        return texts;
    }

    @Test
    void tagsEntityGroupsAsTheTaggerDoes() throws Exception {
        List<String> texts = texts();
        TableEnvironment env = SqlTesting.env();
        SqlTesting.events(env, "messages", texts);
        env.executeSql("CREATE MODEL ner INPUT (text STRING)"
                + " OUTPUT (entities ARRAY<ROW<entity_group STRING, score DOUBLE, word STRING, `start` INT, `end` INT>>)"
                + " WITH ('provider' = 'torchscript', 'bundle' = "
                + SqlTesting.literal(Fixtures.bundleDir("bert-token-cls"))
                + ", 'tagging.aggregation' = 'simple')");
        Map<Object, Row> rows = SqlTesting.collectById(
                env, "SELECT id, entities FROM ML_PREDICT(TABLE messages, MODEL ner, DESCRIPTOR(text))");

        assertThat(rows).hasSize(texts.size());
        assertThat(rows.get(texts.size() - 1).getField("entities"))
                .as("NULL text, NULL entities")
                .isNull();
        List<List<Entity>> expected = direct("bert-token-cls", Aggregation.SIMPLE, texts.subList(0, texts.size() - 1));
        int compared = 0;
        for (int i = 0; i < expected.size(); i++) {
            Row[] entities = (Row[]) rows.get(i).getField("entities");
            assertThat(entities)
                    .as("entities of %s", texts.get(i))
                    .hasSize(expected.get(i).size());
            for (int k = 0; k < entities.length; k++) {
                Entity e = expected.get(i).get(k);
                assertThat(entities[k].getField("entity_group")).isEqualTo(e.label());
                assertThat((Double) entities[k].getField("score")).isCloseTo(e.score(), within(1e-5));
                assertThat(entities[k].getField("word")).isEqualTo(e.word());
                assertThat(entities[k].getField("start")).isEqualTo(e.start());
                assertThat(entities[k].getField("end")).isEqualTo(e.end());
                compared++;
            }
            if (texts.get(i).isEmpty()) {
                assertThat(entities).as("an empty text has no entities").isEmpty();
            }
        }
        assertThat(compared).as("entities compared").isGreaterThan(10);
    }

    @Test
    void tagsTokensWithoutAggregation() throws Exception {
        List<String> texts = texts();
        TableEnvironment env = SqlTesting.env();
        SqlTesting.events(env, "messages", texts);
        env.executeSql("CREATE MODEL tokens INPUT (text STRING)"
                + " OUTPUT (entities ARRAY<ROW<entity STRING, `index` INT, word STRING, `end` INT>>, truncated BOOLEAN)"
                + " WITH ('provider' = 'torchscript', 'bundle' = "
                + SqlTesting.literal(Fixtures.bundleDir("roberta-token-cls"))
                + ", 'tagging.aggregation' = 'none', 'tagging.ignore-labels' = 'O')");
        Map<Object, Row> rows = SqlTesting.collectById(
                env, "SELECT id, entities, truncated FROM ML_PREDICT(TABLE messages, MODEL tokens, DESCRIPTOR(text))");

        List<List<Entity>> expected = direct("roberta-token-cls", Aggregation.NONE, texts.subList(0, texts.size() - 1));
        for (int i = 0; i < expected.size(); i++) {
            Row[] entities = (Row[]) rows.get(i).getField("entities");
            assertThat(rows.get(i).getField("truncated")).isEqualTo(false);
            assertThat(entities).hasSize(expected.get(i).size());
            for (int k = 0; k < entities.length; k++) {
                Entity e = expected.get(i).get(k);
                assertThat(entities[k].getArity()).isEqualTo(4);
                assertThat(entities[k].getField("entity")).isEqualTo(e.label());
                assertThat(entities[k].getField("index")).isEqualTo(e.index());
                assertThat(entities[k].getField("word")).isEqualTo(e.word());
                assertThat(entities[k].getField("end")).isEqualTo(e.end());
            }
        }
    }

    @Test
    void redactsAsTheDataStreamJobDoes() throws Exception {
        List<String> texts = new ArrayList<>();
        JobFiles.readLines(Path.of("jobs/samples/pii.jsonl"))
                .forEach(m -> texts.add(m.get("text").asText()));
        texts.add(null);
        TableEnvironment env = SqlTesting.env();
        SqlTesting.events(env, "messages", texts);
        env.executeSql("CREATE MODEL pii INPUT (text STRING)"
                + " OUTPUT (redacted STRING, entities ARRAY<ROW<entity_group STRING, `start` INT, `end` INT, source STRING>>)"
                + " WITH ('provider' = 'torchscript', 'bundle' = "
                + SqlTesting.literal(Path.of("models/pii-rampart"))
                + ", 'redact.enabled' = 'true', 'redact.threshold' = '0.5'"
                + ", 'redact.types.CREDIT_CARD.operator' = 'mask', 'redact.types.CREDIT_CARD.mask-char' = '#')");
        Map<Object, Row> rows = SqlTesting.collectById(
                env, "SELECT id, redacted, entities FROM ML_PREDICT(TABLE messages, MODEL pii, DESCRIPTOR(text))");

        assertThat(rows).hasSize(texts.size());
        assertThat(rows.get(texts.size() - 1).getField("redacted")).isNull();
        // jobs/pii.yaml's settings, read from the job file: SQL and the DataStream job redact alike.
        JobConfig job = CommandLine.parse(new String[] {"jobs/pii.yaml"}).config();
        try (ModelSession session = ModelSession.open(job.model, 1)) {
            for (int i = 0; i < texts.size() - 1; i++) {
                Entities expected = (Entities) session.predict(List.of(TextInput.of(texts.get(i))))
                        .results()
                        .get(0);
                assertThat(rows.get(i).getField("redacted")).as("row %d", i).isEqualTo(expected.redacted());
                Row[] entities = (Row[]) rows.get(i).getField("entities");
                assertThat(entities).hasSize(expected.entities().size());
                for (int k = 0; k < entities.length; k++) {
                    assertThat(entities[k].getField("entity_group"))
                            .isEqualTo(expected.entities().get(k).label());
                    assertThat(entities[k].getField("source"))
                            .isEqualTo(expected.entities().get(k).source());
                }
            }
        }
        assertThat(rows.get(1).getField("redacted"))
                .isEqualTo("Please refund card ###################, the order was never delivered.");
    }

    @Test
    void aRedactedColumnNeedsRedaction() {
        TableEnvironment env = SqlTesting.env();
        SqlTesting.events(env, "messages", List.of("hello"));
        env.executeSql("CREATE MODEL plain INPUT (text STRING) OUTPUT (redacted STRING)"
                + " WITH ('provider' = 'torchscript', 'bundle' = "
                + SqlTesting.literal(Path.of("models/pii-rampart")) + ")");
        assertThatThrownBy(() -> env.executeSql(
                        "SELECT id, redacted FROM ML_PREDICT(TABLE messages, MODEL plain, DESCRIPTOR(text))"))
                .satisfies(e -> assertThat(ExceptionUtils.stringifyException(e))
                        .contains("OUTPUT column 'redacted' is not an output of token tagging (redacted needs a"
                                + " token-classification bundle and 'redact.enabled' = 'true')"));
        env.executeSql("CREATE MODEL badop INPUT (text STRING) OUTPUT (redacted STRING)"
                + " WITH ('provider' = 'torchscript', 'bundle' = "
                + SqlTesting.literal(Path.of("models/pii-rampart"))
                + ", 'redact.enabled' = 'true', 'redact.types.NICKNAME.operator' = 'mask')");
        assertThatThrownBy(() -> env.executeSql(
                        "SELECT id, redacted FROM ML_PREDICT(TABLE messages, MODEL badop, DESCRIPTOR(text))"))
                .satisfies(e -> assertThat(ExceptionUtils.stringifyException(e))
                        .contains("'redact.types.NICKNAME.*' names an entity type that neither the model nor a"
                                + " pattern gives"));
    }

    private static List<List<Entity>> direct(String fixture, Aggregation aggregation, List<String> texts) {
        ModelBundle bundle = Fixtures.bundle(fixture);
        try (TextModel model = TextModel.open(bundle, 1);
                TokenTagger tagger = TokenTagger.create(bundle, model, aggregation, -1, Set.of("O"))) {
            List<List<Entity>> entities = new ArrayList<>();
            for (Prediction p :
                    tagger.tag(texts.stream().map(TextInput::of).toList()).results()) {
                entities.add(((Entities) p).entities());
            }
            return entities;
        }
    }
}
