package io.tcpwatch.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AddressesTest {

    @ParameterizedTest
    @ValueSource(strings = {"::", "::1", "fe80::1", "2001:db8::8:800:200c:417a", "2001:db8:0:1:1:1:1:1",
            "2001:0:0:1::1", "1::", "1:0:2::", "ff02::1:ff00:1", "::ffff:0:a00:1"})
    void ipv6FollowsRfc5952(String text) throws Exception {
        assertThat(Addresses.format(InetAddress.getByName(text).getAddress())).isEqualTo(text);
    }

    @Test
    void ipv4IsADottedQuad() {
        assertThat(Addresses.format(new byte[] {(byte) 192, (byte) 168, 0, (byte) 255})).isEqualTo("192.168.0.255");
    }
}
