package io.vpccni.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.IpPrefix;
import io.vpccni.testkit.netns.IpJson;
import io.vpccni.testkit.netns.NetnsExtension;
import io.vpccni.testkit.netns.NetnsTest;
import io.vpccni.testkit.netns.TestNetns;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Addresses and routes, checked against {@code ip -j addr} and {@code ip -j route}. Needs root. */
@Tag("netns")
class PrivilegedAddrRouteTest {
  @RegisterExtension static final NetnsExtension netns = new NetnsExtension();

  private static IpPrefix p(String s) {
    return IpPrefix.parse(s);
  }

  private static IpAddress ip(String s) {
    return IpAddress.parse(s);
  }

  /** A namespace with a veth pair r0/r1, both up. */
  private record Fixture(TestNetns ns, Netns netns, Netlink nl, Link r0) implements AutoCloseable {
    @Override
    public void close() {
      nl.close();
      netns.close();
    }
  }

  private static Fixture fixture(String name) {
    TestNetns ns = netns.create(name);
    Netns n = Netns.open(ns.path());
    Netlink nl = Netlink.in(n);
    Link r0 = nl.vethAdd(new VethSpec("r0", "r1", null, 0));
    nl.linkSetUp(r0.index());
    nl.linkSetUp(nl.link("r1").index());
    return new Fixture(ns, n, nl, r0);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> addrInfo(TestNetns ns, String dev) {
    List<Map<String, Object>> l = IpJson.objects(netns.ipJson(ns, "addr", "show", "dev", dev));
    return (List<Map<String, Object>>) l.get(0).get("addr_info");
  }

  private static Optional<Map<String, Object>> ipRoute(
      TestNetns ns, String family, String dst, String table) {
    return IpJson.objects(netns.ipJson(ns, family, "route", "show", "table", table)).stream()
        .filter(r -> dst.equals(r.get("dst")))
        .findFirst();
  }

  @NetnsTest
  void addressesOfBothFamiliesAreAddedListedAndDeleted() {
    try (Fixture f = fixture("addr")) {
      Addr v4 = new Addr(f.r0().index(), p("10.1.0.5/24"));
      Addr v6 = new Addr(f.r0().index(), p("2001:db8::5/64"));
      f.nl().addrAdd(v4);
      f.nl().addrAdd(v6);

      assertThat(addrInfo(f.ns(), "r0"))
          .anySatisfy(
              a -> {
                assertThat(a.get("local")).isEqualTo("10.1.0.5");
                assertThat(a.get("prefixlen")).isEqualTo(24L);
                assertThat(a.get("scope")).isEqualTo("global");
              })
          .anySatisfy(
              a -> {
                assertThat(a.get("local")).isEqualTo("2001:db8::5");
                assertThat(a.get("prefixlen")).isEqualTo(64L);
              });
      assertThat(f.nl().addrList(f.r0().index(), 2)).containsExactly(v4);
      assertThat(f.nl().addrList(f.r0().index(), 10)).contains(v6); // plus fe80:: once up
      assertThat(f.nl().addrList(0, 0)).contains(v4, v6);
      assertThat(v4.toString()).isEqualTo("10.1.0.5/24 dev " + f.r0().index() + " scope global");

      assertThatThrownBy(() -> f.nl().addrAdd(v4))
          .isInstanceOf(ExistsException.class)
          .hasMessageStartingWith(
              "failed to add address 10.1.0.5/24 dev " + f.r0().index() + " scope global: EEXIST");

      f.nl().addrDel(v4);
      f.nl().addrDel(v6);
      assertThat(f.nl().addrList(f.r0().index(), 2)).isEmpty();
      assertThat(addrInfo(f.ns(), "r0"))
          .noneSatisfy(a -> assertThat(a.get("family")).isEqualTo("inet"));
      assertThatThrownBy(() -> f.nl().addrDel(v4))
          .isInstanceOf(NotFoundException.class)
          .satisfies(
              e -> assertThat(((NotFoundException) e).errnoName()).isEqualTo("EADDRNOTAVAIL"));
    }
  }

  @NetnsTest
  void hostAddressWithLinkScope() {
    try (Fixture f = fixture("addr32")) {
      Addr a = new Addr(f.r0().index(), p("169.254.1.1/32"), Scope.LINK);
      f.nl().addrAdd(a);
      assertThat(addrInfo(f.ns(), "r0"))
          .anySatisfy(x -> assertThat(x.get("scope")).isEqualTo("link"));
      assertThat(f.nl().addrList(f.r0().index(), 2)).containsExactly(a);
    }
  }

  @NetnsTest
  void routesWithTableAboveByteScopeOnlinkMetricAndPrefsrc() {
    try (Fixture f = fixture("route")) {
      int dev = f.r0().index();
      f.nl().addrAdd(new Addr(dev, p("10.1.0.5/24")));
      Route gw = Route.to(p("169.254.1.1/32")).dev(dev).scope(Scope.LINK).table(1000);
      Route dflt =
          Route.to(p("0.0.0.0/0")).via(ip("169.254.1.1")).dev(dev).withOnlink().table(1000);
      Route net =
          Route.to(p("10.2.0.0/16")).via(ip("10.1.0.1")).dev(dev).metric(50).src(ip("10.1.0.5"));
      f.nl().routeAdd(gw);
      f.nl().routeAdd(dflt);
      f.nl().routeAdd(net);

      Map<String, Object> ipGw = ipRoute(f.ns(), "-4", "169.254.1.1", "1000").orElseThrow();
      assertThat(ipGw.get("scope")).isEqualTo("link");
      assertThat(ipGw.get("dev")).isEqualTo("r0");
      assertThat(ipGw.get("protocol")).isEqualTo("static");
      Map<String, Object> ipDefault = ipRoute(f.ns(), "-4", "default", "1000").orElseThrow();
      assertThat(ipDefault.get("gateway")).isEqualTo("169.254.1.1");
      assertThat((List<?>) ipDefault.get("flags")).asList().contains("onlink");
      Map<String, Object> ipNet = ipRoute(f.ns(), "-4", "10.2.0.0/16", "main").orElseThrow();
      assertThat(ipNet.get("gateway")).isEqualTo("10.1.0.1");
      assertThat(ipNet.get("metric")).isEqualTo(50L);
      assertThat(ipNet.get("prefsrc")).isEqualTo("10.1.0.5");

      assertThat(f.nl().routeList(1000, 2)).containsExactlyInAnyOrder(gw, dflt);
      assertThat(f.nl().routeList(Route.TABLE_MAIN, 2)).contains(net);
      assertThat(f.nl().routeList(0, 0)).contains(gw, dflt, net);
      assertThat(f.nl().routeList(0, 0))
          .allSatisfy(r -> assertThat(r.table()).isNotEqualTo(Route.TABLE_LOCAL));
      assertThat(f.nl().routeList(4242, 2)).isEmpty(); // a table that does not exist
      assertThat(dflt.toString())
          .isEqualTo("default via 169.254.1.1 dev " + dev + " table 1000 onlink");
      assertThat(gw.toString()).isEqualTo("169.254.1.1 dev " + dev + " table 1000 scope link");

      assertThatThrownBy(() -> f.nl().routeAdd(dflt))
          .isInstanceOf(ExistsException.class)
          .hasMessageStartingWith(
              "failed to add route default via 169.254.1.1 dev "
                  + dev
                  + " table 1000 onlink: EEXIST (File exists)");

      f.nl().routeDel(dflt);
      f.nl().routeDel(gw);
      assertThat(f.nl().routeList(1000, 0)).isEmpty();
      assertThat(ipRoute(f.ns(), "-4", "default", "1000")).isEmpty();
      assertThatThrownBy(() -> f.nl().routeDel(dflt))
          .isInstanceOf(NotFoundException.class)
          .hasMessageStartingWith(
              "failed to delete route default via 169.254.1.1 dev "
                  + dev
                  + " table 1000 onlink: ESRCH");
    }
  }

  @NetnsTest
  void routeReplaceChangesTheGatewayInPlace() {
    try (Fixture f = fixture("replace")) {
      int dev = f.r0().index();
      Route a = Route.to(p("10.3.0.0/24")).via(ip("169.254.1.1")).dev(dev).withOnlink().table(101);
      Route b = a.via(ip("169.254.1.2"));
      f.nl().routeReplace(a); // creates
      f.nl().routeReplace(b); // replaces
      assertThat(f.nl().routeList(101, 2)).containsExactly(b);
      assertThat(ipRoute(f.ns(), "-4", "10.3.0.0/24", "101").orElseThrow().get("gateway"))
          .isEqualTo("169.254.1.2");
    }
  }

  @NetnsTest
  void ipv6RoutesInALargeTable() {
    try (Fixture f = fixture("route6")) {
      int dev = f.r0().index();
      Route r = Route.to(p("2001:db8:1::/64")).via(ip("fe80::1")).dev(dev).table(70000).metric(7);
      Route dflt = Route.to(p("::/0")).via(ip("fe80::1")).dev(dev).table(70000);
      f.nl().routeAdd(r);
      f.nl().routeAdd(dflt);
      Map<String, Object> ipR = ipRoute(f.ns(), "-6", "2001:db8:1::/64", "70000").orElseThrow();
      assertThat(ipR.get("gateway")).isEqualTo("fe80::1");
      assertThat(ipR.get("metric")).isEqualTo(7L);
      assertThat(f.nl().routeList(70000, 10))
          .contains(r, dflt.metric(1024)); // the kernel's default v6 metric
      assertThat(f.nl().routeList(70000, 2)).isEmpty();
      f.nl().routeDel(r);
      assertThat(f.nl().routeList(70000, 10)).doesNotContain(r);
    }
  }

  @NetnsTest
  void routeToAMissingDeviceIsNotFound() {
    try (Fixture f = fixture("nodev")) {
      assertThatThrownBy(() -> f.nl().routeAdd(Route.to(p("10.9.0.0/24")).dev(999)))
          .isInstanceOf(NotFoundException.class)
          .hasMessageStartingWith(
              "failed to add route 10.9.0.0/24 dev 999: ENODEV (No such device)");
    }
  }

  @NetnsTest
  void kernelExplanationIsInTheMessage() {
    try (Fixture f = fixture("extack")) {
      // a host-bits-set destination: the kernel says why in an extended ack
      assertThatThrownBy(() -> f.nl().routeAdd(Route.to(p("10.9.0.1/24")).dev(f.r0().index())))
          .isInstanceOf(NetlinkException.class)
          .hasMessageContaining("EINVAL (Invalid argument): ")
          .satisfies(e -> assertThat(((NetlinkException) e).extAck()).isNotBlank());
    }
  }
}
