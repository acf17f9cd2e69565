package io.torchstream.internal.pii;

import io.torchstream.internal.task.Entity;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The model's and the pattern recognizers' spans of one text, merged into one list sorted by start in
 * which no two spans overlap, as redaction needs it.
 *
 * <p>Strength, strongest first:
 *
 * <ol>
 *   <li>patterns validated by a check digit: {@code CREDIT_CARD}, {@code IBAN};
 *   <li>other validated patterns: {@code EMAIL}, {@code URL}, {@code IP_ADDRESS} (and any pattern type
 *       not named here);
 *   <li>the model's names and identifiers, which it tells from context: {@code GIVEN_NAME}, {@code
 *       SURNAME}, {@code TAX_ID}, {@code BANK_ACCOUNT}, {@code ROUTING_NUMBER}, {@code GOVERNMENT_ID},
 *       {@code PASSPORT}, {@code DRIVERS_LICENSE};
 *   <li>the {@code PHONE} pattern, weaker than those because some region's numbering plan admits many a
 *       number (a US social security number is a valid German phone number);
 *   <li>the model's other types (its {@code EMAIL}, {@code PHONE}, {@code URL}, the address parts) and
 *       any label not named here.
 * </ol>
 *
 * Within a rank the longer span is the stronger, then the surer, then the earlier. A span is a
 * pattern's when its source starts with {@code pattern:}. The names and identifiers are the
 * constructor's; those listed are {@link #standard()}'s.
 *
 * <p>The rules, applied in this order:
 *
 * <ol>
 *   <li><b>One type, one span.</b> Spans of one type that overlap or touch become their union, with the
 *       highest score and the strongest one's source. So the model's fragments of an e-mail address and
 *       the pattern's whole address become the one address, found by the pattern.
 *   <li><b>The stronger wins.</b> Of two overlapping spans of different types, the stronger keeps its
 *       extent, type, score and source. The weaker loses what overlaps; what lies outside is kept, as
 *       spans of the weaker's type trimmed to their first and last letter or digit, so that
 *       nothing any recognizer flagged is left readable, but no span is made of punctuation alone. A
 *       span nested in a stronger one vanishes.
 *   <li><b>A name is never cut.</b> Where a name is the weaker of two overlapping spans, it is not
 *       trimmed: the two become their union, with the stronger's type, score and source, so a name is
 *       always redacted whole (half a name, masked or hashed, would give the other half away or break
 *       its pseudonym). A name nested in a stronger span vanishes, as in rule 2.
 *   <li>Spans of one type that touch after rules 2 and 3 become one, as in rule 1.
 * </ol>
 *
 * Empty spans are dropped; the merged spans' {@code word} is their slice of the text.
 */
public final class SpanMerger implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The PII model's name labels. */
    public static final Set<String> NAMES = Set.of("GIVEN_NAME", "SURNAME");

    /** The PII model's identifier labels, which its context tells better than the phone pattern. */
    public static final Set<String> IDENTIFIERS =
            Set.of("TAX_ID", "BANK_ACCOUNT", "ROUTING_NUMBER", "GOVERNMENT_ID", "PASSPORT", "DRIVERS_LICENSE");

    private static final Set<String> CHECKSUM_PATTERNS = Set.of("CREDIT_CARD", "IBAN");
    private static final String PATTERN_SOURCE = "pattern:";

    private final Set<String> names;
    private final Set<String> identifiers;

    /**
     * @param names the model's labels of names, which are never cut
     * @param identifiers the model's labels that rank above the phone pattern (names do too)
     */
    public SpanMerger(Set<String> names, Set<String> identifiers) {
        this.names = Set.copyOf(names);
        this.identifiers = Set.copyOf(identifiers);
    }

    /** A merger for the PII model's labels ({@link #NAMES}, {@link #IDENTIFIERS}). */
    public static SpanMerger standard() {
        return new SpanMerger(NAMES, IDENTIFIERS);
    }

    /**
     * @param text the text the spans are of
     * @param entities the model's and the patterns' spans, in any order, overlapping or not
     * @return the merged spans, sorted by start, none overlapping another
     * @throws IllegalArgumentException if a span lies outside the text
     */
    public List<Entity> merge(String text, List<Entity> entities) {
        int[] codePoints = text.codePoints().toArray();
        List<Entity> spans = new ArrayList<>();
        for (Entity e : entities) {
            if (e.start() < 0 || e.end() > codePoints.length || e.start() > e.end()) {
                throw new IllegalArgumentException(e.label() + " [" + e.start() + ", " + e.end()
                        + ") lies outside the text of " + codePoints.length + " code points");
            }
            if (e.start() < e.end()) {
                spans.add(e);
            }
        }
        spans = coalesce(spans, codePoints);
        spans.sort(strongestFirst());
        // Placed strongest first, each span meets only stronger ones; order remembers how strong.
        List<Placed> placed = new ArrayList<>();
        for (int order = 0; order < spans.size(); order++) {
            place(spans.get(order), order, placed, codePoints);
        }
        return coalesce(placed.stream().map(Placed::span).toList(), codePoints);
    }

    /** A span placed in the result, and the strength order of the span it came from (0 the strongest). */
    private record Placed(Entity span, int order) {}

    private void place(Entity weaker, int order, List<Placed> placed, int[] text) {
        List<Placed> overlapping = new ArrayList<>();
        for (Placed p : placed) {
            if (p.span().start() < weaker.end() && weaker.start() < p.span().end()) {
                overlapping.add(p);
            }
        }
        if (overlapping.isEmpty()) {
            placed.add(new Placed(weaker, order));
        } else if (names.contains(weaker.label())) {
            // The union swallows every overlapping span whole, and is the strongest of them.
            Placed strongest = overlapping.get(0);
            int start = weaker.start();
            int end = weaker.end();
            for (Placed p : overlapping) {
                start = Math.min(start, p.span().start());
                end = Math.max(end, p.span().end());
                strongest = p.order() < strongest.order() ? p : strongest;
            }
            placed.removeAll(overlapping);
            placed.add(new Placed(span(strongest.span(), start, end, text), strongest.order()));
        } else {
            int from = weaker.start();
            overlapping.sort(Comparator.comparingInt(p -> p.span().start()));
            for (Placed p : overlapping) {
                addTrimmed(weaker, order, from, p.span().start(), placed, text);
                from = Math.max(from, p.span().end());
            }
            addTrimmed(weaker, order, from, weaker.end(), placed, text);
        }
    }

    /** Adds {@code text[start, end)} as a span of {@code of}'s type, less leading and trailing non-alphanumerics. */
    private static void addTrimmed(Entity of, int order, int start, int end, List<Placed> placed, int[] text) {
        while (start < end && !Character.isLetterOrDigit(text[start])) {
            start++;
        }
        while (end > start && !Character.isLetterOrDigit(text[end - 1])) {
            end--;
        }
        if (start < end) {
            placed.add(new Placed(span(of, start, end, text), order));
        }
    }

    /** Unions of the spans of one type that overlap or touch, sorted by start. */
    private List<Entity> coalesce(List<Entity> spans, int[] text) {
        Map<String, List<Entity>> byType = new LinkedHashMap<>();
        for (Entity e : spans) {
            byType.computeIfAbsent(e.label(), k -> new ArrayList<>()).add(e);
        }
        List<Entity> merged = new ArrayList<>();
        for (List<Entity> ofType : byType.values()) {
            ofType.sort(Comparator.comparingInt(Entity::start));
            Entity run = null;
            for (Entity e : ofType) {
                if (run != null && e.start() <= run.end()) {
                    Entity source = rank(e) < rank(run) ? e : run;
                    run = new Entity(
                            run.label(),
                            true,
                            Math.max(run.score(), e.score()),
                            -1,
                            slice(text, run.start(), Math.max(run.end(), e.end())),
                            run.start(),
                            Math.max(run.end(), e.end()),
                            source.source());
                } else {
                    if (run != null) {
                        merged.add(run);
                    }
                    run = e;
                }
            }
            merged.add(run);
        }
        merged.sort(Comparator.comparingInt(Entity::start));
        return merged;
    }

    private Comparator<Entity> strongestFirst() {
        return Comparator.comparingInt(this::rank)
                .thenComparing(Comparator.comparingInt((Entity e) -> e.end() - e.start())
                        .reversed())
                .thenComparing(Comparator.comparingDouble(Entity::score).reversed())
                .thenComparingInt(Entity::start);
    }

    /** The span's rank in the strength order of the class comment, 0 the strongest. */
    private int rank(Entity e) {
        if (e.source().startsWith(PATTERN_SOURCE)) {
            if (CHECKSUM_PATTERNS.contains(e.label())) {
                return 0;
            }
            return e.label().equals("PHONE") ? 3 : 1;
        }
        return names.contains(e.label()) || identifiers.contains(e.label()) ? 2 : 4;
    }

    private static Entity span(Entity of, int start, int end, int[] text) {
        if (start == of.start() && end == of.end()) {
            return of;
        }
        return new Entity(of.label(), true, of.score(), -1, slice(text, start, end), start, end, of.source());
    }

    private static String slice(int[] codePoints, int start, int end) {
        return new String(codePoints, start, end - start);
    }
}
