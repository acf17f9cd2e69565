package io.torchstream.internal.session;

import io.torchstream.internal.pii.PatternRecognizers;
import io.torchstream.internal.pii.PiiAnalyzer;
import io.torchstream.internal.pii.RedactionPolicy;
import io.torchstream.internal.pii.SpanMerger;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * PII detection and redaction as configured ({@link RedactionOptions#read}), checked alone; the entity types
 * are checked against the bundle's labels when the bundle is known.
 *
 * @param enabled whether texts are redacted (and patterns run) at all
 * @param patterns the pattern recognizers that run beside the model, by type (EMAIL, IBAN, ...)
 * @param phoneRegions libphonenumber's regions for numbers written without a country code
 * @param threshold the lowest score an entity of any type needs to be reported and redacted
 * @param allow texts that are never redacted: exact strings
 * @param allowRegex texts that are never redacted: regular expressions matching the whole entity
 * @param defaultOperator what is done to an entity whose type has no operator of its own
 * @param types per entity type: an operator and a threshold, each optional
 * @param salt the secret that {@code hash} prefixes, or null when no operator hashes
 */
public record RedactionSettings(
        boolean enabled,
        List<String> patterns,
        List<String> phoneRegions,
        double threshold,
        List<String> allow,
        List<String> allowRegex,
        Operator defaultOperator,
        Map<String, TypeSettings> types,
        String salt)
        implements Serializable {

    /**
     * An operator as written: a name ({@code replace}, {@code mask}, {@code hash}, {@code redact}, {@code
     * keep}) and its parameters, with the option each came from for messages.
     *
     * @param name the operator's name
     * @param template for replace: the text put instead, {@code {type}} standing for the entity type
     * @param maskChar for mask: the one character put instead of each masked one
     * @param maskCount for mask: how many characters are masked; 0 masks the whole entity
     * @param maskFromEnd for mask: whether the masked characters are the last ones
     * @param key the option that named the operator, for messages
     */
    public record Operator(
            String name, String template, String maskChar, int maskCount, boolean maskFromEnd, String key)
            implements Serializable {

        /** The operator itself; {@code salt} is the settings', for hash. */
        public io.torchstream.internal.pii.Operator build(String salt) {
            return io.torchstream.internal.pii.Operator.parse(
                    name,
                    new io.torchstream.internal.pii.Operator.Settings(
                            template,
                            maskChar.charAt(0),
                            maskCount == 0 ? Integer.MAX_VALUE : maskCount,
                            maskFromEnd,
                            salt));
        }
    }

    /**
     * One entity type's own settings.
     *
     * @param operator its operator, or null for the default one
     * @param threshold its score threshold, or null for the global one
     */
    public record TypeSettings(Operator operator, Double threshold) implements Serializable {
        public Optional<Operator> operatorIfSet() {
            return Optional.ofNullable(operator);
        }
    }

    public RedactionSettings {
        patterns = List.copyOf(patterns);
        phoneRegions = List.copyOf(phoneRegions);
        allow = List.copyOf(allow);
        allowRegex = List.copyOf(allowRegex);
        types = Map.copyOf(types);
    }

    /** Redaction off. */
    public static RedactionSettings off() {
        return new RedactionSettings(
                false,
                List.of(),
                List.of(),
                0.0,
                List.of(),
                List.of(),
                new Operator("replace", "<{type}>", "*", 0, false, "redact.operator"),
                Map.of(),
                null);
    }

    /**
     * The analyzer these settings describe, for a model whose entity types are {@code modelTypes}.
     *
     * @throws IllegalArgumentException where the settings and the types disagree (a type neither gives)
     */
    public PiiAnalyzer analyzer(Set<String> modelTypes) {
        Set<String> known = new TreeSet<>(modelTypes);
        known.addAll(patterns);
        RedactionPolicy.Builder policy = RedactionPolicy.builder(known)
                .defaultOperator(defaultOperator.build(salt))
                .threshold(threshold);
        types.forEach((type, settings) -> {
            if (settings.operator() != null) {
                policy.operator(type, settings.operator().build(salt));
            }
            if (settings.threshold() != null) {
                policy.threshold(type, settings.threshold());
            }
        });
        allow.forEach(policy::allow);
        allowRegex.forEach(policy::allowRegex);
        return new PiiAnalyzer(new PatternRecognizers(patterns, phoneRegions), SpanMerger.standard(), policy.build());
    }

    /** Never shows the salt: settings are logged and shown in the job graph. */
    @Override
    public String toString() {
        return "RedactionSettings[enabled=" + enabled + ", patterns=" + patterns + ", phoneRegions=" + phoneRegions
                + ", threshold=" + threshold + ", allow=" + allow.size() + " strings, allowRegex=" + allowRegex
                + ", defaultOperator=" + defaultOperator + ", types=" + types + ", salt="
                + (salt == null ? "none" : "(hidden)") + "]";
    }
}
