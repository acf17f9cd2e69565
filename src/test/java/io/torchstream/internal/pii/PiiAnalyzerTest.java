package io.torchstream.internal.pii;

import static io.torchstream.internal.pii.SpanMergerTest.model;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.torchstream.internal.pii.Operator.Hash;
import io.torchstream.internal.pii.Operator.Mask;
import io.torchstream.internal.task.Entity;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

class PiiAnalyzerTest {

    /** The PII model's labels and the pattern types. */
    private static final Set<String> KNOWN = known();

    private static Set<String> known() {
        Set<String> types = new HashSet<>(PatternRecognizers.TYPES);
        types.addAll(List.of(
                "GIVEN_NAME",
                "SURNAME",
                "EMAIL",
                "PHONE",
                "URL",
                "TAX_ID",
                "BANK_ACCOUNT",
                "ROUTING_NUMBER",
                "GOVERNMENT_ID",
                "PASSPORT",
                "DRIVERS_LICENSE",
                "BUILDING_NUMBER",
                "STREET_NAME",
                "SECONDARY_ADDRESS",
                "CITY",
                "STATE",
                "ZIP_CODE"));
        return types;
    }

    private static PiiAnalyzer analyzer(RedactionPolicy policy) {
        return new PiiAnalyzer(PatternRecognizers.all(), SpanMerger.standard(), policy);
    }

    @Test
    void redactsTheModelsEntitiesAndWhatOnlyThePatternsFind() {
        String text = "😀 Anna Lee, anna.lee@example.com, card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00.";
        List<Entity> tagged = List.of(
                model("GIVEN_NAME", 0.98, text, 2, 6),
                model("SURNAME", 0.97, text, 7, 10),
                // The model splits the address and calls part of the card a phone number.
                model("EMAIL", 0.8, text, 12, 20),
                model("EMAIL", 0.7, text, 21, 32),
                model("PHONE", 0.6, text, 39, 48));
        PiiResult result = analyzer(RedactionPolicy.builder(KNOWN).build()).analyze(text, tagged);
        assertThat(result.text()).isEqualTo("😀 <GIVEN_NAME> <SURNAME>, <EMAIL>, card <CREDIT_CARD>, IBAN <IBAN>.");
        assertThat(result.entities())
                .extracting(e -> e.label() + " " + e.word() + " " + e.source())
                .containsExactly(
                        "GIVEN_NAME Anna model",
                        "SURNAME Lee model",
                        "EMAIL anna.lee@example.com pattern:email",
                        "CREDIT_CARD 4111 1111 1111 1111 pattern:credit_card",
                        "IBAN DE89 3704 0044 0532 0130 00 pattern:iban");
    }

    @Test
    void ignoredEntitiesNeitherWinOverNorWidenARedactedOne() {
        String text = "call +44 20 7946 0958 today";
        // A weak phone over "call +44" would widen the pattern's number if it took part in the merge.
        PiiResult result = analyzer(
                        RedactionPolicy.builder(KNOWN).threshold(0.5).build())
                .analyze(text, List.of(model("PHONE", 0.2, text, 0, 8)));
        assertThat(result.text()).isEqualTo("call <PHONE> today");
        assertThat(result.entities()).extracting(Entity::source).containsExactly("pattern:phone");
    }

    @Test
    void leavesAllowedValuesAndTextWithoutPersonalDataAsTheyAre() {
        String text = "write to support@example.com or see www.example.com";
        RedactionPolicy policy = RedactionPolicy.builder(KNOWN)
                .allow("support@example.com")
                .allowRegex("www\\.example\\.(com|org)")
                .build();
        assertThat(analyzer(policy).analyze(text, List.of())).isEqualTo(new PiiResult(text, List.of()));
        assertThat(analyzer(policy).analyze("", List.of())).isEqualTo(new PiiResult("", List.of()));
        assertThat(analyzer(policy).analyze(" 😀 ", List.of()).text()).isEqualTo(" 😀 ");
    }

    @Test
    void runsOnlyTheEnabledRecognizers() {
        String text = "a@b.de from 10.0.0.1";
        PiiAnalyzer emailOnly = new PiiAnalyzer(
                new PatternRecognizers(List.of("EMAIL"), List.of()),
                SpanMerger.standard(),
                RedactionPolicy.builder(KNOWN).build());
        assertThat(emailOnly.analyze(text, List.of()).text()).isEqualTo("<EMAIL> from 10.0.0.1");
    }

    @Test
    void refusesTokenLevelModelEntities() {
        Entity token = new Entity("B-GIVEN_NAME", false, 0.9, 1, "Jo", 0, 2, Entity.MODEL);
        assertThatThrownBy(
                        () -> analyzer(RedactionPolicy.builder(KNOWN).build()).analyze("Jo", List.of(token)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("grouped by type")
                .hasMessageContaining("B-GIVEN_NAME");
    }

    @Test
    void worksTheSameAfterSerialization() throws Exception {
        RedactionPolicy policy = RedactionPolicy.builder(KNOWN)
                .operator("PHONE", new Mask('*', 4, true))
                .operator("EMAIL", new Hash("s3cret"))
                .build();
        PiiAnalyzer analyzer = analyzer(policy);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(analyzer);
        }
        PiiAnalyzer copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (PiiAnalyzer) in.readObject();
        }
        String text = "jo@example.com or +1 202-555-0143";
        PiiResult result = copy.analyze(text, List.of());
        assertThat(result).isEqualTo(analyzer.analyze(text, List.of()));
        assertThat(result.text()).endsWith(" or +1 202-555-****").doesNotContain("jo@example.com");
    }
}
