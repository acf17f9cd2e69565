package io.torchstream.internal.pii;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.torchstream.internal.pii.Operator.Hash;
import io.torchstream.internal.pii.Operator.Keep;
import io.torchstream.internal.pii.Operator.Mask;
import io.torchstream.internal.pii.Operator.Redact;
import io.torchstream.internal.pii.Operator.Replace;
import io.torchstream.internal.pii.Operator.Settings;

import org.junit.jupiter.api.Test;

class OperatorTest {

    @Test
    void replacesByDefaultWithTheTypeInAngleBrackets() {
        assertThat(Operator.DEFAULT.apply("EMAIL", "a@b.de")).isEqualTo("<EMAIL>");
    }

    @Test
    void replacesWithATemplateNamingTheTypeAnywhere() {
        assertThat(new Replace("[{type}:{type}]").apply("IBAN", "x")).isEqualTo("[IBAN:IBAN]");
        assertThat(new Replace("***").apply("IBAN", "x")).isEqualTo("***");
    }

    @Test
    void masksCodePointsFromTheStartOrTheEnd() {
        assertThat(new Mask('*', 4, false).apply("CREDIT_CARD", "4111111111111111"))
                .isEqualTo("****111111111111");
        assertThat(new Mask('#', 4, true).apply("CREDIT_CARD", "4111111111111111"))
                .isEqualTo("411111111111####");
        assertThat(new Mask('*', 2, true).apply("GIVEN_NAME", "Jo😀")).isEqualTo("J**");
    }

    @Test
    void masksTheWholeSpanWhenTheCountIsLonger() {
        assertThat(new Mask('*', 100, false).apply("GIVEN_NAME", "Jürgen")).isEqualTo("******");
        assertThat(new Mask('*', 100, true).apply("GIVEN_NAME", "😀😀")).isEqualTo("**");
    }

    @Test
    void refusesAMaskCountBelowOneAndHalfASurrogatePair() {
        assertThatThrownBy(() -> new Mask('*', 0, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("mask count must be at least 1, got 0");
        assertThatThrownBy(() -> new Mask('*', -3, true)).hasMessage("mask count must be at least 1, got -3");
        assertThatThrownBy(() -> new Mask('\uD83D', 1, true)).hasMessageContaining("surrogate");
    }

    @Test
    void hashesTheSaltAndTheValueToTheSameHexDigestEveryTime() {
        Hash hash = new Hash("s3cret");
        // sha256("s3cretjohn@example.com"), as sha256sum gives it.
        String expected = "89f5b13bfbd7022204b488e7f4c0f46e364c57875690bff248500e85273e3304";
        assertThat(hash.apply("EMAIL", "john@example.com")).isEqualTo(expected);
        assertThat(new Hash("s3cret").apply("URL", "john@example.com")).isEqualTo(expected);
        assertThat(hash.apply("GIVEN_NAME", "Jürgen"))
                .isEqualTo("00525b8f55e63e2c7d68ce665581e07ed863d1c707094d402cfcb0d5138463d0");
        assertThat(new Hash("other").apply("EMAIL", "john@example.com")).isNotEqualTo(expected);
    }

    @Test
    void neverShowsTheSalt() {
        Hash hash = new Hash("s3cret");
        assertThat(hash.toString()).doesNotContain("s3cret");
        assertThat(hash.apply("EMAIL", "s3cret")).doesNotContain("s3cret");
        assertThat(Settings.DEFAULTS.withSalt("s3cret").toString()).doesNotContain("s3cret");
    }

    @Test
    void refusesAMissingOrEmptySalt() {
        assertThatThrownBy(() -> new Hash(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("hash needs a salt, and it is missing or empty");
        assertThatThrownBy(() -> new Hash("")).hasMessage("hash needs a salt, and it is missing or empty");
    }

    @Test
    void removesOrKeepsTheSpan() {
        assertThat(new Redact().apply("EMAIL", "a@b.de")).isEmpty();
        assertThat(new Keep().apply("EMAIL", "a@b.de")).isEqualTo("a@b.de");
    }

    @Test
    void parsesEveryNameInAnyCaseWithItsSettings() {
        Settings settings = new Settings("[{type}]", '#', 4, true, "s3cret");
        assertThat(Operator.parse("replace", settings)).isEqualTo(new Replace("[{type}]"));
        assertThat(Operator.parse(" MASK ", settings)).isEqualTo(new Mask('#', 4, true));
        assertThat(Operator.parse("Hash", settings)).isEqualTo(new Hash("s3cret"));
        assertThat(Operator.parse("redact", settings)).isEqualTo(new Redact());
        assertThat(Operator.parse("keep", Settings.DEFAULTS)).isEqualTo(new Keep());
        assertThat(Operator.parse("replace", Settings.DEFAULTS)).isEqualTo(Operator.DEFAULT);
        assertThat(Operator.parse("mask", Settings.DEFAULTS).apply("X", "abc")).isEqualTo("***");
    }

    @Test
    void refusesAnUnknownNameListingTheKnownAndAHashWithoutSalt() {
        assertThatThrownBy(() -> Operator.parse("scramble", Settings.DEFAULTS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown operator 'scramble'; known: replace, mask, hash, redact, keep");
        assertThatThrownBy(() -> Operator.parse("hash", Settings.DEFAULTS))
                .hasMessage("hash needs a salt, and it is missing or empty");
        assertThatThrownBy(() -> Operator.parse("mask", new Settings("<{type}>", '*', 0, false, null)))
                .hasMessage("mask count must be at least 1, got 0");
    }
}
