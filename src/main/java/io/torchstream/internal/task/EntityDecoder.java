package io.torchstream.internal.task;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Per-token scores to entities, exactly as transformers' {@code TokenClassificationPipeline} does
 * (gather_pre_entities, aggregate, group_entities, aggregate_overlapping_entities), except that an
 * entity's {@code word} is the slice of the original text rather than re-joined tokens, which lose
 * case and accents.
 */
public final class EntityDecoder {

    private final List<String> labels;
    private final Set<String> ignoreLabels;
    private final Aggregation aggregation;
    private final boolean wordAwareTokenizer;
    private final long unkTokenId;

    /**
     * @param labels the model's labels in output order
     * @param ignoreLabels labels that mean "no entity" (the pipeline's ignore_labels, ["O"])
     * @param aggregation the strategy
     * @param wordAwareTokenizer whether the tokenizer marks word continuations (WordPiece's "##"): then
     *     a token whose spelling is not as long as its text continues a word; otherwise a token
     *     continues a word when no space precedes it
     * @param unkTokenId the unknown token's id (its text counts as a word of its own), or -1
     */
    public EntityDecoder(
            List<String> labels,
            Set<String> ignoreLabels,
            Aggregation aggregation,
            boolean wordAwareTokenizer,
            long unkTokenId) {
        this.labels = List.copyOf(labels);
        this.ignoreLabels = Set.copyOf(ignoreLabels);
        this.aggregation = aggregation;
        this.wordAwareTokenizer = wordAwareTokenizer;
        this.unkTokenId = unkTokenId;
    }

    /** One token's scores and where it lies; the pipeline's "pre-entity". */
    private record Token(double[] scores, int index, int start, int end, boolean subword) {}

    /** Entities of a text from its windows' per-token scores (one window unless the text was long). */
    public List<Entity> decode(String text, List<TokenScores> windows) {
        int[] codePoints = text.codePoints().toArray();
        List<Entity> all = new ArrayList<>();
        for (TokenScores window : windows) {
            for (Entity e : aggregate(tokens(codePoints, window), codePoints)) {
                if (!ignoreLabels.contains(e.label())) {
                    all.add(e);
                }
            }
        }
        return windows.size() > 1 ? mergeOverlapping(all) : all;
    }

    private List<Token> tokens(int[] text, TokenScores window) {
        List<Token> tokens = new ArrayList<>();
        var encoding = window.encoding();
        for (int i = 0; i < encoding.length(); i++) {
            if (encoding.isSpecial(i)) {
                continue;
            }
            int start = encoding.starts()[i];
            int end = encoding.ends()[i];
            double[] scores = new double[window.labels()];
            for (int l = 0; l < scores.length; l++) {
                scores[l] = window.score(i, l);
            }
            boolean subword;
            if (encoding.ids()[i] == unkTokenId) {
                subword = false;
            } else if (wordAwareTokenizer) {
                String token = encoding.tokens()[i];
                subword = token.codePointCount(0, token.length()) != end - start;
            } else {
                subword = start > 0 && text[start - 1] != ' ' && text[start] != ' ';
            }
            tokens.add(new Token(scores, i, start, end, subword));
        }
        return tokens;
    }

    private List<Entity> aggregate(List<Token> tokens, int[] text) {
        List<Entity> entities = new ArrayList<>();
        if (aggregation == Aggregation.NONE || aggregation == Aggregation.SIMPLE) {
            for (Token t : tokens) {
                int best = argmax(t.scores());
                entities.add(new Entity(
                        labels.get(best),
                        false,
                        t.scores()[best],
                        t.index(),
                        slice(text, t.start(), t.end()),
                        t.start(),
                        t.end(),
                        Entity.MODEL));
            }
            return aggregation == Aggregation.NONE ? entities : group(entities, text);
        }
        List<Token> word = new ArrayList<>();
        for (Token t : tokens) {
            if (!word.isEmpty() && !t.subword()) {
                entities.add(word(word, text));
                word = new ArrayList<>();
            }
            word.add(t);
        }
        if (!word.isEmpty()) {
            entities.add(word(word, text));
        }
        return group(entities, text);
    }

    private Entity word(List<Token> tokens, int[] text) {
        double[] scores;
        switch (aggregation) {
            case FIRST -> scores = tokens.get(0).scores();
            case MAX -> {
                Token best = tokens.get(0);
                for (Token t : tokens) {
                    if (t.scores()[argmax(t.scores())] > best.scores()[argmax(best.scores())]) {
                        best = t;
                    }
                }
                scores = best.scores();
            }
            case AVERAGE -> {
                scores = new double[tokens.get(0).scores().length];
                for (Token t : tokens) {
                    for (int l = 0; l < scores.length; l++) {
                        scores[l] += t.scores()[l];
                    }
                }
                for (int l = 0; l < scores.length; l++) {
                    scores[l] /= tokens.size();
                }
            }
            default -> throw new IllegalStateException(aggregation + " does not aggregate words");
        }
        int best = argmax(scores);
        int start = tokens.get(0).start();
        int end = tokens.get(tokens.size() - 1).end();
        return new Entity(labels.get(best), false, scores[best], -1, slice(text, start, end), start, end, Entity.MODEL);
    }

    /** Merges adjacent entities of one type; a B- label starts a new one. */
    private static List<Entity> group(List<Entity> entities, int[] text) {
        List<Entity> groups = new ArrayList<>();
        List<Entity> run = new ArrayList<>();
        for (Entity e : entities) {
            if (!run.isEmpty()) {
                String[] tag = tag(e.label());
                String[] last = tag(run.get(run.size() - 1).label());
                if (!(tag[1].equals(last[1]) && !tag[0].equals("B"))) {
                    groups.add(groupOf(run, text));
                    run = new ArrayList<>();
                }
            }
            run.add(e);
        }
        if (!run.isEmpty()) {
            groups.add(groupOf(run, text));
        }
        return groups;
    }

    private static Entity groupOf(List<Entity> run, int[] text) {
        String label = run.get(0).label();
        int dash = label.indexOf('-');
        String type = dash < 0 ? label : label.substring(dash + 1);
        double score = 0;
        for (Entity e : run) {
            score += e.score();
        }
        int start = run.get(0).start();
        int end = run.get(run.size() - 1).end();
        return new Entity(type, true, score / run.size(), -1, slice(text, start, end), start, end, Entity.MODEL);
    }

    /** The pipeline's get_tag: (B|I, type); a label without a B-/I- prefix continues like an I-. */
    private static String[] tag(String label) {
        if (label.startsWith("B-")) {
            return new String[] {"B", label.substring(2)};
        }
        if (label.startsWith("I-")) {
            return new String[] {"I", label.substring(2)};
        }
        return new String[] {"I", label};
    }

    /** Entities of overlapping windows: of overlapping entities, the longer (then the surer) wins. */
    static List<Entity> mergeOverlapping(List<Entity> entities) {
        if (entities.isEmpty()) {
            return entities;
        }
        List<Entity> sorted = new ArrayList<>(entities);
        sorted.sort(Comparator.comparingInt(Entity::start));
        List<Entity> merged = new ArrayList<>();
        Entity previous = sorted.get(0);
        for (Entity e : sorted) {
            if (previous.start() <= e.start() && e.start() < previous.end()) {
                int length = e.end() - e.start();
                int previousLength = previous.end() - previous.start();
                if (length > previousLength || length == previousLength && e.score() > previous.score()) {
                    previous = e;
                }
            } else {
                merged.add(previous);
                previous = e;
            }
        }
        merged.add(previous);
        return merged;
    }

    private static int argmax(double[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    private static String slice(int[] codePoints, int start, int end) {
        return new String(codePoints, start, end - start);
    }
}
