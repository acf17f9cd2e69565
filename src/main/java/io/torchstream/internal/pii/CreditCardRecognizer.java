package io.torchstream.internal.pii;

import io.torchstream.internal.task.Entity;

import org.apache.commons.validator.routines.CodeValidator;
import org.apache.commons.validator.routines.CreditCardValidator;
import org.apache.commons.validator.routines.CreditCardValidator.CreditCardRange;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Payment card numbers of 13 to 19 digits, bare or in groups split by spaces or dashes, whose issuer
 * prefix and length match a known scheme and whose Luhn check digit is right ({@link CreditCardValidator}).
 */
final class CreditCardRecognizer implements PatternRecognizer {

    // Bare, or groups of one separator throughout: 4-4-4-4, 4-6-5 (Amex), 4-4-4-4-3, 4-4-5. A longer
    // run of digits or of groups is no card, so the candidate may neither start nor end inside one;
    // a shorter number before or after ("room 12", "exp 12/29") is no group.
    private static final Pattern CANDIDATE = Pattern.compile("(?<![\\p{L}\\p{N}_]|\\p{N}{4}[ -])"
            + "(?:\\d{13,19}|\\d{4}([ -])\\d{4,6}(?:\\1\\d{1,6}){1,3})(?![\\p{L}\\p{N}_]|[ -]\\p{N}{4})");

    private static final Pattern SEPARATORS = Pattern.compile("[ -]");

    // Every scheme's validator checks the Luhn digit: the library's issuers (Amex, Visa, Mastercard,
    // Discover, Diners, V Pay) and, by range, JCB, UnionPay and Maestro, which it does not list.
    private static final CreditCardValidator VALIDATOR = new CreditCardValidator(
            new CodeValidator[] {
                CreditCardValidator.AMEX_VALIDATOR,
                CreditCardValidator.VISA_VALIDATOR,
                CreditCardValidator.MASTERCARD_VALIDATOR,
                CreditCardValidator.DISCOVER_VALIDATOR,
                CreditCardValidator.DINERS_VALIDATOR,
                CreditCardValidator.VPAY_VALIDATOR
            },
            new CreditCardRange[] {
                new CreditCardRange("3528", "3589", 16, 19), // JCB
                new CreditCardRange("62", "62", 16, 19), // UnionPay
                new CreditCardRange("50", "50", 13, 19), // Maestro
                new CreditCardRange("56", "58", 13, 19), // Maestro
                new CreditCardRange("63", "63", 13, 19), // Maestro
                new CreditCardRange("67", "67", 13, 19) // Maestro
            });

    @Override
    public String name() {
        return "credit_card";
    }

    @Override
    public String label() {
        return "CREDIT_CARD";
    }

    @Override
    public List<Entity> find(String text) {
        Matches matches = new Matches(text, this);
        Matcher m = CANDIDATE.matcher(text);
        while (m.find()) {
            String digits = SEPARATORS.matcher(m.group()).replaceAll("");
            if (digits.length() >= 13 && digits.length() <= 19 && VALIDATOR.isValid(digits)) {
                matches.add(m.start(), m.end());
            }
        }
        return matches.list();
    }
}
