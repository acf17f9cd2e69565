package io.torchstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.torchstream.internal.session.RedactionSettings;
import io.torchstream.testing.Fixtures;
import io.torchstream.testing.JobFiles;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

/** The redact.* keys of a job file: read once, checked at start, each failure naming its key. */
class RedactionConfigTest {

    @TempDir
    Path tmp;

    private static final String JOB = """
            model:
              bundle: %s
            input:
              type: file
              path: in.jsonl
            output:
              type: print
            dead-letters:
              type: print
            """;

    private JobConfig parse(String extra, String... args) {
        String yaml = JOB.formatted(Fixtures.bundleDir("bert-token-cls").toAbsolutePath()) + extra;
        Path file = JobFiles.write(tmp.resolve("jobs/job.yaml"), yaml);
        String[] all = new String[args.length + 1];
        all[0] = file.toString();
        System.arraycopy(args, 0, all, 1, args.length);
        return CommandLine.parse(all).config();
    }

    private JobConfig parseAndCheck(String extra, String... args) {
        JobConfig config = parse(extra, args);
        config.checkAgainst(Fixtures.bundle("bert-token-cls"));
        return config;
    }

    @Test
    void redactionIsOffUnlessEnabledAndTheTextThenStaysInResultsAndDeadLetters() {
        JobConfig c = parse("");
        assertThat(c.model.redaction().enabled()).isFalse();
        assertThat(c.keepText).isTrue();
        assertThat(c.omitOriginalBecause).isNull();
    }

    @Test
    void enabledRedactionRunsEveryPatternReplacesByTypeAndKeepsTheOriginalInsideTheJob() {
        JobConfig c = parseAndCheck("redact:\n  enabled: true\n");
        RedactionSettings r = c.model.redaction();
        assertThat(r.enabled()).isTrue();
        assertThat(r.patterns()).containsExactly("EMAIL", "URL", "IP_ADDRESS", "CREDIT_CARD", "IBAN", "PHONE");
        assertThat(r.defaultOperator().name()).isEqualTo("replace");
        assertThat(r.defaultOperator().template()).isEqualTo("<{type}>");
        assertThat(r.salt()).isNull();
        assertThat(c.keepText).isFalse();
        assertThat(c.omitOriginalBecause).contains("dead-letters.include-original: true");
    }

    @Test
    void theTextAndTheDeadLettersOriginalMayBeKeptOnPurpose() {
        JobConfig c = parse(
                "redact:\n  enabled: true\n",
                "--set",
                "output.keep-text=true",
                "--set",
                "dead-letters.include-original=true");
        assertThat(c.keepText).isTrue();
        assertThat(c.omitOriginalBecause).isNull();
    }

    @Test
    void perTypeSettingsInheritTheDefaultsTheyDoNotSet() {
        JobConfig c = parseAndCheck("""
                redact:
                  enabled: true
                  mask-char: "#"
                  threshold: 0.5
                  types:
                    EMAIL:
                      operator: mask
                      mask-count: 4
                      mask-from-end: true
                    PER:
                      threshold: 0.9
                """);
        RedactionSettings r = c.model.redaction();
        RedactionSettings.Operator email = r.types().get("EMAIL").operator();
        assertThat(email.name()).isEqualTo("mask");
        assertThat(email.maskChar()).isEqualTo("#");
        assertThat(email.maskCount()).isEqualTo(4);
        assertThat(email.maskFromEnd()).isTrue();
        assertThat(r.types().get("PER").operator()).isNull();
        assertThat(r.types().get("PER").threshold()).isEqualTo(0.9);
        assertThat(r.threshold()).isEqualTo(0.5);
    }

    @Test
    void malformedOperatorsFailAtStartNamingTheKey() {
        assertThatThrownBy(() -> parse("redact:\n  enabled: true\n  operator: blur\n"))
                .isInstanceOf(JobSpecException.class)
                .hasMessageContaining("redact.operator: 'blur' is not an operator; expected one of replace, mask,"
                        + " hash, redact, keep");
        assertThatThrownBy(() -> parse("redact:\n  enabled: true\n  types:\n    EMAIL:\n      operator: smudge\n"))
                .hasMessageContaining("redact.types.EMAIL.operator: 'smudge' is not an operator");
        assertThatThrownBy(() -> parse("redact:\n  enabled: true\n  mask-char: '**'\n"))
                .hasMessageContaining("redact.mask-char: '**' must be exactly one character");
        assertThatThrownBy(() -> parse("redact:\n  enabled: true\n  types:\n    EMAIL:\n      mask-count: -1\n"
                        + "      operator: mask\n"))
                .hasMessageContaining("redact.types.EMAIL.mask-count: '-1' must be >= 0");
        assertThatThrownBy(() -> parse("redact:\n  enabled: true\n  threshold: 1.5\n"))
                .hasMessageContaining("redact.threshold: '1.5' must be from 0 to 1");
        assertThatThrownBy(() -> parse("redact:\n  enabled: true\n  types:\n    EMAIL:\n      colour: red\n"))
                .hasMessageContaining("'redact.types.EMAIL.colour' is not a type setting");
        assertThatThrownBy(() -> parse("redact:\n  enabled: true\n  types:\n    EMAIL:\n      template: x\n"))
                .hasMessageContaining("'redact.types.EMAIL.template' needs 'redact.types.EMAIL.operator' beside it");
        assertThatThrownBy(() -> parse("redact:\n  enabled: true\n  patterns: [EMAIL, SSN]\n"))
                .hasMessageContaining("redact.patterns: 'EMAIL;SSN' names an unknown pattern 'SSN'");
        assertThatThrownBy(() -> parse("redact:\n  enabled: true\n  allow-regex: ['[a-']\n"))
                .hasMessageContaining("redact.allow-regex: '[a-' has an invalid regular expression");
    }

    @Test
    void anEntityTypeThatNeitherTheModelNorAPatternGivesFailsWhenTheBundleIsKnown() {
        JobConfig c = parse("redact:\n  enabled: true\n  types:\n    PASSPORT:\n      operator: keep\n");
        assertThatThrownBy(() -> c.checkAgainst(Fixtures.bundle("bert-token-cls")))
                .isInstanceOf(JobSpecException.class)
                .hasMessageContaining("'redact.types.PASSPORT.*' names an entity type that neither the model nor a"
                        + " pattern gives; known types: [CREDIT_CARD, EMAIL, IBAN, IP_ADDRESS, LOC, ORG, PER,"
                        + " PHONE, URL]");
    }

    @Test
    void hashNeedsASaltThatNoOutputShows() {
        assertThatThrownBy(() ->
                        parse("redact:\n  enabled: true\n  operator: hash\n  salt-env: TORCHSTREAM_TEST_UNSET_SALT\n"))
                .hasMessageContaining("redact.salt-env: 'TORCHSTREAM_TEST_UNSET_SALT' names an environment variable"
                        + " that is not set (or empty): the hash operator needs a salt");
        assertThatThrownBy(() -> parse("redact:\n  enabled: true\n  salt: pepper\n"))
                .hasMessageContaining("redact.salt: 'pepper' only applies when an operator is 'hash'");

        JobConfig c =
                parse("redact:\n  enabled: true\n  types:\n    EMAIL:\n      operator: hash\n  salt: s3cr3t-pepper\n");
        assertThat(c.model.redaction().salt()).isEqualTo("s3cr3t-pepper");
        assertThat(c.model.toString()).doesNotContain("s3cr3t-pepper").contains("salt=(hidden)");
    }

    @Test
    void redactionKeysWithoutRedactionEnabledAreAnError() {
        assertThatThrownBy(() -> parse("redact:\n  operator: mask\n"))
                .hasMessageContaining("redact.operator: 'mask' only applies with redact.enabled true");
        assertThatThrownBy(() -> parse("redact:\n  types:\n    EMAIL:\n      operator: mask\n"))
                .hasMessageContaining("'redact.types.EMAIL.operator' only applies with redact.enabled true");
    }

    @Test
    void redactionNeedsATokenClassificationBundle() {
        String yaml = JOB.formatted(Fixtures.bundleDir("bert-seq-cls").toAbsolutePath()) + "redact:\n  enabled: true\n";
        Path file = JobFiles.write(tmp.resolve("jobs/seq.yaml"), yaml);
        JobConfig c = CommandLine.parse(new String[] {file.toString()}).config();
        assertThatThrownBy(() -> c.checkAgainst(Fixtures.bundle("bert-seq-cls")))
                .hasMessageContaining("redact.enabled: 'true' only applies to token-classification bundles");
    }

    @Test
    void theListsOfAJobFileAreRead() {
        JobConfig c = parse("redact:\n  enabled: true\n  allow: [help@example.com, ACME]\n  phone-regions: [GB]\n");
        assertThat(c.model.redaction().allow()).isEqualTo(List.of("help@example.com", "ACME"));
        assertThat(c.model.redaction().phoneRegions()).isEqualTo(List.of("GB"));
    }
}
