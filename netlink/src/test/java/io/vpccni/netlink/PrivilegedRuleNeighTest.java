package io.vpccni.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.IpPrefix;
import io.vpccni.netaddr.MacAddress;
import io.vpccni.testkit.netns.IpJson;
import io.vpccni.testkit.netns.NetnsExtension;
import io.vpccni.testkit.netns.NetnsTest;
import io.vpccni.testkit.netns.TestNetns;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Policy rules and neighbour entries, checked against {@code ip -j rule} and {@code ip -j neigh}.
 */
@Tag("netns")
class PrivilegedRuleNeighTest {
  @RegisterExtension static final NetnsExtension netns = new NetnsExtension();

  private static IpPrefix p(String s) {
    return IpPrefix.parse(s);
  }

  @NetnsTest
  void rulesOfBothFamiliesWithFromToIifPriorityAndLargeTables() {
    TestNetns ns = netns.create("rule");
    try (Netns n = Netns.open(ns.path());
        Netlink nl = Netlink.in(n)) {
      List<Rule> builtin = nl.ruleList(0);
      assertThat(builtin)
          .extracting(Rule::toString)
          .contains(
              "0:\tfrom all lookup local",
              "32766:\tfrom all lookup main",
              "32767:\tfrom all lookup default");

      Rule from = Rule.from(p("10.1.0.5/32"), 1536, 101);
      Rule to = Rule.to(p("10.9.0.0/16"), 1600, 70000);
      Rule iif = new Rule(2, 1700, null, null, "veth-x", 102);
      Rule v6 = Rule.from(p("2001:db8::5/128"), 1536, 101);
      Rule mark = Rule.fwmark(0x80, 0x80, 1024, Route.TABLE_MAIN);
      for (Rule r : List.of(from, to, iif, v6, mark)) {
        nl.ruleAdd(r);
      }

      List<Map<String, Object>> ip4 = IpJson.objects(netns.ipJson(ns, "-4", "rule", "show"));
      assertThat(ip4)
          .anySatisfy(
              r -> {
                assertThat(r.get("priority")).isEqualTo(1536L);
                assertThat(r.get("src")).isEqualTo("10.1.0.5");
                assertThat(r.get("table")).isEqualTo("101");
              });
      assertThat(ip4)
          .anySatisfy(
              r -> {
                assertThat(r.get("priority")).isEqualTo(1600L);
                assertThat(r.get("dst")).isEqualTo("10.9.0.0");
                assertThat(r.get("dstlen")).isEqualTo(16L);
                assertThat(r.get("table")).isEqualTo("70000");
              });
      assertThat(ip4)
          .anySatisfy(
              r -> {
                assertThat(r.get("priority")).isEqualTo(1700L);
                assertThat(r.get("iif")).isEqualTo("veth-x");
              });
      List<Map<String, Object>> ip6 = IpJson.objects(netns.ipJson(ns, "-6", "rule", "show"));
      assertThat(ip6).anySatisfy(r -> assertThat(r.get("src")).isEqualTo("2001:db8::5"));

      assertThat(ip4)
          .anySatisfy(
              r -> {
                assertThat(r.get("priority")).isEqualTo(1024L);
                assertThat(r.get("fwmark")).isEqualTo("0x80");
                assertThat(r.get("fwmask")).isEqualTo("0x80");
                assertThat(r.get("table")).isEqualTo("main");
              });
      assertThat(mark.toString()).isEqualTo("1024:\tfrom all fwmark 0x80/0x80 lookup main");
      assertThat(nl.ruleList(2)).contains(from, to, iif, mark).doesNotContain(v6);
      assertThat(nl.ruleList(10)).contains(v6);
      assertThat(from.toString()).isEqualTo("1536:\tfrom 10.1.0.5 lookup 101");
      assertThat(to.toString()).isEqualTo("1600:\tfrom all to 10.9.0.0/16 lookup 70000");

      assertThatThrownBy(() -> nl.ruleAdd(from))
          .isInstanceOf(ExistsException.class)
          .hasMessageStartingWith("failed to add rule 1536:\tfrom 10.1.0.5 lookup 101: EEXIST");

      for (Rule r : List.of(from, to, iif, v6, mark)) {
        nl.ruleDel(r);
      }
      assertThat(nl.ruleList(0)).containsExactlyInAnyOrderElementsOf(builtin);
      assertThatThrownBy(() -> nl.ruleDel(from)).isInstanceOf(NotFoundException.class);
    }
  }

  @NetnsTest
  @SuppressWarnings("unchecked")
  void permanentNeighboursAreSetReplacedListedAndDeleted() {
    TestNetns ns = netns.create("neigh");
    try (Netns n = Netns.open(ns.path());
        Netlink nl = Netlink.in(n)) {
      Link l = nl.vethAdd(new VethSpec("n0", "n1", null, 0));
      nl.linkSetUp(l.index());
      MacAddress mac1 = MacAddress.parse("02:dd:00:00:00:01");
      MacAddress mac2 = MacAddress.parse("02:dd:00:00:00:02");
      Neigh gw = Neigh.permanent(l.index(), IpAddress.parse("169.254.1.1"), mac1);
      Neigh gw6 = Neigh.permanent(l.index(), IpAddress.parse("fe80::1"), mac1);
      nl.neighSet(gw);
      nl.neighSet(gw6);

      List<Map<String, Object>> ip = IpJson.objects(netns.ipJson(ns, "neigh", "show", "dev", "n0"));
      assertThat(ip)
          .anySatisfy(
              e -> {
                assertThat(e.get("dst")).isEqualTo("169.254.1.1");
                assertThat(e.get("lladdr")).isEqualTo(mac1.toString());
                assertThat((List<Object>) e.get("state")).contains("PERMANENT");
              });
      assertThat(nl.neighList(l.index(), 2)).containsExactly(gw);
      assertThat(nl.neighList(l.index(), 10)).contains(gw6);
      assertThat(nl.neighList(0, 0)).contains(gw, gw6);
      assertThat(gw.toString())
          .isEqualTo("169.254.1.1 dev " + l.index() + " lladdr " + mac1 + " PERMANENT");

      Neigh replaced = Neigh.permanent(l.index(), gw.ip(), mac2);
      nl.neighSet(replaced); // NLM_F_REPLACE: no EEXIST
      assertThat(nl.neighList(l.index(), 2)).containsExactly(replaced);

      nl.neighDel(replaced);
      nl.neighDel(gw6);
      assertThat(nl.neighList(l.index(), 2)).isEmpty();
      assertThatThrownBy(() -> nl.neighDel(replaced)).isInstanceOf(NotFoundException.class);
    }
  }
}
