package io.torchstream.internal.session;

import io.torchstream.internal.pii.Operator;
import io.torchstream.internal.pii.PatternRecognizers;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The PII options of token-classification models, under {@code redact.}: the same keys in a job file, a
 * {@code CREATE MODEL} map and {@code ModelSpec.option}. Per-type settings are keys under {@code
 * redact.types.TYPE.}, as Flink's connectors take {@code properties.*}.
 */
public final class RedactionOptions {

    private RedactionOptions() {}

    /** Operator names, in the order messages list them. */
    public static final List<String> OPERATORS = Operator.NAMES;

    /** The pattern recognizers there are. */
    public static final List<String> PATTERN_TYPES = PatternRecognizers.TYPES;

    public static final ConfigOption<Boolean> ENABLED = ConfigOptions.key("redact.enabled")
            .booleanType()
            .defaultValue(false)
            .withDescription("For token-classification bundles: find personal data with the model and pattern"
                    + " recognizers, and emit each text redacted ('redacted') beside its entities.");

    public static final ConfigOption<List<String>> PATTERNS = ConfigOptions.key("redact.patterns")
            .stringType()
            .asList()
            .defaultValues(PATTERN_TYPES.toArray(new String[0]))
            .withDescription("The pattern recognizers that run beside the model, each validating what it finds:"
                    + " EMAIL, URL, IP_ADDRESS (v4 and v6), CREDIT_CARD (Luhn), IBAN (mod-97), PHONE (libphonenumber)."
                    + " An empty list runs the model alone (in SQL, ';'-separated).");

    public static final ConfigOption<List<String>> PHONE_REGIONS = ConfigOptions.key("redact.phone-regions")
            .stringType()
            .asList()
            .defaultValues(PatternRecognizers.DEFAULT_PHONE_REGIONS.toArray(new String[0]))
            .withDescription("ISO 3166 regions whose national formats PHONE recognises; numbers with a +country"
                    + " code are found whatever the list.");

    public static final ConfigOption<Double> THRESHOLD = ConfigOptions.key("redact.threshold")
            .doubleType()
            .defaultValue(0.0)
            .withDescription("The lowest score, 0 to 1, an entity needs to be reported and redacted;"
                    + " redact.types.TYPE.threshold overrides it for one type.");

    public static final ConfigOption<List<String>> ALLOW = ConfigOptions.key("redact.allow")
            .stringType()
            .asList()
            .defaultValues()
            .withDescription("Exact texts that are never redacted nor reported, such as a support address.");

    public static final ConfigOption<List<String>> ALLOW_REGEX = ConfigOptions.key("redact.allow-regex")
            .stringType()
            .asList()
            .defaultValues()
            .withDescription("Regular expressions (Java syntax): an entity whose whole text matches one is never"
                    + " redacted nor reported.");

    public static final ConfigOption<String> OPERATOR = ConfigOptions.key("redact.operator")
            .stringType()
            .defaultValue("replace")
            .withDescription("What is done to an entity whose type has no redact.types.TYPE.operator: 'replace'"
                    + " (by redact.template), 'mask', 'hash' (SHA-256 of salt and text: a stable pseudonym), 'redact'"
                    + " (removed) or 'keep'.");

    public static final ConfigOption<String> TEMPLATE = ConfigOptions.key("redact.template")
            .stringType()
            .defaultValue("<{type}>")
            .withDescription("For replace: the text put instead of an entity; {type} stands for its type, so the"
                    + " default gives <EMAIL>.");

    public static final ConfigOption<String> MASK_CHAR = ConfigOptions.key("redact.mask-char")
            .stringType()
            .defaultValue("*")
            .withDescription("For mask: the one character put instead of each masked character.");

    public static final ConfigOption<Integer> MASK_COUNT = ConfigOptions.key("redact.mask-count")
            .intType()
            .defaultValue(0)
            .withDescription("For mask: how many characters are masked; 0, or more than the entity has, masks all.");

    public static final ConfigOption<Boolean> MASK_FROM_END = ConfigOptions.key("redact.mask-from-end")
            .booleanType()
            .defaultValue(false)
            .withDescription("For mask: whether the masked characters are the last ones rather than the first.");

    public static final ConfigOption<String> SALT = ConfigOptions.key("redact.salt")
            .stringType()
            .noDefaultValue()
            .withDescription("For hash: the secret prefixed to each value before SHA-256, so that pseudonyms"
                    + " cannot be recomputed without it. Prefer redact.salt-env, which keeps it out of job files.");

    public static final ConfigOption<String> SALT_ENV = ConfigOptions.key("redact.salt-env")
            .stringType()
            .defaultValue("TORCHSTREAM_REDACT_SALT")
            .withDescription("For hash, when redact.salt is not set: the environment variable that holds the salt,"
                    + " read where the job is planned.");

    /** Keys under this prefix are one entity type's own settings: {@code redact.types.EMAIL.operator}. */
    public static final String TYPES_PREFIX = "redact.types.";

    /** The settings a type may have under {@link #TYPES_PREFIX}. */
    public static final List<String> TYPE_KEYS =
            List.of("operator", "template", "mask-char", "mask-count", "mask-from-end", "threshold");

    /** Every static option, in the order the docs list them. */
    public static List<ConfigOption<?>> all() {
        return List.of(
                ENABLED,
                PATTERNS,
                PHONE_REGIONS,
                THRESHOLD,
                ALLOW,
                ALLOW_REGEX,
                OPERATOR,
                TEMPLATE,
                MASK_CHAR,
                MASK_COUNT,
                MASK_FROM_END,
                SALT,
                SALT_ENV);
    }

    /** Reads and checks the options; entity types are checked against the bundle later ({@link #checkTypes}). */
    public static RedactionSettings read(OptionReader options) {
        Set<String> typeKeys = options.keysUnder(TYPES_PREFIX);
        if (!options.get(ENABLED, "true or false")) {
            for (ConfigOption<?> option : all()) {
                if (option != ENABLED && options.isSet(option)) {
                    throw options.fail(option, "only applies with " + options.name(ENABLED) + " true");
                }
            }
            if (!typeKeys.isEmpty()) {
                throw options.fail(
                        "'" + typeKeys.iterator().next() + "' only applies with " + options.name(ENABLED) + " true",
                        null);
            }
            return RedactionSettings.off();
        }
        List<String> patterns = new ArrayList<>(new LinkedHashSet<>(options.get(PATTERNS, "a list of types")));
        for (String pattern : patterns) {
            if (!PATTERN_TYPES.contains(pattern)) {
                throw options.fail(PATTERNS, "names an unknown pattern '" + pattern + "'; known: " + PATTERN_TYPES);
            }
        }
        List<String> regions = options.get(PHONE_REGIONS, "a list of regions such as US;GB");
        for (String region : regions) {
            if (!region.matches("[A-Z]{2}")) {
                throw options.fail(PHONE_REGIONS, "names '" + region + "'; expected two-letter ISO 3166 regions");
            }
        }
        if (regions.isEmpty() && patterns.contains("PHONE")) {
            throw options.fail(PHONE_REGIONS, "is empty, but PHONE needs at least one region for national formats");
        }
        double threshold = threshold(options, THRESHOLD);
        List<String> allowRegex = options.get(ALLOW_REGEX, "a list of regular expressions");
        for (String regex : allowRegex) {
            try {
                Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                throw options.fail(ALLOW_REGEX, "has an invalid regular expression: " + e.getDescription(), e);
            }
        }
        RedactionSettings.Operator defaults =
                operator(options, OPERATOR, TEMPLATE, MASK_CHAR, MASK_COUNT, MASK_FROM_END);

        Map<String, Map<String, String>> byType = new TreeMap<>();
        for (String key : typeKeys) {
            String rest = key.substring(TYPES_PREFIX.length());
            int dot = rest.lastIndexOf('.');
            String setting = dot < 0 ? "" : rest.substring(dot + 1);
            if (dot <= 0 || !TYPE_KEYS.contains(setting)) {
                throw options.fail(
                        "'" + key + "' is not a type setting; expected " + TYPES_PREFIX + "TYPE.SETTING with SETTING"
                                + " one of " + TYPE_KEYS,
                        null);
            }
            byType.computeIfAbsent(rest.substring(0, dot), t -> new LinkedHashMap<>())
                    .put(setting, key);
        }
        Map<String, RedactionSettings.TypeSettings> types = new LinkedHashMap<>();
        boolean hashes = defaults.name().equals("hash");
        for (Map.Entry<String, Map<String, String>> type : byType.entrySet()) {
            String prefix = TYPES_PREFIX + type.getKey() + ".";
            RedactionSettings.Operator operator = null;
            if (type.getValue().containsKey("operator")) {
                operator = operator(
                        options,
                        string(prefix + "operator", null),
                        string(prefix + "template", defaults.template()),
                        string(prefix + "mask-char", defaults.maskChar()),
                        ConfigOptions.key(prefix + "mask-count").intType().defaultValue(defaults.maskCount()),
                        ConfigOptions.key(prefix + "mask-from-end")
                                .booleanType()
                                .defaultValue(defaults.maskFromEnd()));
                hashes |= operator.name().equals("hash");
            } else {
                for (String setting : type.getValue().keySet()) {
                    if (!setting.equals("threshold")) {
                        throw options.fail("'" + prefix + setting + "' needs '" + prefix + "operator' beside it", null);
                    }
                }
            }
            Double typeThreshold = type.getValue().containsKey("threshold")
                    ? threshold(
                            options,
                            ConfigOptions.key(prefix + "threshold").doubleType().noDefaultValue())
                    : null;
            types.put(type.getKey(), new RedactionSettings.TypeSettings(operator, typeThreshold));
        }

        String salt = null;
        if (hashes) {
            salt = options.get(SALT, "a text");
            if (salt == null) {
                String variable = options.nonEmpty(SALT_ENV, "must name an environment variable");
                salt = System.getenv(variable);
                if (salt == null || salt.isEmpty()) {
                    throw options.fail(
                            SALT_ENV,
                            "names an environment variable that is not set (or empty): the hash operator needs a"
                                    + " salt; set " + variable + " or " + options.name(SALT));
                }
            } else if (salt.isEmpty()) {
                throw options.fail(SALT, "must not be empty: the hash operator needs a salt");
            }
        } else if (options.isSet(SALT)) {
            throw options.fail(SALT, "only applies when an operator is 'hash'");
        }
        return new RedactionSettings(
                true,
                patterns,
                regions,
                threshold,
                options.get(ALLOW, "a list of texts"),
                allowRegex,
                defaults,
                types,
                salt);
    }

    /**
     * Fails when the settings and the model disagree, such as a per-type setting of a type that neither the
     * model nor a pattern gives, by building the analyzer the session will build.
     *
     * @param modelTypes the entity types of the bundle's labels (B-/I- prefixes and ignored labels removed)
     */
    public static void checkTypes(RedactionSettings settings, Set<String> modelTypes, OptionReader options) {
        Set<String> known = new java.util.TreeSet<>(modelTypes);
        known.addAll(settings.patterns());
        for (String type : settings.types().keySet()) {
            if (!known.contains(type)) {
                throw options.fail(
                        "'" + TYPES_PREFIX + type + ".*' names an entity type that neither the model nor a pattern"
                                + " gives; known types: " + known,
                        null);
            }
        }
        try {
            settings.analyzer(modelTypes);
        } catch (IllegalArgumentException e) {
            throw options.fail("the redact.* options: " + e.getMessage(), e);
        }
    }

    private static ConfigOption<String> string(String key, String defaultValue) {
        return defaultValue == null
                ? ConfigOptions.key(key).stringType().noDefaultValue()
                : ConfigOptions.key(key).stringType().defaultValue(defaultValue);
    }

    private static double threshold(OptionReader options, ConfigOption<Double> option) {
        Double value = options.get(option, "a number from 0 to 1");
        if (value < 0 || value > 1) {
            throw options.fail(option, "must be from 0 to 1");
        }
        return value;
    }

    private static RedactionSettings.Operator operator(
            OptionReader options,
            ConfigOption<String> name,
            ConfigOption<String> template,
            ConfigOption<String> maskChar,
            ConfigOption<Integer> maskCount,
            ConfigOption<Boolean> maskFromEnd) {
        String operator = options.get(name, "an operator name");
        if (!OPERATORS.contains(operator)) {
            throw options.fail(name, "is not an operator; expected one of " + String.join(", ", OPERATORS));
        }
        String mask = options.get(maskChar, "one character");
        if (mask.length() != 1 || Character.isSurrogate(mask.charAt(0))) {
            throw options.fail(maskChar, "must be exactly one character (of the Basic Multilingual Plane)");
        }
        int count = options.get(maskCount, "an integer");
        if (count < 0) {
            throw options.fail(maskCount, "must be >= 0 (0 masks the whole entity)");
        }
        String text = options.get(template, "a text");
        return new RedactionSettings.Operator(
                operator, text, mask, count, options.get(maskFromEnd, "true or false"), options.name(name));
    }
}
