package io.vpccni.agent.snat;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.agent.config.SnatConfig;
import io.vpccni.agent.datapath.NodeNetwork;
import io.vpccni.netaddr.IpPrefix;
import io.vpccni.testkit.netns.NetnsExtension;
import io.vpccni.testkit.netns.NetnsTest;
import io.vpccni.testkit.netns.TestNetns;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link SnatManager} against a real node namespace (a veth "eth0" with an address and the default
 * route) and a recording stand-in for nft: what it applies, when, and the rule and sysctl beside.
 */
@Tag("netns")
class PrivilegedSnatManagerTest {
  @RegisterExtension static final NetnsExtension netns = new NetnsExtension();

  @NetnsTest
  void appliesOnlyWhatChangedAndFollowsTheNodeAndItsEnis() {
    TestNetns ns = netns.create("snatm");
    netns.ip(ns, "link", "add", "eth0", "type", "veth", "peer", "name", "peer0");
    netns.ip(ns, "addr", "add", "10.0.0.11/24", "dev", "eth0");
    netns.ip(ns, "link", "set", "eth0", "up");
    netns.ip(ns, "link", "set", "peer0", "up");
    netns.ip(ns, "route", "add", "default", "via", "10.0.0.1", "dev", "eth0");
    List<String> applied = new ArrayList<>();
    AtomicReference<List<IpPrefix>> enis =
        new AtomicReference<>(List.of(IpPrefix.parse("10.1.1.0/24")));
    SnatConfig config =
        new SnatConfig(
            true,
            List.of(IpPrefix.parse("10.0.0.0/16")),
            List.of(IpPrefix.parse("192.168.0.0/16")),
            0x80,
            14);
    try (NodeNetwork node = new NodeNetwork(ns.path(), 100)) {
      SnatManager m = new SnatManager(config, node, applied::add, enis::get);
      assertThat(m.sync()).isTrue();
      assertThat(m.sync()).isTrue();
      assertThat(applied).hasSize(1);
      assertThat(applied.getFirst())
          .contains("elements = { 10.0.0.0/16, 10.1.1.0/24, 192.168.0.0/16 }")
          .contains("snat to 10.0.0.11")
          .contains("iifname \"eth0\" ct state new fib daddr type local");
      assertThat(netns.ip(ns, "rule")).contains("1024:\tfrom all fwmark 0x80/0x80 lookup main");
      assertThat(netns.exec(ns, "cat", "/proc/sys/net/ipv4/conf/eth0/src_valid_mark").strip())
          .isEqualTo("1");

      enis.set(List.of(IpPrefix.parse("10.1.1.0/24"), IpPrefix.parse("172.31.4.0/24")));
      assertThat(m.sync()).isTrue();
      assertThat(applied).hasSize(2);
      assertThat(applied.getLast()).contains("172.31.4.0/24");

      netns.ip(ns, "addr", "del", "10.0.0.11/24", "dev", "eth0");
      assertThat(m.sync()).as("no default route: nothing to apply").isFalse();
      assertThat(applied).hasSize(2);
      netns.ip(ns, "addr", "add", "10.0.0.31/24", "dev", "eth0");
      netns.ip(ns, "route", "add", "default", "via", "10.0.0.1", "dev", "eth0");
      assertThat(m.sync()).isTrue();
      assertThat(applied).hasSize(3);
      assertThat(applied.getLast()).contains("snat to 10.0.0.31");
      assertThat(netns.ip(ns, "rule").split("fwmark", -1))
          .as("one rule, not one per sync")
          .hasSize(2);
    }
  }

  @NetnsTest
  void aFailingApplyIsRetriedAtTheNextSync() {
    TestNetns ns = netns.create("snatf");
    netns.ip(ns, "link", "add", "eth0", "type", "veth", "peer", "name", "peer0");
    netns.ip(ns, "addr", "add", "10.0.0.11/24", "dev", "eth0");
    netns.ip(ns, "link", "set", "eth0", "up");
    netns.ip(ns, "route", "add", "default", "via", "10.0.0.1", "dev", "eth0");
    List<String> applied = new ArrayList<>();
    int[] failures = {1};
    try (NodeNetwork node = new NodeNetwork(ns.path(), 100)) {
      SnatManager m =
          new SnatManager(
              SnatConfig.OFF,
              node,
              script -> {
                if (failures[0]-- > 0) {
                  throw new java.io.IOException("nft: exit 1");
                }
                applied.add(script);
              },
              List::of);
      assertThat(m.sync()).isFalse();
      assertThat(applied).isEmpty();
      assertThat(m.sync()).isTrue();
      assertThat(applied).hasSize(1);
      assertThat(applied.getFirst()).doesNotContain("snat to").contains("fib daddr type local");
    }
  }
}
