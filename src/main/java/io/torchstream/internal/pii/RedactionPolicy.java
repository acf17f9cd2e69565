package io.torchstream.internal.pii;

import io.torchstream.internal.task.Entity;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which entities are redacted and how: an operator per type, score thresholds, and an allow list of
 * values that are no personal data here. Immutable, and serializable to travel inside a job's function.
 *
 * <p>An entity is <em>ignored</em> (neither redacted nor reported) when its score is below its type's
 * threshold (the global one unless the type has its own), or when its {@code word} equals an allowed
 * string or wholly matches an allowed regex.
 */
public final class RedactionPolicy implements Serializable {

    private static final long serialVersionUID = 1L;

    private final Operator defaultOperator;
    private final Map<String, Operator> operators;
    private final double threshold;
    private final Map<String, Double> thresholds;
    private final Set<String> allowed;
    private final List<Pattern> allowedPatterns;

    private RedactionPolicy(Builder b) {
        this.defaultOperator = b.defaultOperator;
        this.operators = Map.copyOf(b.operators);
        this.threshold = b.threshold;
        this.thresholds = Map.copyOf(b.thresholds);
        this.allowed = Set.copyOf(b.allowed);
        this.allowedPatterns = List.copyOf(b.allowedPatterns);
    }

    /**
     * A builder whose types must be of {@code knownTypes}: the model's labels (without B-/I-) and {@link
     * PatternRecognizers#TYPES}.
     */
    public static Builder builder(Set<String> knownTypes) {
        return new Builder(knownTypes);
    }

    /** The operator for entities of {@code type}. */
    public Operator operator(String type) {
        return operators.getOrDefault(type, defaultOperator);
    }

    /** The score below which entities of {@code type} are ignored. */
    public double threshold(String type) {
        return thresholds.getOrDefault(type, threshold);
    }

    /** Whether {@code entity} is redacted (or kept) and reported, rather than ignored. */
    public boolean admits(Entity entity) {
        if (entity.score() < threshold(entity.label()) || allowed.contains(entity.word())) {
            return false;
        }
        for (Pattern p : allowedPatterns) {
            if (p.matcher(entity.word()).matches()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Applies the operators to {@code text}: each admitted entity's span is replaced by its operator's
     * output; the text between is copied.
     *
     * @param entities spans of {@code text} in code points, in any order; the admitted ones must not
     *     overlap ({@link SpanMerger} makes them so); empty ones are ignored
     * @throws IllegalArgumentException if an entity lies outside the text, or two admitted ones overlap
     */
    public PiiResult redact(String text, List<Entity> entities) {
        int[] codePoints = text.codePoints().toArray();
        List<Entity> sorted = new ArrayList<>(entities);
        sorted.sort(Comparator.comparingInt(Entity::start).thenComparingInt(Entity::end));
        List<Entity> kept = new ArrayList<>();
        StringBuilder out = new StringBuilder(text.length());
        int copied = 0;
        for (Entity e : sorted) {
            if (e.start() < 0 || e.end() > codePoints.length || e.start() > e.end()) {
                throw new IllegalArgumentException(e.label() + " [" + e.start() + ", " + e.end()
                        + ") lies outside the text of " + codePoints.length + " code points");
            }
            if (e.start() == e.end() || !admits(e)) {
                continue;
            }
            if (e.start() < copied) {
                Entity previous = kept.get(kept.size() - 1);
                throw new IllegalArgumentException(e.label() + " [" + e.start() + ", " + e.end() + ") overlaps "
                        + previous.label() + " [" + previous.start() + ", " + previous.end()
                        + "); merge the spans first");
            }
            out.append(new String(codePoints, copied, e.start() - copied));
            String value = new String(codePoints, e.start(), e.end() - e.start());
            out.append(operator(e.label()).apply(e.label(), value));
            copied = e.end();
            kept.add(e);
        }
        out.append(new String(codePoints, copied, codePoints.length - copied));
        return new PiiResult(out.toString(), kept);
    }

    @Override
    public String toString() {
        return "RedactionPolicy[default=" + defaultOperator + ", operators=" + new TreeMap<>(operators)
                + ", threshold=" + threshold + ", thresholds=" + new TreeMap<>(thresholds) + ", allowed="
                + allowed.size() + " strings and " + allowedPatterns.size() + " regexes]";
    }

    /** Builds a {@link RedactionPolicy}, checking each setting as it is given. */
    public static final class Builder {

        private final Set<String> knownTypes;
        private Operator defaultOperator = Operator.DEFAULT;
        private final Map<String, Operator> operators = new HashMap<>();
        private double threshold;
        private final Map<String, Double> thresholds = new HashMap<>();
        private final Set<String> allowed = new LinkedHashSet<>();
        private final List<Pattern> allowedPatterns = new ArrayList<>();

        private Builder(Set<String> knownTypes) {
            this.knownTypes = new TreeSet<>(knownTypes);
        }

        /** The operator for types without their own ({@link Operator#DEFAULT} unless told). */
        public Builder defaultOperator(Operator operator) {
            this.defaultOperator = Objects.requireNonNull(operator, "operator");
            return this;
        }

        /** The operator for entities of {@code type}. */
        public Builder operator(String type, Operator operator) {
            operators.put(known(type), Objects.requireNonNull(operator, "operator"));
            return this;
        }

        /** The score below which entities of types without their own threshold are ignored (0 unless told). */
        public Builder threshold(double threshold) {
            this.threshold = checked(threshold, "threshold");
            return this;
        }

        /** The score below which entities of {@code type} are ignored. */
        public Builder threshold(String type, double threshold) {
            thresholds.put(known(type), checked(threshold, "threshold for " + type));
            return this;
        }

        /** A value that is no personal data: an entity whose word equals it is ignored. */
        public Builder allow(String value) {
            allowed.add(Objects.requireNonNull(value, "value"));
            return this;
        }

        /** A regex of values that are no personal data: an entity whose word wholly matches it is ignored. */
        public Builder allowRegex(String regex) {
            try {
                allowedPatterns.add(Pattern.compile(regex));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(
                        "allow-list regex '" + regex + "' is invalid: " + e.getDescription(), e);
            }
            return this;
        }

        /** The policy; the builder may go on to build others. */
        public RedactionPolicy build() {
            return new RedactionPolicy(this);
        }

        private String known(String type) {
            if (!knownTypes.contains(type)) {
                throw new IllegalArgumentException(
                        "unknown entity type '" + type + "'; known: " + String.join(", ", knownTypes));
            }
            return type;
        }

        private static double checked(double threshold, String what) {
            if (!(threshold >= 0 && threshold <= 1)) {
                throw new IllegalArgumentException(what + " must be within [0, 1], got " + threshold);
            }
            return threshold;
        }
    }
}
