package io.vpccni.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.IpPrefix;
import io.vpccni.netaddr.MacAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Values print the way {@code ip} shows them; sysctl keys map to the right files. No root. */
class RecordsTest {
  @Test
  void valuesPrintLikeIp() {
    assertThat(Route.to(IpPrefix.parse("10.0.1.5/32")).dev(7).table(101).toString())
        .isEqualTo("10.0.1.5 dev 7 table 101");
    assertThat(
            Route.to(IpPrefix.parse("::/0"))
                .via(IpAddress.parse("fe80::1"))
                .dev(2)
                .metric(1024)
                .toString())
        .isEqualTo("default via fe80::1 dev 2 metric 1024");
    assertThat(Rule.from(IpPrefix.parse("10.0.1.5/32"), 1536, 101).toString())
        .isEqualTo("1536:\tfrom 10.0.1.5 lookup 101");
    assertThat(new Rule(2, 0, null, null, null, 255).toString())
        .isEqualTo("0:\tfrom all lookup local");
    assertThat(new Addr(3, IpPrefix.parse("10.0.1.5/32"), Scope.HOST).toString())
        .isEqualTo("10.0.1.5/32 dev 3 scope host");
    assertThat(
            new Neigh(
                    3, IpAddress.parse("169.254.1.1"), MacAddress.parse("02:00:00:00:00:01"), 0x02)
                .toString())
        .isEqualTo("169.254.1.1 dev 3 lladdr 02:00:00:00:00:01 REACHABLE");
    assertThat(new Neigh(3, IpAddress.parse("10.0.0.9"), null, 0x200).toString())
        .isEqualTo("10.0.0.9 dev 3 state 0x200");
    assertThat(new Link(1, "lo", "", MacAddress.of(new byte[6]), 65536, 0, 0, 0).toString())
        .isEqualTo("1: lo mtu 65536 DOWN link/ether 00:00:00:00:00:00");
  }

  @Test
  void sysctlKeysMapToProcSysWithInterfaceNamesThatContainDots() {
    assertThat(Sysctl.path("net.ipv4.ip_forward"))
        .isEqualTo(Path.of("/proc/sys/net/ipv4/ip_forward"));
    assertThat(Sysctl.path("net.ipv4.conf.eth0.rp_filter"))
        .isEqualTo(Path.of("/proc/sys/net/ipv4/conf/eth0/rp_filter"));
    assertThat(Sysctl.path("net.ipv4.conf.eth0.100.rp_filter"))
        .isEqualTo(Path.of("/proc/sys/net/ipv4/conf/eth0.100/rp_filter"));
    assertThat(Sysctl.path("net.ipv6.neigh.vlan.7.proxy_delay"))
        .isEqualTo(Path.of("/proc/sys/net/ipv6/neigh/vlan.7/proxy_delay"));
    assertThat(Sysctl.path("net/ipv4/conf/a.b/arp_ignore"))
        .isEqualTo(Path.of("/proc/sys/net/ipv4/conf/a.b/arp_ignore"));
    assertThatThrownBy(() -> Sysctl.path("kernel.hostname"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Sysctl.path("net/ipv4/../../kernel/hostname"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Sysctl.path("net.ipv4.conf.rp_filter"))
        .hasMessageContaining("no interface name");
  }

  @Test
  void probesAreNamed() {
    assertThat(KernelProbes.IPVLAN.name()).isEqualTo("ipvlan");
    assertThat(KernelProbes.VLAN.name()).isEqualTo("vlan");
    assertThat(KernelProbes.MACVLAN.name()).isEqualTo("macvlan");
  }
}
