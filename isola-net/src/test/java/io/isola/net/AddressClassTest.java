package io.isola.net;

import static io.isola.net.AddressClass.DOCUMENTATION;
import static io.isola.net.AddressClass.NEVER;
import static io.isola.net.AddressClass.PRIVATE;
import static io.isola.net.AddressClass.PUBLIC;
import static org.assertj.core.api.Assertions.assertThat;

import io.isola.core.policy.Cidr;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressClassTest {
    @ParameterizedTest
    @CsvSource({
        "0.0.0.0, NEVER",
        "0.255.255.255, NEVER",
        "1.1.1.1, PUBLIC",
        "9.255.255.255, PUBLIC",
        "10.0.0.0, PRIVATE",
        "10.255.255.255, PRIVATE",
        "11.0.0.0, PUBLIC",
        "100.63.255.255, PUBLIC",
        "100.64.0.0, PRIVATE",
        "100.127.255.255, PRIVATE",
        "100.128.0.0, PUBLIC",
        "126.255.255.255, PUBLIC",
        "127.0.0.1, NEVER",
        "127.255.255.254, NEVER",
        "128.0.0.0, PUBLIC",
        "169.254.169.254, NEVER",
        "169.253.255.255, PUBLIC",
        "169.255.0.0, PUBLIC",
        "172.15.255.255, PUBLIC",
        "172.16.0.0, PRIVATE",
        "172.31.255.255, PRIVATE",
        "172.32.0.0, PUBLIC",
        "192.0.0.8, NEVER",
        "192.0.2.1, DOCUMENTATION",
        "192.0.3.0, PUBLIC",
        "192.88.99.1, NEVER",
        "192.167.255.255, PUBLIC",
        "192.168.1.1, PRIVATE",
        "192.169.0.0, PUBLIC",
        "198.17.255.255, PUBLIC",
        "198.18.0.1, DOCUMENTATION",
        "198.19.255.255, DOCUMENTATION",
        "198.20.0.0, PUBLIC",
        "198.51.100.7, DOCUMENTATION",
        "203.0.113.9, DOCUMENTATION",
        "203.0.114.0, PUBLIC",
        "223.255.255.255, PUBLIC",
        "224.0.0.1, NEVER",
        "239.255.255.255, NEVER",
        "240.0.0.1, NEVER",
        "255.255.255.255, NEVER",
        "::, NEVER",
        "::1, NEVER",
        "::127.0.0.1, NEVER",
        "::ffff:127.0.0.1, NEVER",
        "::ffff:10.1.2.3, PRIVATE",
        "::ffff:8.8.8.8, PUBLIC",
        "64:ff9b::8.8.8.8, PUBLIC",
        "64:ff9b::a9fe:a9fe, NEVER",
        "64:ff9b::c0a8:101, PRIVATE",
        "64:ff9b:1::1, NEVER",
        "100::1, NEVER",
        "2001::1, NEVER",
        "2001:db8::1, DOCUMENTATION",
        "2001:4860::8888, PUBLIC",
        "2002:7f00:1::1, NEVER",
        "2606:4700::1111, PUBLIC",
        "3fff::1, DOCUMENTATION",
        "fc00::1, PRIVATE",
        "fd12:3456::1, PRIVATE",
        "fe80::1, NEVER",
        "febf::1, NEVER",
        "fec0::1, NEVER",
        "ff02::1, NEVER",
        "4000::1, NEVER",
        "1000::1, NEVER"
    })
    void classifiesByTheIanaRegistries(String address, AddressClass expected) {
        assertThat(AddressClass.of(Cidr.literal(address)).kind()).as(address).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
        "169.254.169.254, link-local",
        "::ffff:127.0.0.1, loopback",
        "100.64.1.1, carrier-grade NAT",
        "fd00::1, unique local"
    })
    void namesTheRangeItFoundTheAddressIn(String address, String name) {
        assertThat(AddressClass.of(Cidr.literal(address)).name()).startsWith(name);
    }

    @ParameterizedTest
    @CsvSource({
        "::ffff:169.254.169.254, 169.254.169.254",
        "64:ff9b::7f00:1, 127.0.0.1",
        "2001:db8::1, 2001:db8:0:0:0:0:0:1"
    })
    void judgesTheIpv4AddressAnIpv6OneCarries(String address, String judged) {
        assertThat(AddressClass.embeddedIpv4(Cidr.literal(address)).getHostAddress())
                .isEqualTo(judged);
        assertThat(PUBLIC).isNotEqualTo(NEVER).isNotEqualTo(PRIVATE).isNotEqualTo(DOCUMENTATION);
    }
}
