package io.torchstream.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.torchstream.internal.session.SharedModels;
import io.torchstream.internal.task.Embedding;
import io.torchstream.internal.task.Prediction;
import io.torchstream.internal.task.TextModel;
import io.torchstream.internal.text.TextInput;
import io.torchstream.testing.Fixtures;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** ML_PREDICT embeds texts on a MiniCluster into the vectors the runtime computes directly. */
class SqlEmbedITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    @Test
    void embedsTextsAsTheModelDoes() throws Exception {
        List<String> texts = new ArrayList<>();
        Fixtures.inputs(Fixtures.reference("bert-embedding")).forEach(t -> texts.add(t.text()));
        texts.add(null);

        TableEnvironment env = SqlTesting.env();
        SqlTesting.events(env, "events", texts);
        env.executeSql("CREATE MODEL embedder INPUT (text STRING) OUTPUT (embedding ARRAY<FLOAT>, truncated BOOLEAN)"
                + " WITH ('provider' = 'torchscript', 'bundle' = "
                + SqlTesting.literal(Fixtures.bundleDir("bert-embedding"))
                + ", 'sharing' = 'per-slot', 'threads' = '1')");
        Map<Object, Row> rows = SqlTesting.collectById(
                env, "SELECT id, embedding, truncated FROM ML_PREDICT(TABLE events, MODEL embedder, DESCRIPTOR(text))");

        assertThat(rows).hasSize(texts.size());
        int nullId = texts.size() - 1;
        assertThat(rows.get(nullId).getField("embedding")).isNull();
        try (TextModel model = TextModel.open(Fixtures.bundle("bert-embedding"), 1)) {
            List<Prediction> direct = model.predict(
                            texts.subList(0, nullId).stream().map(TextInput::of).toList())
                    .results();
            for (int i = 0; i < nullId; i++) {
                float[] expected = ((Embedding) direct.get(i)).vector();
                Float[] actual = (Float[]) rows.get(i).getField("embedding");
                assertThat(actual).as("embedding of %s", texts.get(i)).hasSize(expected.length);
                for (int k = 0; k < expected.length; k++) {
                    assertThat(actual[k]).isCloseTo(expected[k], within(1e-5f));
                }
                assertThat(rows.get(i).getField("truncated"))
                        .isEqualTo(direct.get(i).truncated());
            }
        }
        assertThat(SharedModels.loaded())
                .as("no shared model with per-slot sharing")
                .isZero();
    }
}
