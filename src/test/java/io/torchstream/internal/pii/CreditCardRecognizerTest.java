package io.torchstream.internal.pii;

import static org.assertj.core.api.Assertions.assertThat;

import io.torchstream.internal.task.Entity;

import org.junit.jupiter.api.Test;

import java.util.List;

class CreditCardRecognizerTest {

    private final CreditCardRecognizer recognizer = new CreditCardRecognizer();

    private List<String> words(String text) {
        return recognizer.find(text).stream().map(Entity::word).toList();
    }

    @Test
    void findsACardNumberWithItsSource() {
        assertThat(recognizer.find("card 4111 1111 1111 1111 exp 12/29"))
                .containsExactly(
                        new Entity("CREDIT_CARD", true, 1.0, -1, "4111 1111 1111 1111", 5, 24, "pattern:credit_card"));
    }

    @Test
    void findsTheSchemesBareOrGroupedBySpacesOrDashes() {
        assertThat(words("visa 4111111111111111, mc 5555-5555-5555-4444, amex 3782 822463 10005, discover"
                        + " 6011111111111117, diners 3056 9309 0259 04, jcb 3530111333300000, unionpay"
                        + " 6200000000000005, maestro 6759649826438453, short visa 4222222222222"))
                .containsExactly(
                        "4111111111111111",
                        "5555-5555-5555-4444",
                        "3782 822463 10005",
                        "6011111111111117",
                        "3056 9309 0259 04",
                        "3530111333300000",
                        "6200000000000005",
                        "6759649826438453",
                        "4222222222222");
    }

    @Test
    void refusesAWrongCheckDigitAnUnknownIssuerAndMixedSeparators() {
        assertThat(words("4111 1111 1111 1112, 9111 1111 1111 1111 (Luhn-valid, no issuer), 4111-1111 1111-1111"))
                .isEmpty();
    }

    @Test
    void findsNoCardInsideALongerRunOfDigits() {
        assertThat(words("order 94111111111111111 and 4111 1111 1111 1111 2222 3333 and x4111111111111111"))
                .isEmpty();
    }

    @Test
    void findsACardNextToAShorterNumber() {
        assertThat(words("room 12 4111 1111 1111 1111 exp 12 29, at ::1 5555555555554444 1 time"))
                .containsExactly("4111 1111 1111 1111", "5555555555554444");
    }

    @Test
    void countsOffsetsInCodePointsAfterAnAstralCharacter() {
        Entity e = recognizer.find("💳 4111111111111111").get(0);
        assertThat(e.start()).isEqualTo(2);
        assertThat(e.end()).isEqualTo(18);
    }
}
