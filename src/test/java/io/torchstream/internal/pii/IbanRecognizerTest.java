package io.torchstream.internal.pii;

import static org.assertj.core.api.Assertions.assertThat;

import io.torchstream.internal.task.Entity;

import org.junit.jupiter.api.Test;

import java.util.List;

class IbanRecognizerTest {

    private final IbanRecognizer recognizer = new IbanRecognizer();

    private List<String> words(String text) {
        return recognizer.find(text).stream().map(Entity::word).toList();
    }

    @Test
    void findsAnIbanInGroupsWithItsSource() {
        assertThat(recognizer.find("IBAN: DE89 3704 0044 0532 0130 00."))
                .containsExactly(
                        new Entity("IBAN", true, 1.0, -1, "DE89 3704 0044 0532 0130 00", 6, 33, "pattern:iban"));
    }

    @Test
    void findsIbansBareGroupedAndInLowerCase() {
        assertThat(words("GB82WEST12345698765432, NL91 ABNA 0417 1643 00 and de89370400440532013000"))
                .containsExactly("GB82WEST12345698765432", "NL91 ABNA 0417 1643 00", "de89370400440532013000");
    }

    @Test
    void endsAGroupedIbanBeforeAWordThatLooksLikeAGroup() {
        assertThat(words("DE89 3704 0044 0532 0130 00 ABC GB82 WEST 1234 5698 7654 32"))
                .containsExactly("DE89 3704 0044 0532 0130 00", "GB82 WEST 1234 5698 7654 32");
    }

    @Test
    void refusesAWrongCheckDigitAWrongLengthAndAnUnknownCountry() {
        assertThat(words("DE89370400440532013001 DE8937040044053201300 XX89370400440532013000"))
                .isEmpty();
    }

    @Test
    void countsOffsetsInCodePointsAfterAnAstralCharacter() {
        Entity e = recognizer.find("🏦 GB82WEST12345698765432").get(0);
        assertThat(e.start()).isEqualTo(2);
        assertThat(e.end()).isEqualTo(24);
    }
}
