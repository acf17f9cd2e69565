package io.torchstream.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.torchstream.internal.session.ModelSharing;
import io.torchstream.internal.task.Aggregation;
import io.torchstream.internal.task.ShapePolicy;
import io.torchstream.testing.Fixtures;

import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.factories.Factory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.factories.ModelProviderFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** The factory and provider with a hand-written planner context: options, schemas, batch sizes. */
class TorchScriptModelProviderFactoryTest {

    private static final String SEQ_CLS = Fixtures.bundleDir("bert-seq-cls").toString();
    private static final String EMBEDDING = Fixtures.bundleDir("bert-embedding").toString();

    @TempDir
    Path tmp;

    @Test
    void isFoundByItsIdentifier() {
        ModelProviderFactory factory =
                FactoryUtil.discoverFactory(getClass().getClassLoader(), ModelProviderFactory.class, "torchscript");
        assertThat(factory).isInstanceOf(TorchScriptModelProviderFactory.class);
        assertThat(((Factory) factory).requiredOptions()).containsExactly(TorchScriptModelOptions.BUNDLE);
        assertThat(((Factory) factory).optionalOptions())
                .contains(
                        TorchScriptModelOptions.BATCH_MAX_SIZE,
                        TorchScriptModelOptions.LABELS_FILE,
                        TorchScriptModelOptions.TAGGING_AGGREGATION);
    }

    @Test
    void resolvesOptionsWithTheDataStreamJobsDefaults() {
        TorchScriptModelSpec spec = new FakeModelContext(SEQ_CLS).provider().spec();
        assertThat(spec.bundle())
                .isEqualTo(Path.of(SEQ_CLS).toAbsolutePath().normalize().toString());
        assertThat(spec.threads()).isZero();
        assertThat(spec.sharing()).isEqualTo(ModelSharing.TASK_MANAGER);
        assertThat(spec.shapes()).isEqualTo(ShapePolicy.VERIFIED);
        assertThat(spec.batchMaxWait()).isEqualTo(Duration.ofMillis(20));
        assertThat(spec.labels()).isEmpty();
        assertThat(spec.tagging().aggregation()).isEqualTo(Aggregation.SIMPLE);
        assertThat(spec.columns().kind()).isEqualTo(PredictionColumns.Kind.CLASSIFICATION);

        TorchScriptModelSpec custom = new FakeModelContext(SEQ_CLS)
                .option("threads", "3")
                .option("sharing", "per-slot")
                .option("shapes", "traced")
                .option("batch.max-wait", "5ms")
                .provider()
                .spec();
        assertThat(custom.threads()).isEqualTo(3);
        assertThat(custom.sharing()).isEqualTo(ModelSharing.PER_SLOT);
        assertThat(custom.shapes()).isEqualTo(ShapePolicy.TRACED);
        assertThat(custom.batchMaxWait()).isEqualTo(Duration.ofMillis(5));
    }

    @Test
    void theAutomaticBatchIsTheLargestVerifiedOneThatFitsTwiceInTheRowsInFlight() {
        // bert-seq-cls was verified at batches 1, 2 and 4; Flink keeps 10 rows in flight by default.
        assertThat(new FakeModelContext(SEQ_CLS).function().batchSize()).isEqualTo(4);
        assertThat(new FakeModelContext(SEQ_CLS)
                        .session("table.exec.async-ml-predict.max-concurrent-operations", "7")
                        .function()
                        .batchSize())
                .as("the session's rows in flight: 3 would pad to 4")
                .isEqualTo(2);
        assertThat(new FakeModelContext(SEQ_CLS)
                        .session("table.exec.async-ml-predict.max-concurrent-operations", "7")
                        .call("max-concurrent-operations", "2")
                        .function()
                        .batchSize())
                .as("the call's map wins")
                .isEqualTo(1);
        assertThat(new FakeModelContext(SEQ_CLS)
                        .call("max-concurrent-operations", "1")
                        .function()
                        .batchSize())
                .isEqualTo(1);
        // bert-token-cls was verified at batch 4 only: below that, the batch is what fits.
        FakeModelContext tagging = new FakeModelContext(
                        Fixtures.bundleDir("bert-token-cls").toString())
                .output(Column.physical(
                        "entities", DataTypes.ARRAY(DataTypes.ROW(DataTypes.FIELD("word", DataTypes.STRING())))));
        assertThat(tagging.call("max-concurrent-operations", "6").function().batchSize())
                .isEqualTo(3);
        assertThat(new FakeModelContext(SEQ_CLS)
                        .option("batch.max-size", "3")
                        .call("max-concurrent-operations", "3")
                        .function()
                        .batchSize())
                .as("an explicit size may use every row in flight")
                .isEqualTo(3);
    }

    @Test
    void anExplicitBatchSizeAboveTheRowsInFlightFails() {
        FakeModelContext context =
                new FakeModelContext(SEQ_CLS).option("batch.max-size", "4").call("max-concurrent-operations", "3");
        assertThatThrownBy(context::function)
                .isInstanceOf(ValidationException.class)
                .hasMessage("Model cat.db.m: 'batch.max-size'"
                        + " = '4' exceeds the 3 rows ML_PREDICT keeps in flight (max-concurrent-operations): such a batch could never"
                        + " fill, and every row would wait 'batch.max-wait'. Set 'batch.max-size' to at most 3, or raise"
                        + " max-concurrent-operations to at least 4 (ML_PREDICT(..., MAP['max-concurrent-operations', '4']) or SET"
                        + " 'table.exec.async-ml-predict.max-concurrent-operations' = '4')");
    }

    @Test
    void theBatchWaitMustStayBelowTheTimeout() {
        FakeModelContext context = new FakeModelContext(SEQ_CLS)
                .option("batch.max-wait", "1s")
                .session("table.exec.async-ml-predict.timeout", "500ms");
        assertThatThrownBy(context::function)
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining(
                        "'batch.max-wait' = '1000 ms' is not shorter than ML_PREDICT's async timeout of 500 ms");
    }

    @Test
    void optionValuesAreChecked() {
        assertThatThrownBy(() -> new FakeModelContext(SEQ_CLS)
                        .option("batch.max-size", "-1")
                        .provider())
                .hasMessage(
                        "Model cat.db.m: 'batch.max-size' = '-1' must be >= 0 (0: the bundle's largest batch that fits"
                                + " twice in max-concurrent-operations)");
        assertThatThrownBy(() ->
                        new FakeModelContext(SEQ_CLS).option("shapes", "all").provider())
                .hasMessage("Model cat.db.m: 'shapes' = 'all' expected one of traced, verified");
        assertThatThrownBy(() -> new FakeModelContext(SEQ_CLS)
                        .option("tagging.stride", "-3")
                        .provider())
                .hasMessageContaining(
                        "'tagging.stride' = '-3' must be >= 0 (or -1 for a quarter of the model's length)");
        assertThatThrownBy(() -> new FakeModelContext(SEQ_CLS)
                        .option("tagging.aggregation", "longest")
                        .provider())
                .hasMessage(
                        "Model cat.db.m: 'tagging.aggregation' = 'longest' expected one of none, simple, first, average, max");
        assertThatThrownBy(() -> new FakeModelContext(" ").provider())
                .hasMessageContaining("'bundle' = ' ' must name the bundle folder");
    }

    @Test
    void labelsFilesAreReadAndJudgedWhenPlanned() throws Exception {
        FakeModelContext good = new FakeModelContext(EMBEDDING).option("labels-file", "jobs/labels/news-topics.yaml");
        TorchScriptModelSpec spec = good.provider().spec();
        assertThat(spec.labels()).extracting(l -> l.name()).containsExactly("world", "sports", "business", "sci-tech");
        assertThat(spec.scale()).isEqualTo(40.0);
        assertThat(spec.columns().kind()).isEqualTo(PredictionColumns.Kind.LABELS);

        Path twice = Files.writeString(
                tmp.resolve("twice.yaml"), "labels:\n  - {name: a, description: x}\n  - {name: a, description: y}\n");
        assertThatThrownBy(() -> new FakeModelContext(EMBEDDING)
                        .option("labels-file", twice.toString())
                        .provider())
                .hasMessageContaining("'labels-file' = '" + twice + "' label 'a' is defined twice");
        assertThatThrownBy(() -> new FakeModelContext(EMBEDDING)
                        .option("labels-file", tmp.resolve("none.yaml").toString())
                        .provider())
                .hasMessageContaining("none.yaml: cannot be read as YAML");
        assertThatThrownBy(() -> new FakeModelContext(EMBEDDING)
                        .option("labels-file", "jobs/labels/news-topics.yaml")
                        .option("scale", "0")
                        .provider())
                .hasMessageContaining("scale must be a positive number, got 0.0");
    }

    @Test
    void outputColumnsMayComeInAnyOrderAndSubset() {
        FakeModelContext context = new FakeModelContext(SEQ_CLS)
                .output(
                        Column.physical("truncated", DataTypes.BOOLEAN()),
                        Column.physical(
                                "scores",
                                DataTypes.MAP(
                                        DataTypes.STRING(), DataTypes.DOUBLE().notNull())));
        assertThat(context.provider().spec().columns().arity()).isEqualTo(2);
    }

    @Test
    void anEmbeddingModelOffersEmbeddings() {
        FakeModelContext context = new FakeModelContext(EMBEDDING)
                .output(Column.physical("embedding", DataTypes.ARRAY(DataTypes.DOUBLE())));
        assertThatThrownBy(context::provider)
                .isInstanceOf(ValidationException.class)
                .hasMessage("Model cat.db.m (bundle"
                        + " bert-embedding, embedding): OUTPUT column 'embedding' is ARRAY<DOUBLE>, but sentence embedding gives embedding as"
                        + " ARRAY<FLOAT>. The bundle's task (sentence embedding) offers: embedding ARRAY<FLOAT>, truncated BOOLEAN,"
                        + " model_version STRING.");
    }

    @Test
    void inputMustBeText() {
        FakeModelContext context = new FakeModelContext(SEQ_CLS).input(Column.physical("text", DataTypes.INT()));
        assertThatThrownBy(context::provider)
                .hasMessage("Model cat.db.m (bundle bert-seq-cls, sequence-classification): INPUT must"
                        + " be one STRING column, the text, such as (text STRING); found (text INT)");
    }
}
