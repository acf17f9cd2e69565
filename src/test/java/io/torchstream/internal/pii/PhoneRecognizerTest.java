package io.torchstream.internal.pii;

import static org.assertj.core.api.Assertions.assertThat;

import io.torchstream.internal.task.Entity;

import org.junit.jupiter.api.Test;

import java.util.List;

class PhoneRecognizerTest {

    private final PhoneRecognizer recognizer = new PhoneRecognizer(PatternRecognizers.DEFAULT_PHONE_REGIONS);

    private static List<String> words(PhoneRecognizer recognizer, String text) {
        return recognizer.find(text).stream().map(Entity::word).toList();
    }

    @Test
    void findsAnInternationalNumberOnceThoughEveryRegionFindsIt() {
        assertThat(recognizer.find("Call +44 20 7946 0958 now"))
                .containsExactly(new Entity("PHONE", true, 1.0, -1, "+44 20 7946 0958", 5, 21, "pattern:phone"));
    }

    @Test
    void findsNationalNumbersOfAnyDefaultRegion() {
        assertThat(words(recognizer, "US (415) 555-2671, FR 06 12 34 56 78, DE 030 12345678."))
                .containsExactly("(415) 555-2671", "06 12 34 56 78", "030 12345678");
    }

    @Test
    void findsOnlyTheConfiguredRegionsNationalNumbers() {
        PhoneRecognizer us = new PhoneRecognizer(List.of("US"));
        assertThat(words(us, "US (415) 555-2671, FR 06 12 34 56 78, +33 6 12 34 56 78"))
                .containsExactly("(415) 555-2671", "+33 6 12 34 56 78");
    }

    @Test
    void refusesNumbersNoNumberingPlanHas() {
        assertThat(words(recognizer, "call 123, code 555-0000-00, year 2024")).isEmpty();
    }

    @Test
    void countsOffsetsInCodePointsAfterAnAstralCharacter() {
        Entity e = recognizer.find("📞📞 +1 202-555-0143").get(0);
        assertThat(e.start()).isEqualTo(3);
        assertThat(e.end()).isEqualTo(18);
    }
}
