package io.vpccni.cloud.openstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.cloud.openstack.api.AllocationPool;
import io.vpccni.cloud.openstack.api.FixedIp;
import io.vpccni.cloud.openstack.api.Port;
import io.vpccni.cloud.openstack.api.Subnet;
import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.IpPrefix;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The free count without {@code network-ip-availability}: pools minus addresses in them. */
class SubnetCounterTest {
  private static final Subnet SUBNET =
      new Subnet(
          "s1",
          "",
          "n1",
          4,
          IpPrefix.parse("10.0.0.0/24"),
          IpAddress.parse("10.0.0.1"),
          List.of(pool("10.0.0.10", "10.0.0.19"), pool("10.0.0.100", "10.0.0.109")),
          false,
          "",
          List.of());

  @Test
  void countsPoolsMinusHeldAddressesInsideThem() {
    Port a = port(ip("s1", "10.0.0.10"), ip("s1", "10.0.0.105"));
    Port b = port(ip("s1", "10.0.0.50"), ip("s2", "10.0.0.11")); // outside pools; other subnet
    assertThat(SubnetCounter.free(SUBNET, List.of(a, b))).isEqualTo(20 - 2);
    assertThat(SubnetCounter.free(SUBNET, List.of())).isEqualTo(20);
  }

  private static AllocationPool pool(String start, String end) {
    return new AllocationPool(IpAddress.parse(start), IpAddress.parse(end));
  }

  private static FixedIp ip(String subnet, String address) {
    return new FixedIp(subnet, IpAddress.parse(address));
  }

  private static Port port(FixedIp... ips) {
    return new Port(
        "p",
        "",
        "n1",
        null,
        "DOWN",
        "",
        "",
        "",
        "",
        List.of(ips),
        List.of(),
        List.of(),
        "",
        "",
        0,
        List.of(),
        "");
  }
}
