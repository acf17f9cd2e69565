package io.torchstream.internal.pii;

import io.torchstream.internal.task.Entity;

import org.apache.commons.validator.routines.EmailValidator;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** E-mail addresses: a local part, an at sign and a dotted domain, as {@link EmailValidator} accepts them. */
final class EmailRecognizer implements PatternRecognizer {

    // RFC 5322's atext (and letters of any script, which the validator allows); the domain's labels
    // may be internationalized. The look-arounds keep a candidate from starting or ending inside a
    // longer run of such characters, so "x@b.dex1" is no "x@b.de" (a dot before is punctuation).
    private static final String ATOM = "[\\p{L}\\p{N}!#$%&'*+/=?^_`{|}~-]+";
    private static final String LABEL = "[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]*[\\p{L}\\p{N}])?";
    private static final Pattern CANDIDATE = Pattern.compile("(?<![\\p{L}\\p{N}!#$%&'*+/=?^_`{|}~-])" + ATOM + "(?:\\."
            + ATOM + ")*@(?:" + LABEL + "\\.)+\\p{L}{2,}(?![\\p{L}\\p{N}_-])");

    // No local addresses ("a@localhost"): in running text only a domain under a real TLD is an address.
    private final EmailValidator validator = EmailValidator.getInstance(false, false);

    @Override
    public String name() {
        return "email";
    }

    @Override
    public String label() {
        return "EMAIL";
    }

    @Override
    public List<Entity> find(String text) {
        Matches matches = new Matches(text, this);
        Matcher m = CANDIDATE.matcher(text);
        while (m.find()) {
            if (validator.isValid(m.group())) {
                matches.add(m.start(), m.end());
            }
        }
        return matches.list();
    }
}
