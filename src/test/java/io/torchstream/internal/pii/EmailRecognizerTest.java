package io.torchstream.internal.pii;

import static org.assertj.core.api.Assertions.assertThat;

import io.torchstream.internal.task.Entity;

import org.junit.jupiter.api.Test;

import java.util.List;

class EmailRecognizerTest {

    private final EmailRecognizer recognizer = new EmailRecognizer();

    private List<String> words(String text) {
        return recognizer.find(text).stream().map(Entity::word).toList();
    }

    @Test
    void findsAddressesWithTheirFieldsAndSource() {
        assertThat(recognizer.find("Write to john.smith@example.com today"))
                .containsExactly(new Entity("EMAIL", true, 1.0, -1, "john.smith@example.com", 9, 31, "pattern:email"));
    }

    @Test
    void countsOffsetsInCodePointsAfterAnAstralCharacter() {
        String text = "😀 mail me at a@b.de";
        Entity e = recognizer.find(text).get(0);
        assertThat(e.start()).isEqualTo(13);
        assertThat(e.end()).isEqualTo(19);
        assertThat(e.end()).isEqualTo(text.codePointCount(0, text.length()));
        assertThat(e.word()).isEqualTo("a@b.de");
    }

    @Test
    void leavesTrailingPunctuationAndBracketsOut() {
        assertThat(words("(mail: a.b+tag@mail.example.org).")).containsExactly("a.b+tag@mail.example.org");
        assertThat(words("<x@y.co.uk>, and z@y.fr.")).containsExactly("x@y.co.uk", "z@y.fr");
        assertThat(words("see...y@b.de")).containsExactly("y@b.de");
    }

    @Test
    void acceptsInternationalizedDomainsAndLocalParts() {
        assertThat(words("an jürgen@münchen.de schreiben")).containsExactly("jürgen@münchen.de");
    }

    @Test
    void refusesWhatTheValidatorRefuses() {
        assertThat(words("a@localhost, b@example.invalidtld, c@d, @example.com, e@.com"))
                .isEmpty();
    }

    @Test
    void findsNoAddressEndingInsideALongerWord() {
        assertThat(words("x@b.dex1 and x@b.de-1 and x@b.de_1")).isEmpty();
    }

    @Test
    void findsNothingInEmptyText() {
        assertThat(recognizer.find("")).isEmpty();
    }
}
