package io.vpccni.agent.snat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.IpPrefix;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnatRendererTest {
  static List<IpPrefix> p(String... cidrs) {
    return java.util.Arrays.stream(cidrs).map(IpPrefix::parse).toList();
  }

  @Test
  void replacesTheWholeTableInOneScript() {
    String s =
        SnatRenderer.render(
            "vpc",
            "eth0",
            IpAddress.parse("10.0.0.11"),
            true,
            p("10.0.0.0/16", "192.168.0.0/16"),
            0x80,
            0x4000);
    assertThat(s)
        .startsWith("table ip vpccni_nat {}\ndelete table ip vpccni_nat\ntable ip vpccni_nat {\n");
    assertThat(s).containsOnlyOnce("delete table");
    assertThat(s).contains("elements = { 10.0.0.0/16, 192.168.0.0/16 }");
    assertThat(s)
        .contains("type filter hook prerouting priority -90; policy accept;")
        .contains(
            "iifname \"vpc*\" ct state new ip daddr != @never_snat ct mark set ct mark or 0x80\n")
        .contains("ct mark and 0x80 == 0x80 meta mark set meta mark or 0x80\n")
        .contains(
            "iifname \"vpc*\" ct state new meta mark and 0x4000 == 0x4000"
                + " ct mark set ct mark or 0x80\n")
        .contains("type nat hook postrouting priority srcnat; policy accept;")
        .contains("iifname \"vpc*\" ct mark and 0x80 == 0x80 snat to 10.0.0.11\n")
        .contains("type filter hook prerouting priority -150; policy accept;")
        .contains(
            "iifname \"eth0\" ct state new fib daddr type local ct mark set ct mark or 0x80\n");
  }

  @Test
  void theMarkBitIsTheConfiguredOne() {
    String s =
        SnatRenderer.render(
            "vpc",
            "eth0",
            IpAddress.parse("10.0.0.11"),
            true,
            p("10.0.0.0/8"),
            0x4000_0000L,
            0x4000);
    assertThat(s).contains("ct mark set ct mark or 0x40000000").doesNotContain("0x80");
  }

  @Test
  void nestedAndRepeatedCidrsCollapseSoNftAcceptsTheIntervalSet() {
    assertThat(
            SnatRenderer.collapse(
                p(
                    "10.1.1.0/24",
                    "10.0.0.0/8",
                    "172.16.5.0/24",
                    "172.16.0.0/12",
                    "100.64.0.0/10",
                    "10.0.0.0/8",
                    "192.168.3.7/24")))
        .extracting(IpPrefix::toString)
        .containsExactly("10.0.0.0/8", "100.64.0.0/10", "172.16.0.0/12", "192.168.3.0/24");
  }

  @Test
  void refusesWhatWouldSnatTheVpcOrNotParse() {
    assertThatThrownBy(
            () ->
                SnatRenderer.render(
                    "vpc", "eth0", IpAddress.parse("10.0.0.11"), true, p(), 0x80, 0x4000))
        .hasMessageContaining("the VPC must be");
    assertThatThrownBy(
            () ->
                SnatRenderer.render(
                    "vpc",
                    "eth0",
                    IpAddress.parse("10.0.0.11"),
                    true,
                    p("10.0.0.0/8"),
                    0x81,
                    0x4000))
        .hasMessageContaining("not one bit");
    assertThatThrownBy(
            () ->
                SnatRenderer.render(
                    "vpc", "eth0", IpAddress.parse("fd00::1"), true, p("10.0.0.0/8"), 0x80, 0x4000))
        .hasMessageContaining("not IPv4");
  }

  @Test
  void withSnatOffOnlyTheNodePortReturnPathIsThere() {
    String s =
        SnatRenderer.render("vpc", "ens5", IpAddress.parse("10.0.0.11"), false, p(), 0x80, 0x4000);
    assertThat(s)
        .contains("iifname \"ens5\" ct state new fib daddr type local ct mark set ct mark or 0x80")
        .contains("ct mark and 0x80 == 0x80 meta mark set meta mark or 0x80")
        .doesNotContain("snat")
        .doesNotContain("never_snat");
  }

  @Test
  void removalIsSafeWhenTheTableIsAbsent() {
    // "table ... {}" first creates it if missing, so the delete never fails
    assertThat(SnatRenderer.removal())
        .isEqualTo("table ip vpccni_nat {}\ndelete table ip vpccni_nat\n");
  }
}
