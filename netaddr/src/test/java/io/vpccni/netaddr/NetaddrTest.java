package io.vpccni.netaddr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NetaddrTest {
  @Test
  void parsesAndPrintsV4() {
    IpAddress a = IpAddress.parse("10.0.1.5");
    assertThat(a.toString()).isEqualTo("10.0.1.5");
    assertThat(a.isV4()).isTrue();
    assertThat(a.toV4Int()).isEqualTo(0x0a000105);
    assertThat(IpAddress.ofV4(0x0a000105)).isEqualTo(a);
  }

  @Test
  void printsV6InRfc5952Form() {
    assertThat(IpAddress.parse("2001:0db8:0:0:0:0:0:1").toString()).isEqualTo("2001:db8::1");
    assertThat(IpAddress.parse("::").toString()).isEqualTo("::");
    assertThat(IpAddress.parse("::1").toString()).isEqualTo("::1");
    assertThat(IpAddress.parse("fe80::1:0:0:1").toString()).isEqualTo("fe80::1:0:0:1");
    assertThat(IpAddress.parse("1:0:0:2:0:0:0:3").toString()).isEqualTo("1:0:0:2::3");
    assertThat(IpAddress.parse("::ffff:10.0.0.1").toString()).isEqualTo("::ffff:a00:1");
    assertThat(IpAddress.parse("1:2:3:4:5:6:7:8").toString()).isEqualTo("1:2:3:4:5:6:7:8");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "1.2.3",
        "1.2.3.4.5",
        "256.1.1.1",
        "01.1.1.1",
        "a.b.c.d",
        "1::2::3",
        "1:2:3:4:5:6:7:8:9",
        "12345::",
        "fe80::1%eth0",
        "localhost",
        "1.2.3.4 "
      })
  void rejectsBadAddresses(String text) {
    assertThatThrownBy(() -> IpAddress.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void prefixContainsAndNetwork() {
    IpPrefix p = IpPrefix.parse("10.0.1.77/24");
    assertThat(p.network().toString()).isEqualTo("10.0.1.0/24");
    assertThat(p.contains(IpAddress.parse("10.0.1.200"))).isTrue();
    assertThat(p.contains(IpAddress.parse("10.0.2.1"))).isFalse();
    assertThat(p.contains(IpAddress.parse("::1"))).isFalse();
    assertThat(IpPrefix.parse("10.0.0.1").isHost()).isTrue();
    assertThat(IpPrefix.parse("fd00::/8").network().toString()).isEqualTo("fd00::/8");
    assertThat(IpPrefix.parse("10.0.0.0/30").size()).isEqualTo(4);
    assertThatThrownBy(() -> IpPrefix.parse("10.0.0.0/33")).hasMessageContaining("33");
    assertThatThrownBy(() -> IpPrefix.parse("10.0.0.0/")).hasMessageContaining("prefix length");
  }

  @Test
  void macRoundTrip() {
    MacAddress m = MacAddress.parse("02:AB:cd:00:11:ff");
    assertThat(m.toString()).isEqualTo("02:ab:cd:00:11:ff");
    assertThat(MacAddress.randomLocal().toBytes()[0] & 0x03).isEqualTo(0x02);
    assertThatThrownBy(() -> MacAddress.parse("02:ab:cd:00:11"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MacAddress.parse("02:ab:cd:00:11:zz"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
