package io.vpccni.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.netaddr.MacAddress;
import io.vpccni.testkit.netns.IpJson;
import io.vpccni.testkit.netns.NetnsExtension;
import io.vpccni.testkit.netns.NetnsTest;
import io.vpccni.testkit.netns.TestNetns;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Links, checked against {@code ip -j -d link show} in fresh namespaces. Needs root. */
@Tag("netns")
class PrivilegedLinkTest {
  @RegisterExtension static final NetnsExtension netns = new NetnsExtension();

  private static Map<String, Object> ipLink(TestNetns ns, String name) {
    List<Map<String, Object>> l =
        IpJson.objects(netns.ipJson(ns, "-d", "link", "show", "dev", name));
    assertThat(l).hasSize(1);
    return l.get(0);
  }

  @SuppressWarnings("unchecked")
  private static String kindOf(Map<String, Object> ipLink) {
    Map<String, Object> info = (Map<String, Object>) ipLink.get("linkinfo");
    return info == null ? "" : (String) info.get("info_kind");
  }

  @NetnsTest
  void vethPeerIsCreatedDirectlyInTheOtherNamespaceWithMtuAndMacs() {
    TestNetns host = netns.create("host");
    TestNetns pod = netns.create("pod");
    MacAddress mac = MacAddress.parse("02:aa:00:00:00:01");
    MacAddress peerMac = MacAddress.parse("02:aa:00:00:00:02");
    try (Netns hostNs = Netns.open(host.path());
        Netns podNs = Netns.open(pod.path());
        Netlink nl = Netlink.in(hostNs);
        Netlink inPod = Netlink.in(podNs)) {
      Link l = nl.vethAdd(new VethSpec("vethpod1", "eth0", podNs, 8950, mac, peerMac));

      assertThat(l.name()).isEqualTo("vethpod1");
      assertThat(l.kind()).isEqualTo("veth");
      assertThat(l.mtu()).isEqualTo(8950);
      assertThat(l.mac()).isEqualTo(mac);
      Map<String, Object> hostSide = ipLink(host, "vethpod1");
      assertThat(hostSide.get("ifindex")).isEqualTo((long) l.index());
      assertThat(hostSide.get("address")).isEqualTo(mac.toString());
      assertThat(hostSide.get("mtu")).isEqualTo(8950L);
      assertThat(kindOf(hostSide)).isEqualTo("veth");

      Map<String, Object> podSide = ipLink(pod, "eth0");
      assertThat(podSide.get("address")).isEqualTo(peerMac.toString());
      assertThat(podSide.get("mtu")).isEqualTo(8950L);
      Link peer = inPod.link("eth0");
      assertThat(peer.index()).isEqualTo(((Long) podSide.get("ifindex")).intValue());
      assertThat(peer.parentIndex()).isEqualTo(l.index()); // IFLA_LINK names the peer's index
      assertThat(l.parentIndex()).isEqualTo(peer.index());
      assertThat(nl.linkByName("eth0")).isEmpty(); // never existed in the host namespace
    }
  }

  @NetnsTest
  void vethWithoutPeerNamespaceStaysInTheHandlesNamespace() {
    TestNetns ns = netns.create("solo");
    try (Netns n = Netns.open(ns.path());
        Netlink nl = Netlink.in(n)) {
      Link a = nl.vethAdd(new VethSpec("va", "vb", null, 0));
      Link b = nl.link("vb");
      assertThat(a.mtu()).isEqualTo(1500);
      assertThat(b.kind()).isEqualTo("veth");
      assertThat(nl.linkList()).extracting(Link::name).contains("lo", "va", "vb");
    }
  }

  @NetnsTest
  @SuppressWarnings("unchecked")
  void setUpDownMtuMacNameAndNetns() {
    TestNetns a = netns.create("seta");
    TestNetns b = netns.create("setb");
    try (Netns an = Netns.open(a.path());
        Netns bn = Netns.open(b.path());
        Netlink nl = Netlink.in(an);
        Netlink nlb = Netlink.in(bn)) {
      Link l = nl.vethAdd(new VethSpec("x0", "x1", null, 0));
      MacAddress mac = MacAddress.parse("02:bb:00:00:00:07");

      nl.linkSetUp(l.index());
      nl.linkSetMtu(l.index(), 1400);
      nl.linkSetMac(l.index(), mac);
      nl.linkSetName(l.index(), "renamed0");
      Map<String, Object> ip = ipLink(a, "renamed0");
      assertThat((List<Object>) ip.get("flags")).contains("UP");
      assertThat(ip.get("mtu")).isEqualTo(1400L);
      assertThat(ip.get("address")).isEqualTo(mac.toString());
      Link now = nl.linkByIndex(l.index()).orElseThrow();
      assertThat(now.isUp()).isTrue();
      assertThat(now.toString()).contains("renamed0", "mtu 1400", "UP", "link/ether " + mac);

      nl.linkSetDown(l.index());
      assertThat((List<Object>) ipLink(a, "renamed0").get("flags")).doesNotContain("UP");

      nl.linkSetNetns(l.index(), bn);
      assertThat(nl.linkByName("renamed0")).isEmpty();
      Link moved = nlb.linkByMac(mac).orElseThrow();
      assertThat(moved.name()).isEqualTo("renamed0");
      assertThat(ipLink(b, "renamed0").get("address")).isEqualTo(mac.toString());
    }
  }

  @NetnsTest
  void macvlanOnAVethInEveryMode() {
    TestNetns ns = netns.create("mv");
    try (Netns n = Netns.open(ns.path());
        Netlink nl = Netlink.in(n)) {
      Link parent = nl.vethAdd(new VethSpec("lower0", "lower1", null, 0));
      for (String mode : List.of("bridge", "private", "vepa", "passthru")) {
        Link m = nl.macvlanAdd("mv-" + mode, parent.index(), mode);
        assertThat(m.kind()).isEqualTo("macvlan");
        assertThat(m.parentIndex()).isEqualTo(parent.index());
        @SuppressWarnings("unchecked")
        Map<String, Object> data =
            (Map<String, Object>)
                ((Map<String, Object>) ipLink(ns, m.name()).get("linkinfo")).get("info_data");
        assertThat(data.get("mode")).isEqualTo(mode);
        nl.linkDel(m.index()); // passthru allows one macvlan per lower device
      }
      assertThatThrownBy(() -> nl.macvlanAdd("mv-bad", parent.index(), "source2"))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> nl.macvlanAdd("mv-orphan", 9999, "bridge"))
          .isInstanceOf(LinkNotFoundException.class)
          .hasMessageStartingWith("failed to add macvlan mv-orphan link 9999 mode bridge: ENODEV");
    }
  }

  @NetnsTest
  void deletingAMissingLinkIsATypedNotFoundSoTeardownIsIdempotent() {
    TestNetns ns = netns.create("del");
    try (Netns n = Netns.open(ns.path());
        Netlink nl = Netlink.in(n)) {
      Link l = nl.vethAdd(new VethSpec("d0", "d1", null, 0));
      nl.linkDel(l.index());
      assertThat(nl.linkByName("d0")).isEmpty();
      assertThat(nl.linkByName("d1")).isEmpty(); // the peer goes with it
      assertThat(nl.linkByIndex(l.index())).isEmpty();

      assertThatThrownBy(() -> nl.linkDel(l.index()))
          .isInstanceOf(LinkNotFoundException.class)
          .hasMessage("failed to delete link " + l.index() + ": ENODEV (No such device)");
      assertThatThrownBy(() -> nl.linkDel("d0")).isInstanceOf(LinkNotFoundException.class);
      assertThatThrownBy(() -> nl.linkSetUp(l.index())).isInstanceOf(LinkNotFoundException.class);
      assertThatThrownBy(() -> nl.link("nosuchlink")).isInstanceOf(NotFoundException.class);

      // the pattern DEL and GC use
      try {
        nl.linkDel("d0");
      } catch (LinkNotFoundException alreadyGone) {
        // fine
      }
    }
  }

  @NetnsTest
  void creatingALinkThatExistsIsATypedExistsError() {
    TestNetns ns = netns.create("dup");
    try (Netns n = Netns.open(ns.path());
        Netlink nl = Netlink.in(n)) {
      nl.vethAdd(new VethSpec("e0", "e1", null, 0));
      assertThatThrownBy(() -> nl.vethAdd(new VethSpec("e0", "e2", null, 0)))
          .isInstanceOf(ExistsException.class)
          .hasMessageStartingWith("failed to add veth e0 peer e2: EEXIST (File exists)");
    }
  }

  @NetnsTest
  void lookupByMacFindsTheLinkAndTheKindComesFromLinkInfo() {
    TestNetns ns = netns.create("mac");
    netns.ip(
        ns,
        "link",
        "add",
        "m0",
        "address",
        "02:cc:00:00:00:01",
        "type",
        "veth",
        "peer",
        "name",
        "m1");
    try (Netns n = Netns.open(ns.path());
        Netlink nl = Netlink.in(n)) {
      Link l = nl.linkByMac(MacAddress.parse("02:cc:00:00:00:01")).orElseThrow();
      assertThat(l.name()).isEqualTo("m0");
      assertThat(l.kind()).isEqualTo("veth");
      assertThat(nl.linkByMac(MacAddress.parse("02:cc:00:00:00:99"))).isEmpty();
      Link lo = nl.link("lo");
      assertThat(lo.kind()).isEmpty();
      assertThat(lo.index()).isEqualTo(1);
    }
  }

  @NetnsTest
  void badNamesAreRefusedBeforeTheKernelSeesThem() {
    TestNetns ns = netns.create("names");
    try (Netns n = Netns.open(ns.path());
        Netlink nl = Netlink.in(n)) {
      assertThatThrownBy(() -> nl.vethAdd(new VethSpec("sixteen-chars-xx", "p", null, 0)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("veth name");
      assertThat(nl.linkByName("sixteen-chars-xx")).isEmpty();
    }
  }
}
