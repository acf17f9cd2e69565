package io.torchstream.internal.pii;

import io.torchstream.internal.task.Entity;

import org.apache.commons.validator.routines.UrlValidator;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Web addresses with an http, https or ftp scheme, or starting {@code www.}, as {@link UrlValidator} accepts them. */
final class UrlRecognizer implements PatternRecognizer {

    private static final Pattern CANDIDATE = Pattern.compile(
            "(?<![\\p{L}\\p{N}_.@-])(?:(?:https?|ftp)://|www\\.)[^\\s<>\"'`]+", Pattern.CASE_INSENSITIVE);

    /** What ends a sentence or a clause, rather than the address, when it ends the candidate. */
    private static final String TRAILING = ".,;:!?'\"*";

    private final UrlValidator validator = new UrlValidator(new String[] {"http", "https", "ftp"});

    @Override
    public String name() {
        return "url";
    }

    @Override
    public String label() {
        return "URL";
    }

    @Override
    public List<Entity> find(String text) {
        Matches matches = new Matches(text, this);
        Matcher m = CANDIDATE.matcher(text);
        while (m.find()) {
            int end = trimmedEnd(text, m.start(), m.end());
            String url = text.substring(m.start(), end);
            if (validator.isValid(url.regionMatches(true, 0, "www.", 0, 4) ? "http://" + url : url)) {
                matches.add(m.start(), end);
            }
        }
        return matches.list();
    }

    /**
     * Drops punctuation that closes the sentence rather than the address, and a closing bracket that
     * opens nowhere in it: "(see https://x.org/a)." ends at "a", but ".../Foo_(bar)" keeps its ")".
     */
    private static int trimmedEnd(String text, int start, int end) {
        while (end > start) {
            char last = text.charAt(end - 1);
            if (TRAILING.indexOf(last) >= 0) {
                end--;
            } else if (last == ')' && unbalanced(text, start, end, '(', ')')
                    || last == ']' && unbalanced(text, start, end, '[', ']')
                    || last == '}' && unbalanced(text, start, end, '{', '}')) {
                end--;
            } else {
                break;
            }
        }
        return end;
    }

    private static boolean unbalanced(String text, int start, int end, char open, char close) {
        int depth = 0;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c == open) {
                depth++;
            } else if (c == close) {
                depth--;
            }
        }
        return depth < 0;
    }
}
