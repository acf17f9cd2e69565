package io.torchstream.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.torchstream.internal.session.SharedModels;
import io.torchstream.internal.task.Classification;
import io.torchstream.internal.task.Prediction;
import io.torchstream.internal.task.ShapePolicy;
import io.torchstream.internal.task.TextModel;
import io.torchstream.internal.text.TextInput;
import io.torchstream.testing.Fixtures;

import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.functions.FunctionContext;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** The predict function outside Flink, on the sequence-classification fixture: NULLs, empty texts, batches, failures, closing. */
class TorchScriptPredictFunctionTest {

    private static final Path BUNDLE = Fixtures.bundleDir("bert-seq-cls");

    private TorchScriptPredictFunction function;

    @AfterEach
    void close() {
        if (function != null) {
            function.close();
        }
        assertThat(SharedModels.loaded()).as("every shared model released").isZero();
    }

    private TorchScriptPredictFunction open(FakeModelContext context) throws Exception {
        function = context.output(
                        Column.physical("label", DataTypes.STRING()), Column.physical("score", DataTypes.DOUBLE()))
                .option("batch.max-wait", "5ms")
                .option("threads", "1")
                .function();
        function.open(new FunctionContext(null));
        return function;
    }

    private static RowData row(String text) {
        return GenericRowData.of(text == null ? null : StringData.fromString(text));
    }

    private static RowData result(CompletableFuture<Collection<RowData>> future) throws Exception {
        Collection<RowData> rows = future.get(30, TimeUnit.SECONDS);
        assertThat(rows).hasSize(1);
        return rows.iterator().next();
    }

    @Test
    void aNullTextGivesNullOutputsAtOnce() throws Exception {
        open(new FakeModelContext(BUNDLE.toString()));
        CompletableFuture<Collection<RowData>> future = function.asyncPredict(row(null));
        assertThat(future).isCompleted();
        RowData nulls = result(future);
        assertThat(nulls.getArity()).isEqualTo(2);
        assertThat(nulls.isNullAt(0)).isTrue();
        assertThat(nulls.isNullAt(1)).isTrue();
    }

    @Test
    void everyRowGetsItsOwnPredictionEmptyTextsIncluded() throws Exception {
        open(new FakeModelContext(BUNDLE.toString()));
        List<String> texts = new ArrayList<>();
        Fixtures.inputs(Fixtures.reference("bert-seq-cls")).forEach(t -> texts.add(t.text()));
        assertThat(texts).contains("");
        List<CompletableFuture<Collection<RowData>>> futures = new ArrayList<>();
        for (String text : texts) {
            futures.add(function.asyncPredict(row(text)));
        }
        try (TextModel model = TextModel.open(Fixtures.bundle("bert-seq-cls"), 1, ShapePolicy.VERIFIED)) {
            List<Prediction> direct =
                    model.predict(texts.stream().map(TextInput::of).toList()).results();
            for (int i = 0; i < texts.size(); i++) {
                RowData row = result(futures.get(i));
                Classification expected = (Classification) direct.get(i);
                assertThat(row.getString(0).toString())
                        .as("label of '%s'", texts.get(i))
                        .isEqualTo(expected.label());
                assertThat(row.getDouble(1)).isCloseTo(expected.score(), within(1e-5));
            }
        }
    }

    @Test
    void aFailedBatchFailsItsRowsInsteadOfLeavingThemToTimeOut() throws Exception {
        open(new FakeModelContext(BUNDLE.toString()));
        // The function shares the TaskManager's model: closing it underneath makes the next forward pass throw.
        try (SharedModels.Lease lease = SharedModels.share(BUNDLE, 1, ShapePolicy.VERIFIED)) {
            lease.model().close();
            CompletableFuture<Collection<RowData>> a = function.asyncPredict(row("one"));
            CompletableFuture<Collection<RowData>> b = function.asyncPredict(row("two"));
            assertThatThrownBy(() -> a.get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasRootCauseInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> b.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        }
    }

    @Test
    void closingTwiceIsSafeAndLaterRowsFail() throws Exception {
        open(new FakeModelContext(BUNDLE.toString()).option("sharing", "per-slot"));
        assertThat(result(function.asyncPredict(row("hello"))).isNullAt(0)).isFalse();
        function.close();
        function.close();
        CompletableFuture<Collection<RowData>> after = function.asyncPredict(row("hello"));
        assertThat(after).isCompletedExceptionally();
        assertThatThrownBy(after::get).hasRootCauseMessage("model cat.db.m is not open");
    }
}
