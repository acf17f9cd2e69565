package io.torchstream.internal.pii;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.torchstream.internal.task.Entity;

import org.junit.jupiter.api.Test;

import java.util.List;

class SpanMergerTest {

    private final SpanMerger merger = SpanMerger.standard();

    /** The model's span over {@code text[start, end)}, in code points. */
    static Entity model(String label, double score, String text, int start, int end) {
        return span(label, score, text, start, end, Entity.MODEL);
    }

    /** A validated pattern's span over {@code text[start, end)}, in code points. */
    static Entity pattern(String label, String text, int start, int end) {
        return span(label, 1.0, text, start, end, "pattern:" + label.toLowerCase(java.util.Locale.ROOT));
    }

    private static Entity span(String label, double score, String text, int start, int end, String source) {
        int[] cp = text.codePoints().toArray();
        return new Entity(label, true, score, -1, new String(cp, start, end - start), start, end, source);
    }

    /** "LABEL word source" of each merged span, for compact assertions. */
    private static List<String> described(List<Entity> merged) {
        return merged.stream()
                .map(e -> e.label() + " " + e.word() + " " + e.source())
                .toList();
    }

    @Test
    void aCardNumberWinsOverTheModelsWeakerTypesOverlappingIt() {
        String text = "pay 4111 1111 1111 1111 now";
        List<Entity> merged = merger.merge(
                text,
                List.of(
                        model("BANK_ACCOUNT", 0.8, text, 4, 13),
                        model("PHONE", 0.7, text, 9, 23),
                        model("TAX_ID", 0.6, text, 14, 23),
                        pattern("CREDIT_CARD", text, 4, 23)));
        assertThat(merged).containsExactly(pattern("CREDIT_CARD", text, 4, 23));
    }

    @Test
    void anEmailIsOneSpanThoughTheModelSplitIt() {
        String text = "mail john.smith@example.com.";
        List<Entity> merged = merger.merge(
                text,
                List.of(
                        model("EMAIL", 0.9, text, 5, 15),
                        model("URL", 0.6, text, 16, 27),
                        model("EMAIL", 0.8, text, 16, 27),
                        pattern("EMAIL", text, 5, 27)));
        assertThat(merged).containsExactly(pattern("EMAIL", text, 5, 27));
    }

    @Test
    void theSameTypeFromModelAndPatternBecomesTheirUnionWithThePatternsSource() {
        String text = "Call +44 20 7946 0958 ext 12";
        List<Entity> merged = merger.merge(
                text,
                List.of(
                        model("PHONE", 0.9, text, 5, 11),
                        pattern("PHONE", text, 5, 21),
                        model("PHONE", 0.5, text, 17, 28)));
        assertThat(merged)
                .containsExactly(new Entity("PHONE", true, 1.0, -1, "+44 20 7946 0958 ext 12", 5, 28, "pattern:phone"));
    }

    @Test
    void theWeakersPartOutsideTheStrongerIsKeptTrimmedToLettersAndDigits() {
        String text = "no. 4111 1111 1111 1111 / 77.";
        List<Entity> merged = merger.merge(
                text, List.of(model("BANK_ACCOUNT", 0.8, text, 0, 29), pattern("CREDIT_CARD", text, 4, 23)));
        assertThat(described(merged))
                .containsExactly(
                        "BANK_ACCOUNT no model",
                        "CREDIT_CARD 4111 1111 1111 1111 pattern:credit_card",
                        "BANK_ACCOUNT 77 model");
        assertThat(merged.get(2).start()).isEqualTo(26);
        assertThat(merged.get(2).end()).isEqualTo(28);
        assertThat(merged.get(2).score()).isEqualTo(0.8);
    }

    @Test
    void aWeakerSpanOfOnlyPunctuationOutsideTheStrongerVanishes() {
        String text = "card 4111111111111111.";
        assertThat(merger.merge(text, List.of(model("PHONE", 0.9, text, 5, 22), pattern("CREDIT_CARD", text, 5, 21))))
                .containsExactly(pattern("CREDIT_CARD", text, 5, 21));
    }

    @Test
    void theModelsIdentifiersWinOverThePhonePatternWhichTheirDigitsMaySatisfy() {
        String text = "SSN 078-05-1120";
        assertThat(merger.merge(text, List.of(pattern("PHONE", text, 4, 15), model("GOVERNMENT_ID", 0.6, text, 4, 15))))
                .containsExactly(model("GOVERNMENT_ID", 0.6, text, 4, 15));
    }

    @Test
    void thePhonePatternWinsOverTheModelsAddressParts() {
        String text = "call 030 12345678";
        assertThat(merger.merge(text, List.of(model("ZIP_CODE", 0.9, text, 5, 8), pattern("PHONE", text, 5, 17))))
                .containsExactly(pattern("PHONE", text, 5, 17));
    }

    @Test
    void aNamePartlyUnderAStrongerSpanBecomesTheirUnionWithTheStrongersType() {
        String text = "Mary Ann@example.com";
        List<Entity> merged =
                merger.merge(text, List.of(model("GIVEN_NAME", 0.95, text, 0, 8), pattern("EMAIL", text, 5, 20)));
        assertThat(merged)
                .containsExactly(new Entity("EMAIL", true, 1.0, -1, "Mary Ann@example.com", 0, 20, "pattern:email"));
    }

    @Test
    void aNameNestedInAStrongerSpanVanishesWhole() {
        String text = "to lee@example.com";
        assertThat(merger.merge(text, List.of(model("SURNAME", 0.9, text, 3, 6), pattern("EMAIL", text, 3, 18))))
                .containsExactly(pattern("EMAIL", text, 3, 18));
    }

    @Test
    void aNameSwallowsWholeTheStrongerSpansItBridgesTakingTheStrongestsType() {
        String text = "4111111111111111Jo Ann@example.com";
        List<Entity> merged = merger.merge(
                text,
                List.of(
                        pattern("CREDIT_CARD", text, 0, 16),
                        pattern("EMAIL", text, 19, 34),
                        model("GIVEN_NAME", 0.9, text, 14, 22)));
        assertThat(described(merged)).containsExactly("CREDIT_CARD " + text + " pattern:credit_card");
    }

    @Test
    void aWeakerSpanPartlyOverANameIsTrimmedAndTheNameKeptWhole() {
        String text = "Anna Bay";
        List<Entity> merged =
                merger.merge(text, List.of(model("CITY", 0.7, text, 0, 8), model("GIVEN_NAME", 0.9, text, 0, 4)));
        assertThat(described(merged)).containsExactly("GIVEN_NAME Anna model", "CITY Bay model");
    }

    @Test
    void spansOfOneTypeThatOverlapOrTouchBecomeOneButNotAcrossASpace() {
        String text = "Jo Ann Main Street";
        List<Entity> merged = merger.merge(
                text,
                List.of(
                        model("GIVEN_NAME", 0.9, text, 0, 2),
                        model("GIVEN_NAME", 0.8, text, 3, 5),
                        model("GIVEN_NAME", 0.7, text, 5, 6),
                        model("STREET_NAME", 0.6, text, 7, 14),
                        model("STREET_NAME", 0.9, text, 12, 18)));
        assertThat(merged)
                .containsExactly(
                        model("GIVEN_NAME", 0.9, text, 0, 2),
                        model("GIVEN_NAME", 0.8, text, 3, 6),
                        model("STREET_NAME", 0.9, text, 7, 18));
    }

    @Test
    void aSpanNestedInOneOfItsTypeVanishesIntoIt() {
        String text = "Main Street";
        assertThat(merger.merge(
                        text, List.of(model("STREET_NAME", 0.5, text, 5, 11), model("STREET_NAME", 0.6, text, 0, 11))))
                .containsExactly(model("STREET_NAME", 0.6, text, 0, 11));
    }

    @Test
    void withinARankTheLongerThenTheSurerWins() {
        String text = "New York";
        assertThat(described(
                        merger.merge(text, List.of(model("STATE", 0.9, text, 0, 3), model("CITY", 0.5, text, 0, 8)))))
                .containsExactly("CITY New York model");
        assertThat(described(
                        merger.merge(text, List.of(model("STATE", 0.9, text, 0, 8), model("CITY", 0.5, text, 0, 8)))))
                .containsExactly("STATE New York model");
    }

    @Test
    void aUrlSwallowsTheEmailAddressInsideIt() {
        String text = "https://user@example.com/x";
        assertThat(merger.merge(text, List.of(pattern("EMAIL", text, 8, 24), pattern("URL", text, 0, 26))))
                .containsExactly(pattern("URL", text, 0, 26));
    }

    @Test
    void mergesSpansAtTheStartAndTheEndOfTheText() {
        String text = "4111111111111111 mail a@b.de";
        List<Entity> merged = merger.merge(
                text,
                List.of(
                        model("PHONE", 0.6, text, 0, 4),
                        pattern("CREDIT_CARD", text, 0, 16),
                        model("EMAIL", 0.9, text, 24, 28),
                        pattern("EMAIL", text, 22, 28)));
        assertThat(merged).containsExactly(pattern("CREDIT_CARD", text, 0, 16), pattern("EMAIL", text, 22, 28));
    }

    @Test
    void countsInCodePointsThroughAstralCharacters() {
        String text = "😀 Mary Ann@example.com 😀";
        List<Entity> merged =
                merger.merge(text, List.of(model("GIVEN_NAME", 0.95, text, 2, 10), pattern("EMAIL", text, 7, 22)));
        assertThat(merged)
                .containsExactly(new Entity("EMAIL", true, 1.0, -1, "Mary Ann@example.com", 2, 22, "pattern:email"));
    }

    @Test
    void returnsSpansSortedByStartNoneOverlapping() {
        String text = "Jo Ann, 4111 1111 1111 1111, jo@example.com, +44 20 7946 0958, 10 Main Street";
        List<Entity> merged = merger.merge(
                text,
                List.of(
                        model("STREET_NAME", 0.5, text, 66, 77),
                        model("PHONE", 0.7, text, 8, 27),
                        model("SURNAME", 0.8, text, 3, 6),
                        pattern("PHONE", text, 45, 61),
                        model("BUILDING_NUMBER", 0.9, text, 63, 65),
                        pattern("CREDIT_CARD", text, 8, 27),
                        model("GIVEN_NAME", 0.9, text, 0, 2),
                        model("EMAIL", 0.4, text, 29, 31),
                        pattern("EMAIL", text, 29, 43),
                        model("BANK_ACCOUNT", 0.3, text, 23, 31)));
        for (int i = 1; i < merged.size(); i++) {
            assertThat(merged.get(i).start())
                    .isGreaterThanOrEqualTo(merged.get(i - 1).end());
        }
        assertThat(described(merged))
                .containsExactly(
                        "GIVEN_NAME Jo model",
                        "SURNAME Ann model",
                        "CREDIT_CARD 4111 1111 1111 1111 pattern:credit_card",
                        "EMAIL jo@example.com pattern:email",
                        "PHONE +44 20 7946 0958 pattern:phone",
                        "BUILDING_NUMBER 10 model",
                        "STREET_NAME Main Street model");
    }

    @Test
    void dropsEmptySpansAndRefusesSpansOutsideTheText() {
        String text = "abc";
        assertThat(merger.merge(text, List.of(model("CITY", 0.9, text, 1, 1)))).isEmpty();
        assertThat(merger.merge("", List.of())).isEmpty();
        Entity outside = new Entity("CITY", true, 0.9, -1, "abcd", 0, 4, Entity.MODEL);
        assertThatThrownBy(() -> merger.merge(text, List.of(outside)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("CITY [0, 4) lies outside the text of 3 code points");
    }
}
