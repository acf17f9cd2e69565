package io.torchstream.internal.pii;

import com.google.i18n.phonenumbers.PhoneNumberUtil;

import io.torchstream.internal.task.Entity;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which pattern recognizers run, and the regions whose national phone numbers they know; this is
 * what travels with a job, the recognizers are built where it runs ({@link #build}).
 *
 * @param types the entity types to find, of {@link #TYPES} (upper case; parsed case-insensitively)
 * @param phoneRegions ISO 3166 region codes for numbers written without a country code, in order of
 *     preference; only read when {@code PHONE} is a type
 */
public record PatternRecognizers(List<String> types, List<String> phoneRegions) implements Serializable {

    /** The types there is a recognizer for. */
    public static final List<String> TYPES = List.of("EMAIL", "URL", "IP_ADDRESS", "CREDIT_CARD", "IBAN", "PHONE");

    /** Regions whose national numbers are looked for unless told otherwise. */
    public static final List<String> DEFAULT_PHONE_REGIONS = List.of("US", "GB", "DE", "FR", "ES", "IT", "NL");

    /** @throws IllegalArgumentException naming an unknown type or region, and the known types */
    public PatternRecognizers {
        Set<String> distinct = new LinkedHashSet<>();
        for (String type : types) {
            String upper = type.strip().toUpperCase(Locale.ROOT);
            if (!TYPES.contains(upper)) {
                throw new IllegalArgumentException(
                        "unknown pattern type '" + type + "'; known: " + String.join(", ", TYPES));
            }
            distinct.add(upper);
        }
        types = List.copyOf(distinct);
        Set<String> regions = new LinkedHashSet<>();
        Set<String> supported = PhoneNumberUtil.getInstance().getSupportedRegions();
        for (String region : phoneRegions) {
            String upper = region.strip().toUpperCase(Locale.ROOT);
            if (!supported.contains(upper)) {
                throw new IllegalArgumentException("unknown phone region '" + region
                        + "'; expected an ISO 3166 code such as " + String.join(", ", DEFAULT_PHONE_REGIONS));
            }
            regions.add(upper);
        }
        phoneRegions = List.copyOf(regions);
        if (types.contains("PHONE") && phoneRegions.isEmpty()) {
            throw new IllegalArgumentException("the PHONE pattern needs at least one phone region");
        }
    }

    /** Every recognizer, with the default phone regions. */
    public static PatternRecognizers all() {
        return new PatternRecognizers(TYPES, DEFAULT_PHONE_REGIONS);
    }

    /** No recognizer: only the model's entities are redacted. */
    public static PatternRecognizers none() {
        return new PatternRecognizers(List.of(), DEFAULT_PHONE_REGIONS);
    }

    /** The recognizers, in the order of {@link #types}. */
    List<PatternRecognizer> build() {
        List<PatternRecognizer> recognizers = new ArrayList<>();
        for (String type : types) {
            recognizers.add(
                    switch (type) {
                        case "EMAIL" -> new EmailRecognizer();
                        case "URL" -> new UrlRecognizer();
                        case "IP_ADDRESS" -> new IpAddressRecognizer();
                        case "CREDIT_CARD" -> new CreditCardRecognizer();
                        case "IBAN" -> new IbanRecognizer();
                        case "PHONE" -> new PhoneRecognizer(phoneRegions);
                        default -> throw new IllegalStateException("no recognizer for " + type);
                    });
        }
        return recognizers;
    }

    /** Every recognizer's matches, in the order of {@link #types}, then of start; they may overlap. */
    static List<Entity> find(List<PatternRecognizer> recognizers, String text) {
        List<Entity> found = new ArrayList<>();
        for (PatternRecognizer recognizer : recognizers) {
            found.addAll(recognizer.find(text));
        }
        return found;
    }
}
