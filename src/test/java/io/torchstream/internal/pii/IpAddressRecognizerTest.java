package io.torchstream.internal.pii;

import static org.assertj.core.api.Assertions.assertThat;

import io.torchstream.internal.task.Entity;

import org.junit.jupiter.api.Test;

import java.util.List;

class IpAddressRecognizerTest {

    private final IpAddressRecognizer recognizer = new IpAddressRecognizer();

    private List<String> words(String text) {
        return recognizer.find(text).stream().map(Entity::word).toList();
    }

    @Test
    void findsIpv4AddressesWithTheirSource() {
        assertThat(recognizer.find("from 192.168.0.1 on"))
                .containsExactly(new Entity("IP_ADDRESS", true, 1.0, -1, "192.168.0.1", 5, 16, "pattern:ip_address"));
        assertThat(words("hosts 10.0.0.1, 8.8.8.8. and (172.16.254.3)"))
                .containsExactly("10.0.0.1", "8.8.8.8", "172.16.254.3");
    }

    @Test
    void findsIpv6AddressesInFullCompressedAndMappedForms() {
        assertThat(words("2001:0db8:85a3:0000:0000:8a2e:0370:7334 and fe80::1 and ::ffff:192.0.2.1 and [::1]"))
                .containsExactly("2001:0db8:85a3:0000:0000:8a2e:0370:7334", "fe80::1", "::ffff:192.0.2.1", "::1");
        assertThat(words("prefix 2001:db8:: and 2001:db8::1.")).containsExactly("2001:db8::", "2001:db8::1");
    }

    @Test
    void findsAnAddressAfterALabelsColon() {
        assertThat(words("IP:10.0.0.1 host:2001:db8::1")).containsExactly("10.0.0.1", "2001:db8::1");
    }

    @Test
    void findsNoAddressInsideALongerRunOfDigitsAndDots() {
        assertThat(words("version 1.2.3.4.5, build v1.2.3.4, 1.2.3.4.5.6.7.8 or 11.2.3.4x"))
                .isEmpty();
    }

    @Test
    void refusesOctetsOutOfRangeTimesAndPunctuation() {
        assertThat(words("256.1.1.1 01.2.3.4 at 10:30:00 std::vector a :: b 1.2.3"))
                .isEmpty();
    }

    @Test
    void countsOffsetsInCodePointsAfterAnAstralCharacter() {
        Entity e = recognizer.find("😀😀 ::1").get(0);
        assertThat(e.start()).isEqualTo(3);
        assertThat(e.end()).isEqualTo(6);
    }
}
