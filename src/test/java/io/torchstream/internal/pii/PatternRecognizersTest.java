package io.torchstream.internal.pii;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.torchstream.internal.task.Entity;

import org.junit.jupiter.api.Test;

import java.util.List;

class PatternRecognizersTest {

    @Test
    void buildsTheEnabledRecognizersInOrderFromTypeNamesInAnyCase() {
        PatternRecognizers config = new PatternRecognizers(List.of(" iban", "Email", "EMAIL"), List.of("us"));
        assertThat(config.types()).containsExactly("IBAN", "EMAIL");
        assertThat(config.phoneRegions()).containsExactly("US");
        assertThat(config.build()).extracting(PatternRecognizer::label).containsExactly("IBAN", "EMAIL");
        assertThat(PatternRecognizers.all().build())
                .extracting(PatternRecognizer::name)
                .containsExactly("email", "url", "ip_address", "credit_card", "iban", "phone");
        assertThat(PatternRecognizers.none().build()).isEmpty();
    }

    @Test
    void refusesAnUnknownTypeNamingItAndTheKnownOnes() {
        assertThatThrownBy(() -> new PatternRecognizers(List.of("EMAIL", "SSN"), List.of("US")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown pattern type 'SSN'; known: EMAIL, URL, IP_ADDRESS, CREDIT_CARD, IBAN, PHONE");
    }

    @Test
    void refusesAnUnknownRegionAndPhonesWithoutRegions() {
        assertThatThrownBy(() -> new PatternRecognizers(List.of("PHONE"), List.of("US", "XX")))
                .hasMessageStartingWith("unknown phone region 'XX'");
        assertThatThrownBy(() -> new PatternRecognizers(List.of("PHONE"), List.of()))
                .hasMessage("the PHONE pattern needs at least one phone region");
        assertThat(new PatternRecognizers(List.of("EMAIL"), List.of()).build()).hasSize(1);
    }

    @Test
    void theValidatorsRunWithoutTheValidationFrameworksExcludedDependencies() {
        // pom.xml excludes them; every recognizer's test ran without them, so the routines need neither.
        for (String absent :
                List.of("org.apache.commons.beanutils.PropertyUtils", "org.apache.commons.digester.Digester")) {
            assertThatThrownBy(() -> Class.forName(absent)).isInstanceOf(ClassNotFoundException.class);
        }
        assertThat(PatternRecognizers.find(PatternRecognizers.all().build(), "a@b.de 4111111111111111"))
                .hasSize(2);
    }

    @Test
    void findsEveryRecognizersMatchesWhichMayOverlap() {
        String text = "mail a@b.de or card 4111 1111 1111 1111";
        List<Entity> found = PatternRecognizers.find(PatternRecognizers.all().build(), text);
        assertThat(found).extracting(Entity::label).contains("EMAIL", "CREDIT_CARD");
        assertThat(found).extracting(Entity::source).allMatch(s -> s.startsWith("pattern:"));
    }
}
