package io.torchstream.internal.pii;

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
import java.util.Set;

class RedactionPolicyTest {

    static final Set<String> TYPES = Set.of("EMAIL", "GIVEN_NAME", "PHONE", "CREDIT_CARD");

    private static Entity entity(String label, double score, String word) {
        return new Entity(label, true, score, -1, word, 0, word.codePointCount(0, word.length()), Entity.MODEL);
    }

    @Test
    void givesEachTypeItsOperatorAndTheRestTheDefault() {
        RedactionPolicy policy = RedactionPolicy.builder(TYPES)
                .operator("CREDIT_CARD", new Mask('*', 12, false))
                .build();
        assertThat(policy.operator("CREDIT_CARD")).isEqualTo(new Mask('*', 12, false));
        assertThat(policy.operator("EMAIL")).isEqualTo(Operator.DEFAULT);
        assertThat(RedactionPolicy.builder(TYPES)
                        .defaultOperator(new Operator.Redact())
                        .build()
                        .operator("PHONE"))
                .isEqualTo(new Operator.Redact());
    }

    @Test
    void ignoresEntitiesBelowTheGlobalOrTheirTypesThreshold() {
        RedactionPolicy policy = RedactionPolicy.builder(TYPES)
                .threshold(0.5)
                .threshold("GIVEN_NAME", 0.9)
                .build();
        assertThat(policy.admits(entity("EMAIL", 0.5, "a@b.de"))).isTrue();
        assertThat(policy.admits(entity("EMAIL", 0.49, "a@b.de"))).isFalse();
        assertThat(policy.admits(entity("GIVEN_NAME", 0.89, "Jo"))).isFalse();
        assertThat(policy.admits(entity("GIVEN_NAME", 0.9, "Jo"))).isTrue();
        assertThat(policy.threshold("PHONE")).isEqualTo(0.5);
        assertThat(RedactionPolicy.builder(TYPES).build().admits(entity("PHONE", 0.0, "1")))
                .isTrue();
    }

    @Test
    void ignoresAllowedValuesExactlyOrByAWholeRegexMatch() {
        RedactionPolicy policy = RedactionPolicy.builder(TYPES)
                .allow("support@example.com")
                .allowRegex(".*@torchstream\\.io")
                .build();
        assertThat(policy.admits(entity("EMAIL", 1, "support@example.com"))).isFalse();
        assertThat(policy.admits(entity("EMAIL", 1, "Support@example.com"))).isTrue();
        assertThat(policy.admits(entity("EMAIL", 1, "dev@torchstream.io"))).isFalse();
        assertThat(policy.admits(entity("EMAIL", 1, "dev@torchstream.io.evil.com")))
                .isTrue();
    }

    @Test
    void refusesUnknownTypesNamingTheKnownOnes() {
        assertThatThrownBy(() -> RedactionPolicy.builder(TYPES).operator("SSN", Operator.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown entity type 'SSN'; known: CREDIT_CARD, EMAIL, GIVEN_NAME, PHONE");
        assertThatThrownBy(() -> RedactionPolicy.builder(TYPES).threshold("email", 0.5))
                .hasMessageStartingWith("unknown entity type 'email'");
    }

    @Test
    void refusesThresholdsOutsideZeroToOne() {
        assertThatThrownBy(() -> RedactionPolicy.builder(TYPES).threshold(1.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("threshold must be within [0, 1], got 1.5");
        assertThatThrownBy(() -> RedactionPolicy.builder(TYPES).threshold("EMAIL", -0.1))
                .hasMessage("threshold for EMAIL must be within [0, 1], got -0.1");
        assertThatThrownBy(() -> RedactionPolicy.builder(TYPES).threshold(Double.NaN))
                .hasMessage("threshold must be within [0, 1], got NaN");
    }

    @Test
    void refusesAnInvalidAllowRegex() {
        assertThatThrownBy(() -> RedactionPolicy.builder(TYPES).allowRegex("a(b"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("allow-list regex 'a(b' is invalid: ");
    }

    @Test
    void survivesSerializationAndNeverShowsTheSalt() throws Exception {
        RedactionPolicy policy = RedactionPolicy.builder(TYPES)
                .operator("EMAIL", new Hash("s3cret"))
                .threshold("PHONE", 0.7)
                .allowRegex("x+")
                .build();
        assertThat(policy.toString()).doesNotContain("s3cret").contains("EMAIL=Hash[salt=(hidden)]");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(policy);
        }
        RedactionPolicy copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (RedactionPolicy) in.readObject();
        }
        assertThat(copy.operator("EMAIL")).isEqualTo(new Hash("s3cret"));
        assertThat(copy.threshold("PHONE")).isEqualTo(0.7);
        assertThat(copy.admits(entity("EMAIL", 1, "xxx"))).isFalse();
    }
}
