package io.torchstream.internal.pii;

import static org.assertj.core.api.Assertions.assertThat;

import io.torchstream.internal.task.Entity;

import org.junit.jupiter.api.Test;

import java.util.List;

class UrlRecognizerTest {

    private final UrlRecognizer recognizer = new UrlRecognizer();

    private List<String> words(String text) {
        return recognizer.find(text).stream().map(Entity::word).toList();
    }

    @Test
    void findsSchemedAndWwwAddressesWithTheirSource() {
        assertThat(recognizer.find("see https://example.com/a?b=1#c now"))
                .containsExactly(new Entity("URL", true, 1.0, -1, "https://example.com/a?b=1#c", 4, 31, "pattern:url"));
        assertThat(words("ftp://ftp.example.org/f.txt or www.example.com or HTTP://EXAMPLE.COM"))
                .containsExactly("ftp://ftp.example.org/f.txt", "www.example.com", "HTTP://EXAMPLE.COM");
    }

    @Test
    void leavesPunctuationThatEndsTheSentenceOut() {
        assertThat(words("Go to https://example.com/page. Or www.example.org, or https://x.org/a;"))
                .containsExactly("https://example.com/page", "www.example.org", "https://x.org/a");
        assertThat(words("\"https://example.com/q?x=1\"!")).containsExactly("https://example.com/q?x=1");
    }

    @Test
    void dropsAClosingBracketThatOpensNowhereInTheAddress() {
        assertThat(words("(see https://example.com/a).")).containsExactly("https://example.com/a");
        assertThat(words("(see https://en.wikipedia.org/wiki/Foo_(bar))"))
                .containsExactly("https://en.wikipedia.org/wiki/Foo_(bar)");
    }

    @Test
    void countsOffsetsInCodePointsAfterAnAstralCharacter() {
        Entity e = recognizer.find("𝄞 www.example.com").get(0);
        assertThat(e.start()).isEqualTo(2);
        assertThat(e.end()).isEqualTo(17);
    }

    @Test
    void refusesWhatTheValidatorRefusesAndOtherSchemes() {
        assertThat(words("http://localhost:8080 https://example.zzz mailto:a@b.de file:///etc/passwd xhttps://a.com"))
                .isEmpty();
    }
}
