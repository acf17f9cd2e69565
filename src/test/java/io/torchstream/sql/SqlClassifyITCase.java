package io.torchstream.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;

import io.torchstream.internal.bundle.ModelBundle;
import io.torchstream.internal.session.LabelsFile;
import io.torchstream.internal.task.Classification;
import io.torchstream.internal.task.Embedding;
import io.torchstream.internal.task.LabelClassifier;
import io.torchstream.internal.task.Prediction;
import io.torchstream.internal.task.TextModel;
import io.torchstream.internal.text.TextInput;
import io.torchstream.testing.Fixtures;
import io.torchstream.testing.JobFiles;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * ML_PREDICT classifies on a MiniCluster as the runtime does directly: with a sequence-classification
 * bundle (single texts and sentence pairs), and with the default embedding model and labels described
 * in words. A NULL text gives NULL outputs; an empty text gets the model's prediction.
 */
class SqlClassifyITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    @Test
    void classifiesWithASequenceClassificationBundle() throws Exception {
        List<String> texts = new ArrayList<>();
        Fixtures.inputs(Fixtures.reference("bert-seq-cls")).forEach(t -> texts.add(t.text()));
        assertThat(texts).contains("", "   ");
        texts.add(null);

        TableEnvironment env = SqlTesting.env();
        // One ML_PREDICT instance, so that its ordered output is the input order.
        env.getConfig().set("parallelism.default", "1");
        SqlTesting.events(env, "events", texts);
        env.executeSql("CREATE MODEL sentiment INPUT (text STRING)"
                + " OUTPUT (label STRING, score DOUBLE, scores MAP<STRING, DOUBLE>, truncated BOOLEAN)"
                + " WITH ('provider' = 'torchscript', 'bundle' = "
                + SqlTesting.literal(Fixtures.bundleDir("bert-seq-cls"))
                + ", 'batch.max-size' = '4', 'batch.max-wait' = '5ms')");
        Map<Object, Row> rows = SqlTesting.collectById(
                env,
                "SELECT id, text, label, score, scores, truncated FROM ML_PREDICT(TABLE events, MODEL sentiment, DESCRIPTOR(text))");

        assertThat(rows).hasSize(texts.size());
        assertThat(new ArrayList<>(rows.keySet()))
                .as("one ordered ML_PREDICT instance keeps the input order")
                .isEqualTo(IntStream.range(0, texts.size()).boxed().toList());
        int nullId = texts.size() - 1;
        assertThat(rows.get(nullId).getField("label"))
                .as("NULL text, NULL label")
                .isNull();
        assertThat(rows.get(nullId).getField("score")).isNull();
        assertThat(rows.get(nullId).getField("scores")).isNull();
        assertThat(rows.get(nullId).getField("truncated")).isNull();

        try (TextModel model = TextModel.open(Fixtures.bundle("bert-seq-cls"), 1)) {
            List<Prediction> direct = model.predict(
                            texts.subList(0, nullId).stream().map(TextInput::of).toList())
                    .results();
            for (int i = 0; i < nullId; i++) {
                Row row = rows.get(i);
                Classification expected = (Classification) direct.get(i);
                assertThat(row.getField("text")).isEqualTo(texts.get(i));
                assertThat(row.getField("label"))
                        .as("label of %s", texts.get(i))
                        .isEqualTo(expected.label());
                assertThat((Double) row.getField("score")).isCloseTo(expected.score(), within(1e-5));
                assertThat(row.getField("truncated")).isEqualTo(expected.truncated());
                @SuppressWarnings("unchecked")
                Map<String, Double> scores = (Map<String, Double>) row.getField("scores");
                assertThat(scores).containsOnlyKeys(expected.scores().keySet());
                expected.scores()
                        .forEach((label, score) -> assertThat(scores.get(label)).isCloseTo(score, within(1e-5)));
            }
        }
    }

    @Test
    void classifiesSentencePairs() throws Exception {
        List<TextInput> inputs = Fixtures.inputs(Fixtures.reference("bert-pair-cls"));
        List<String[]> pairs = new ArrayList<>();
        inputs.forEach(t -> pairs.add(new String[] {t.text(), t.textPair()}));
        pairs.add(new String[] {"a text without its pair", null});

        TableEnvironment env = SqlTesting.env();
        SqlTesting.pairs(env, "pairs", pairs);
        env.executeSql("CREATE MODEL nli INPUT (premise STRING, hypothesis STRING) OUTPUT (label STRING, score DOUBLE)"
                + " WITH ('provider' = 'torchscript', 'bundle' = "
                + SqlTesting.literal(Fixtures.bundleDir("bert-pair-cls")) + ")");
        Map<Object, Row> rows = SqlTesting.collectById(
                env, "SELECT id, label, score FROM ML_PREDICT(TABLE pairs, MODEL nli, DESCRIPTOR(text, text_pair))");

        assertThat(rows).hasSize(pairs.size());
        assertThat(rows.get(inputs.size()).getField("label"))
                .as("a NULL pair gives NULL outputs")
                .isNull();
        try (TextModel model = TextModel.open(Fixtures.bundle("bert-pair-cls"), 1)) {
            List<Prediction> direct = model.predict(inputs).results();
            for (int i = 0; i < inputs.size(); i++) {
                Classification expected = (Classification) direct.get(i);
                assertThat(rows.get(i).getField("label")).isEqualTo(expected.label());
                assertThat((Double) rows.get(i).getField("score")).isCloseTo(expected.score(), within(1e-5));
            }
        }
    }

    @Test
    void classifiesHeadlinesByLabelDescriptionsWithTheDefaultModel() throws Exception {
        List<JsonNode> headlines =
                JobFiles.readLines(Path.of("jobs/samples/headlines.jsonl")).subList(0, 16);
        List<String> texts = headlines.stream().map(h -> h.get("text").asText()).toList();

        TableEnvironment env = SqlTesting.env();
        SqlTesting.events(env, "events", texts);
        env.executeSql(
                "CREATE MODEL topics INPUT (text STRING) OUTPUT (label STRING, score DOUBLE, scores MAP<STRING, DOUBLE>,"
                        + " embedding ARRAY<FLOAT>) WITH ('provider' = 'torchscript', 'bundle' = 'models/all-minilm-l6-v2',"
                        + " 'labels-file' = 'jobs/labels/news-topics.yaml', 'scale' = '40')");
        Map<Object, Row> rows = SqlTesting.collectById(
                env,
                "SELECT id, label, score, scores, embedding FROM ML_PREDICT(TABLE events, MODEL topics, DESCRIPTOR(text))");

        assertThat(rows).hasSize(texts.size());
        try (TextModel model = TextModel.open(ModelBundle.open(Path.of("models/all-minilm-l6-v2")), 1)) {
            LabelClassifier classifier =
                    LabelClassifier.create(model, LabelsFile.read(Path.of("jobs/labels/news-topics.yaml")), 40);
            List<Prediction> direct =
                    model.predict(texts.stream().map(TextInput::of).toList()).results();
            for (int i = 0; i < texts.size(); i++) {
                Embedding embedding = (Embedding) direct.get(i);
                Classification expected = classifier.classify(embedding);
                Row row = rows.get(i);
                assertThat(row.getField("label"))
                        .as(texts.get(i))
                        .isEqualTo(expected.label())
                        .isEqualTo(headlines.get(i).get("label").asText());
                assertThat((Double) row.getField("score")).isCloseTo(expected.score(), within(1e-4));
                Float[] vector = (Float[]) row.getField("embedding");
                assertThat(vector).hasSize(embedding.vector().length);
                float[] actual = new float[vector.length];
                for (int k = 0; k < vector.length; k++) {
                    actual[k] = vector[k];
                }
                assertThat(actual).containsExactly(embedding.vector(), within(1e-5f));
                assertThat(Arrays.stream(vector).allMatch(v -> v != null)).isTrue();
            }
        }
    }
}
