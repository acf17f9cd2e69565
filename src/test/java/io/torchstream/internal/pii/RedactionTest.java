package io.torchstream.internal.pii;

import static io.torchstream.internal.pii.SpanMergerTest.model;
import static io.torchstream.internal.pii.SpanMergerTest.pattern;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.torchstream.internal.pii.Operator.Hash;
import io.torchstream.internal.pii.Operator.Keep;
import io.torchstream.internal.pii.Operator.Mask;
import io.torchstream.internal.pii.Operator.Redact;
import io.torchstream.internal.pii.Operator.Replace;
import io.torchstream.internal.task.Entity;

import org.junit.jupiter.api.Test;

import java.util.List;

/** {@link RedactionPolicy#redact}: operators applied to a text's merged entities. */
class RedactionTest {

    private static final String TEXT = "Jo, mail jo@example.com or card 4111111111111111";
    private static final Entity NAME = model("GIVEN_NAME", 0.9, TEXT, 0, 2);
    private static final Entity EMAIL = pattern("EMAIL", TEXT, 9, 23);
    private static final Entity CARD = pattern("CREDIT_CARD", TEXT, 32, 48);
    private static final List<Entity> ALL = List.of(CARD, NAME, EMAIL);

    private static RedactionPolicy.Builder policy() {
        return RedactionPolicy.builder(RedactionPolicyTest.TYPES);
    }

    @Test
    void replacesEachEntityWithItsTypeByDefault() {
        PiiResult result = policy().build().redact(TEXT, ALL);
        assertThat(result.text()).isEqualTo("<GIVEN_NAME>, mail <EMAIL> or card <CREDIT_CARD>");
        assertThat(result.entities()).containsExactly(NAME, EMAIL, CARD);
    }

    @Test
    void appliesEachTypesOperator() {
        PiiResult result = policy().defaultOperator(new Replace("[{type}]"))
                .operator("CREDIT_CARD", new Mask('*', 12, false))
                .operator("GIVEN_NAME", new Keep())
                .operator("EMAIL", new Redact())
                .build()
                .redact(TEXT, ALL);
        assertThat(result.text()).isEqualTo("Jo, mail  or card ************1111");
        assertThat(result.entities()).containsExactly(NAME, EMAIL, CARD);
        assertThat(policy().operator("CREDIT_CARD", new Mask('X', 4, true))
                        .build()
                        .redact(TEXT, List.of(CARD))
                        .text())
                .endsWith("card 411111111111XXXX");
    }

    @Test
    void hashesTheSameValueToTheSamePseudonymInEveryTextAndNeverOutputsTheSalt() {
        RedactionPolicy policy = policy().operator("EMAIL", new Hash("s3cret")).build();
        String a = policy.redact(TEXT, List.of(EMAIL)).text();
        String other = "from jo@example.com";
        String b = policy.redact(other, List.of(pattern("EMAIL", other, 5, 19))).text();
        assertThat(a.substring(9, 9 + 64)).isEqualTo(b.substring(5)).hasSize(64).matches("[0-9a-f]+");
        assertThat(a + b + policy).doesNotContain("s3cret").doesNotContain("jo@example.com");
    }

    @Test
    void ignoresEntitiesBelowTheThresholdAndAllowedOnes() {
        PiiResult result = policy().threshold(0.95)
                .threshold("CREDIT_CARD", 0.5)
                .allow("jo@example.com")
                .build()
                .redact(TEXT, ALL);
        assertThat(result.text()).isEqualTo("Jo, mail jo@example.com or card <CREDIT_CARD>");
        assertThat(result.entities()).containsExactly(CARD);
        assertThat(policy().allowRegex("\\d{16}").build().redact(TEXT, ALL).entities())
                .containsExactly(NAME, EMAIL);
    }

    @Test
    void redactsEntitiesAtTheStartAndTheEndOfTheText() {
        String text = "4111111111111111 to Jo";
        PiiResult result = policy().build()
                .redact(text, List.of(model("GIVEN_NAME", 0.9, text, 20, 22), pattern("CREDIT_CARD", text, 0, 16)));
        assertThat(result.text()).isEqualTo("<CREDIT_CARD> to <GIVEN_NAME>");
        assertThat(policy().build()
                        .redact("Jo", List.of(model("GIVEN_NAME", 0.9, "Jo", 0, 2)))
                        .text())
                .isEqualTo("<GIVEN_NAME>");
    }

    @Test
    void refusesOverlappingEntitiesAtTheStartOrTheEnd() {
        RedactionPolicy policy = policy().build();
        assertThatThrownBy(() -> policy.redact(
                        TEXT, List.of(model("GIVEN_NAME", 0.9, TEXT, 0, 2), model("EMAIL", 0.9, TEXT, 0, 5))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("EMAIL [0, 5) overlaps GIVEN_NAME [0, 2); merge the spans first");
        assertThatThrownBy(() -> policy.redact(TEXT, List.of(CARD, model("PHONE", 0.9, TEXT, 40, 48))))
                .hasMessage("PHONE [40, 48) overlaps CREDIT_CARD [32, 48); merge the spans first");
        // An ignored entity overlaps nothing.
        assertThat(policy().threshold("PHONE", 0.95)
                        .build()
                        .redact(TEXT, List.of(CARD, model("PHONE", 0.9, TEXT, 40, 48)))
                        .entities())
                .containsExactly(CARD);
    }

    @Test
    void refusesAnEntityOutsideTheText() {
        Entity beyond = new Entity("EMAIL", true, 1, -1, "x", 3, 4, "pattern:email");
        assertThatThrownBy(() -> policy().build().redact("abc", List.of(beyond)))
                .hasMessage("EMAIL [3, 4) lies outside the text of 3 code points");
    }

    @Test
    void leavesEmptyTextAndTextWithoutEntitiesAsTheyAre() {
        assertThat(policy().build().redact("", List.of())).isEqualTo(new PiiResult("", List.of()));
        assertThat(policy().build().redact(" \t\n ", List.of()).text()).isEqualTo(" \t\n ");
        assertThat(policy().build().redact("😀🎉", List.of()).text()).isEqualTo("😀🎉");
    }

    @Test
    void countsInCodePointsAmongAstralCharacters() {
        String text = "😀 Jürgen 🎉 a@b.de 😀";
        PiiResult result = policy().operator("GIVEN_NAME", new Mask('*', 3, true))
                .build()
                .redact(text, List.of(model("GIVEN_NAME", 0.9, text, 2, 8), pattern("EMAIL", text, 11, 17)));
        assertThat(result.text()).isEqualTo("😀 Jür*** 🎉 <EMAIL> 😀");
    }
}
