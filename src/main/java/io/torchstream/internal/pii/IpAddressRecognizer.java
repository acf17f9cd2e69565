package io.torchstream.internal.pii;

import io.torchstream.internal.task.Entity;

import org.apache.commons.validator.routines.InetAddressValidator;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** IPv4 and IPv6 addresses, as {@link InetAddressValidator} accepts them. */
final class IpAddressRecognizer implements PatternRecognizer {

    // A whole run of hex digits, dots and colons, not touching a letter, digit or underscore, is one
    // candidate: "1.2.3.4.5" (a version) or "v1.2.3.4" is no address, not even in part. A colon before
    // is a label's ("IP:10.0.0.1"), as a run never starts inside another.
    private static final Pattern CANDIDATE = Pattern.compile("(?<![\\p{L}\\p{N}_.])[0-9A-Fa-f.:]++(?![\\p{L}\\p{N}_])");

    private final InetAddressValidator validator = InetAddressValidator.getInstance();

    @Override
    public String name() {
        return "ip_address";
    }

    @Override
    public String label() {
        return "IP_ADDRESS";
    }

    @Override
    public List<Entity> find(String text) {
        Matches matches = new Matches(text, this);
        Matcher m = CANDIDATE.matcher(text);
        while (m.find()) {
            int end = m.end();
            // A dot or colon at the end may end the sentence ("at 10.0.0.1.") or belong to the
            // address ("2001:db8::"): the longest valid form wins.
            while (end > m.start()) {
                String candidate = text.substring(m.start(), end);
                if (plausible(candidate) && validator.isValid(candidate)) {
                    matches.add(m.start(), end);
                    break;
                }
                char last = text.charAt(end - 1);
                if (last != '.' && last != ':') {
                    break;
                }
                end--;
            }
        }
        return matches.list();
    }

    /** Cheap shape test before the validator: an IPv4 address has three dots, an IPv6 one two colons and a digit. */
    private static boolean plausible(String candidate) {
        int dots = 0;
        int colons = 0;
        boolean hexDigit = false;
        for (int i = 0; i < candidate.length(); i++) {
            char c = candidate.charAt(i);
            if (c == '.') {
                dots++;
            } else if (c == ':') {
                colons++;
            } else {
                hexDigit = true;
            }
        }
        // "::" alone is the unspecified address, but in prose it is punctuation.
        return colons == 0 ? dots == 3 : colons >= 2 && hexDigit;
    }
}
