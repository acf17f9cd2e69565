package io.torchstream.internal.pii;

import io.torchstream.internal.task.Entity;

import org.apache.commons.validator.routines.IBANValidator;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * International bank account numbers, bare or in groups of four split by spaces, whose country's
 * format and mod-97 check digits are right ({@link IBANValidator}).
 */
final class IbanRecognizer implements PatternRecognizer {

    // A country code, two check digits, then groups of four and a shorter last one; IBANs are 15 to 34
    // characters. Lower case is accepted, and upper-cased for the validator.
    private static final Pattern CANDIDATE = Pattern.compile(
            "(?<![\\p{L}\\p{N}_])[A-Z]{2}\\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![\\p{L}\\p{N}_])",
            Pattern.CASE_INSENSITIVE);

    private final IBANValidator validator = IBANValidator.getInstance();

    @Override
    public String name() {
        return "iban";
    }

    @Override
    public String label() {
        return "IBAN";
    }

    @Override
    public List<Entity> find(String text) {
        Matches matches = new Matches(text, this);
        // Transparent bounds: after a shortened match the search goes on from its end, still seeing what precedes.
        Matcher m = CANDIDATE.matcher(text).useTransparentBounds(true);
        while (m.find()) {
            // In groups, the candidate may have taken a word after the number ("DE89 ... 00 AB"): the
            // longest valid prefix that ends at a group wins.
            for (int end = m.end(); end > m.start(); end = text.lastIndexOf(' ', end - 1)) {
                String iban = text.substring(m.start(), end).replace(" ", "").toUpperCase(Locale.ROOT);
                if (validator.isValid(iban)) {
                    matches.add(m.start(), end);
                    m.region(end, text.length());
                    break;
                }
            }
        }
        return matches.list();
    }
}
