package io.torchstream.internal.pii;

import io.torchstream.internal.task.Entity;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Personal data in a text, found by the model and the pattern recognizers, merged and redacted: what
 * the session calls once per text after the model has tagged it. Serializable, to travel inside a
 * job's function; safe to share between threads.
 */
public final class PiiAnalyzer implements Serializable {

    private static final long serialVersionUID = 1L;

    private final PatternRecognizers patterns;
    private final SpanMerger merger;
    private final RedactionPolicy policy;

    // Rebuilt where the analyzer is deserialized: libphonenumber's tables are no part of the job.
    private final transient List<PatternRecognizer> recognizers;

    public PiiAnalyzer(PatternRecognizers patterns, SpanMerger merger, RedactionPolicy policy) {
        this.patterns = Objects.requireNonNull(patterns, "patterns");
        this.merger = Objects.requireNonNull(merger, "merger");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.recognizers = patterns.build();
    }

    /**
     * @param text the text
     * @param modelEntities the model's entities of {@code text}, grouped by type (code-point offsets)
     * @return the redacted text, and the entities redacted or kept, with their source
     * @throws IllegalArgumentException if a model entity is a token's rather than a group's
     */
    public PiiResult analyze(String text, List<Entity> modelEntities) {
        List<Entity> candidates = new ArrayList<>();
        for (Entity e : modelEntities) {
            if (!e.grouped()) {
                throw new IllegalArgumentException("PII redaction needs the model's entities grouped by type"
                        + " (an aggregation other than none), got the token label " + e.label());
            }
            candidates.add(e);
        }
        candidates.addAll(PatternRecognizers.find(recognizers, text));
        // Ignored entities take no part in the merge: they neither win over nor widen a redacted one.
        candidates.removeIf(e -> !policy.admits(e));
        return policy.redact(text, merger.merge(text, candidates));
    }

    private Object readResolve() {
        return new PiiAnalyzer(patterns, merger, policy);
    }
}
