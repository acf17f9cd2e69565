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

import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * A bad input fails alone, whatever path calls the session: the model session over bert-seq-cls with a
 * fake runner that breaks on rows with the word "poison" (or on every row), with truncation on or off.
 */
class ModelSessionTest {

    private static final TextInput SHORT = TextInput.of("good");
    private static final TextInput LONG = TextInput.of("the poison was in the soup");
    private static final long[] POISON = idsOf("poison");
    private static final Predicate<long[]> ON_POISON = ids -> contains(ids, POISON);
    private static final Predicate<long[]> NEVER = ids -> false;

    /** Token ids of a word, without the special tokens around it. */
    private static long[] idsOf(String word) {
        try (TextEncoder encoder = TextEncoder.open(Fixtures.bundle("bert-seq-cls"))) {
            long[] ids = encoder.encode(TextInput.of(word)).ids();
            return Arrays.copyOfRange(ids, 1, ids.length - 1);
        }
    }

    /** Whether {@code ids} hold {@code part} in a row. */
    private static boolean contains(long[] ids, long[] part) {
        for (int i = 0; i + part.length <= ids.length; i++) {
            if (Arrays.equals(Arrays.copyOfRange(ids, i, i + part.length), part)) {
                return true;
            }
        }
        return false;
    }

    /** A session whose fake model breaks on the rows {@code breaksOn} matches. */
    private static ModelSession session(boolean truncate, Predicate<long[]> breaksOn) {
        ModelBundle bundle = Fixtures.bundle("bert-seq-cls");
        TextModel model = new TextModel(
                bundle.manifest(), TextEncoder.open(bundle), new FakeModelRunner(bundle.manifest(), breaksOn));
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
                    settings.redaction(),
                    settings.reload(),
                    settings.batchMaxSize(),
                    settings.batchMaxWait());
        }
        return ModelSession.of(model, settings);
    }

    @Test
    void aBatchThatFailsRunsAgainRowByRowSoThatOnlyTheBadRowFails() {
        try (ModelSession session = session(true, ON_POISON)) {
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
    void badRowsAreErrorsEvenWhenTheyAreAllTheBatchHas() {
        try (ModelSession session = session(true, ON_POISON)) {
            assertThat(session.predict(List.of(LONG)).error(0)).contains("broke the fake model");
            Predictions two = session.predict(List.of(LONG, LONG));
            assertThat(two.failures()).isEqualTo(2);
        }
    }

    @Test
    void aModelThatFailsAKnownGoodTextTooIsAtFaultAndItsFailureIsThrown() {
        try (ModelSession broken = session(true, ids -> true)) {
            assertThatThrownBy(() -> broken.predict(List.of(SHORT, LONG))).isInstanceOf(ModelRunException.class);
        }
    }

    @Test
    void withTruncationOffATextLongerThanTheModelIsRefusedBeforeTheForwardPass() {
        TextInput tooLong = TextInput.of("word ".repeat(40));
        try (ModelSession session = session(false, NEVER)) {
            Predictions p = session.predict(List.of(SHORT, tooLong));
            assertThat(p.results().get(0)).isNotNull();
            assertThat(p.error(1)).isEqualTo("the text has more tokens than the model's 24, and truncation is off");
        }
        try (ModelSession truncating = session(true, NEVER)) {
            assertThat(truncating.predict(List.of(tooLong)).results().get(0).truncated())
                    .isTrue();
        }
    }

    @Test
    void closingTwiceIsSafeAndAClosedSessionSaysSo() {
        ModelSession session = session(true, NEVER);
        session.close();
        session.close();
        assertThatThrownBy(() -> session.predict(List.of(SHORT))).hasMessageContaining("is closed");
    }
}
