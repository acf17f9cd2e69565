package io.torchstream.internal.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.torchstream.internal.bundle.ModelBundle;
import io.torchstream.internal.runtime.ModelRunException;
import io.torchstream.internal.task.Classification;
import io.torchstream.internal.task.Predictions;
import io.torchstream.internal.task.TextModel;
import io.torchstream.internal.text.TextEncoder;
import io.torchstream.internal.text.TextInput;
import io.torchstream.testing.FakeModelRunner;
import io.torchstream.testing.Fixtures;

import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * A bad input fails alone, whatever path calls the session: the model session over bert-seq-cls with a
 * fake runner that breaks on rows of more than 6 tokens, and with truncation off.
 */
class ModelSessionTest {

    private static final TextInput SHORT = TextInput.of("good");
    private static final TextInput LONG = TextInput.of("the service was slow and the food was cold");

    private static ModelSession session(boolean truncate, int failLongerThan) {
        ModelBundle bundle = Fixtures.bundle("bert-seq-cls");
        TextModel model = new TextModel(
                bundle.manifest(), TextEncoder.open(bundle), new FakeModelRunner(bundle.manifest(), failLongerThan));
        ModelSettings settings = ModelSettings.of(bundle.directory().toString());
        if (!truncate) {
            settings = new ModelSettings(
                    settings.bundle(),
                    settings.sharing(),
                    settings.threads(),
                    settings.shapes(),
                    settings.maxLength(),
                    false,
                    settings.labels(),
                    settings.labelScale(),
                    settings.tagging(),
                    settings.batchMaxSize(),
                    settings.batchMaxWait());
        }
        return ModelSession.of(model, settings);
    }

    @Test
    void aBatchThatFailsRunsAgainRowByRowSoThatOnlyTheBadRowFails() {
        try (ModelSession session = session(true, 6)) {
            Predictions p = session.predict(List.of(SHORT, LONG, SHORT));
            assertThat(p.results().get(0)).isInstanceOf(Classification.class);
            assertThat(p.results().get(1)).isNull();
            assertThat(p.results().get(2)).isEqualTo(p.results().get(0));
            assertThat(p.error(0)).isNull();
            assertThat(p.error(1)).startsWith("the model failed on this text: ModelRunException: a row of ");
            assertThat(p.failures()).isEqualTo(1);
        }
    }

    @Test
    void aSingleBadRowIsAnErrorButABatchWhoseEveryRowFailsIsTheModelsFault() {
        try (ModelSession session = session(true, 6)) {
            assertThat(session.predict(List.of(LONG)).error(0)).contains("broke the fake model");
            assertThatThrownBy(() -> session.predict(List.of(LONG, LONG))).isInstanceOf(ModelRunException.class);
        }
    }

    @Test
    void withTruncationOffATextLongerThanTheModelIsRefusedBeforeTheForwardPass() {
        TextInput tooLong = TextInput.of("word ".repeat(40));
        try (ModelSession session = session(false, Integer.MAX_VALUE)) {
            Predictions p = session.predict(List.of(SHORT, tooLong));
            assertThat(p.results().get(0)).isNotNull();
            assertThat(p.error(1)).isEqualTo("the text has more tokens than the model's 24, and truncation is off");
        }
        try (ModelSession truncating = session(true, Integer.MAX_VALUE)) {
            assertThat(truncating.predict(List.of(tooLong)).results().get(0).truncated())
                    .isTrue();
        }
    }

    @Test
    void closingTwiceIsSafeAndAClosedSessionSaysSo() {
        ModelSession session = session(true, Integer.MAX_VALUE);
        session.close();
        session.close();
        assertThatThrownBy(() -> session.predict(List.of(SHORT))).hasMessageContaining("is closed");
    }
}
