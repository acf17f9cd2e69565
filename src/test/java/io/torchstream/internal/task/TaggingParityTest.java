package io.torchstream.internal.task;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import io.torchstream.internal.bundle.ModelBundle;
import io.torchstream.internal.text.TextInput;
import io.torchstream.testing.Fixtures;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Set;

/**
 * Entities against transformers' TokenClassificationPipeline, for every aggregation strategy, both
 * token-classification fixtures and the committed PII model (models/pii-rampart), long texts (several
 * windows) included: the same spans, groups and
 * words, scores within 1e-4.
 */
class TaggingParityTest {

    /** The stride the fixtures' references were made with (torchstream_export.fixtures.TAGGING_STRIDE). */
    static final int STRIDE = 8;

    /** A reference's own stride where it records one (a committed model's: the tagger's default). */
    static int stride(JsonNode reference) {
        return reference.has("stride") ? reference.get("stride").asInt() : STRIDE;
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "bert-token-cls, none",
        "bert-token-cls, simple",
        "bert-token-cls, first",
        "bert-token-cls, average",
        "bert-token-cls, max",
        "roberta-token-cls, none",
        "roberta-token-cls, simple",
        "roberta-token-cls, first",
        "roberta-token-cls, average",
        "roberta-token-cls, max",
        "pii-rampart, none",
        "pii-rampart, simple",
        "pii-rampart, first",
        "pii-rampart, average",
        "pii-rampart, max"
    })
    void entitiesEqualThePipelines(String fixture, String strategy) {
        JsonNode reference = Fixtures.reference(fixture);
        ModelBundle bundle = Fixtures.bundle(fixture);
        List<TextInput> inputs = Fixtures.inputs(reference);
        try (TextModel model = TextModel.open(bundle, 1);
                TokenTagger tagger = TokenTagger.create(
                        bundle, model, Aggregation.fromId(strategy), stride(reference), Set.of("O"))) {
            List<Prediction> results = tagger.tag(inputs).results();
            int longTexts = 0;
            int entities = 0;
            for (int i = 0; i < inputs.size(); i++) {
                JsonNode expected =
                        reference.get("cases").get(i).get("entities").get(strategy);
                List<Entity> actual = ((Entities) results.get(i)).entities();
                String text = inputs.get(i).text();
                if (tagger.windows(inputs.get(i)) > 1) {
                    longTexts++;
                }
                assertThat(actual).as("entities of case %d %s", i, text).hasSize(expected.size());
                for (int k = 0; k < actual.size(); k++) {
                    JsonNode e = expected.get(k);
                    Entity a = actual.get(k);
                    String where = "case " + i + " entity " + k + " of " + text;
                    assertThat(a.label())
                            .as(where)
                            .isEqualTo(
                                    e.has("entity_group")
                                            ? e.get("entity_group").asText()
                                            : e.get("entity").asText());
                    assertThat(a.grouped()).as(where).isEqualTo(e.has("entity_group"));
                    assertThat(a.start()).as(where).isEqualTo(e.get("start").asInt());
                    assertThat(a.end()).as(where).isEqualTo(e.get("end").asInt());
                    assertThat(a.word()).as(where).isEqualTo(e.get("word").asText());
                    assertThat(a.score())
                            .as(where)
                            .isCloseTo(e.get("score").asDouble(), org.assertj.core.data.Offset.offset(1e-4));
                    if (e.has("index")) {
                        assertThat(a.index()).as(where).isEqualTo(e.get("index").asInt());
                    }
                }
                entities += actual.size();
            }
            assertThat(longTexts).as("texts longer than the traced length").isGreaterThanOrEqualTo(5);
            assertThat(entities).isPositive();
        }
    }
}
