package io.torchstream.internal.pii;

import com.google.i18n.phonenumbers.PhoneNumberMatch;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.Leniency;

import io.torchstream.internal.task.Entity;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Phone numbers valid in the numbering plan of their country: international ones anywhere, national
 * ones as dialled in any of the default regions (libphonenumber's {@code findNumbers}, leniency VALID).
 */
final class PhoneRecognizer implements PatternRecognizer {

    private final PhoneNumberUtil util = PhoneNumberUtil.getInstance();
    private final List<String> regions;

    /** @param regions ISO 3166 region codes, in order of preference, checked by {@link PatternRecognizers} */
    PhoneRecognizer(List<String> regions) {
        this.regions = List.copyOf(regions);
    }

    @Override
    public String name() {
        return "phone";
    }

    @Override
    public String label() {
        return "PHONE";
    }

    @Override
    public List<Entity> find(String text) {
        List<PhoneNumberMatch> all = new ArrayList<>();
        for (String region : regions) {
            util.findNumbers(text, region, Leniency.VALID, Long.MAX_VALUE).forEach(all::add);
        }
        // An international number is found under every region, a national one maybe under several,
        // not always with the same extent: of overlapping matches the longest (then the first) is kept.
        all.sort(Comparator.comparingInt(PhoneNumberMatch::start)
                .thenComparing(Comparator.comparingInt(PhoneNumberMatch::end).reversed()));
        Matches matches = new Matches(text, this);
        PhoneNumberMatch kept = null;
        for (PhoneNumberMatch match : all) {
            if (kept != null && match.start() < kept.end()) {
                if (match.end() - match.start() > kept.end() - kept.start()) {
                    kept = match;
                }
                continue;
            }
            if (kept != null) {
                matches.add(kept.start(), kept.end());
            }
            kept = match;
        }
        if (kept != null) {
            matches.add(kept.start(), kept.end());
        }
        return matches.list();
    }
}
