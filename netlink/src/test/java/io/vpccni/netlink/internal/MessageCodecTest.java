package io.vpccni.netlink.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.IpPrefix;
import io.vpccni.netaddr.MacAddress;
import io.vpccni.netlink.Addr;
import io.vpccni.netlink.Link;
import io.vpccni.netlink.Neigh;
import io.vpccni.netlink.Route;
import io.vpccni.netlink.Rule;
import io.vpccni.netlink.Scope;
import io.vpccni.netlink.VethSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Message layout: headers, attribute alignment and nesting, and decode of what encode wrote. */
class MessageCodecTest {
  private static ByteBuffer message(int type, Consumer<NlMsgWriter> body) {
    ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.nativeOrder());
    NlMsgWriter w = new NlMsgWriter(b, type, Rtnl.NLM_F_REQUEST, 1);
    body.accept(w);
    w.finish();
    return b.flip();
  }

  /** Decodes a request as if the kernel had sent it back (same family header and attributes). */
  private static <T> T roundTrip(int replyType, ByteBuffer req, RtnlConn.Decoder<T> d) {
    return d.decode(replyType, req, Rtnl.NLMSG_HDRLEN, req.getInt(0));
  }

  @Test
  void attributesArePaddedToFourBytesAndStringsAreNulTerminated() {
    ByteBuffer b =
        message(
            Rtnl.RTM_NEWLINK,
            w ->
                w.attrString(Rtnl.IFLA_IFNAME, "eth0")
                    .attrU16(7, 0x1234)
                    .attrU8(8, 9)
                    .attrU32(9, 5));
    // header 16 + "eth0\0" (4+5 -> 12) + u16 (6 -> 8) + u8 (5 -> 8) + u32 (8)
    assertThat(b.getInt(0)).isEqualTo(16 + 12 + 8 + 8 + 8);
    assertThat(b.getShort(16)).isEqualTo((short) 9); // rta_len counts the NUL but not the padding
    assertThat(b.get(16 + 4 + 4)).isZero();
    NlAttrs a = NlAttrs.parse(b, 16, b.limit(), 10);
    assertThat(a.string(Rtnl.IFLA_IFNAME)).isEqualTo("eth0");
    assertThat(a.u16(7, -1)).isEqualTo(0x1234);
    assertThat(a.u8(8, -1)).isEqualTo(9);
    assertThat(a.u32(9, -1)).isEqualTo(5);
    assertThat(a.has(6)).isFalse();
  }

  @Test
  void vethNestsThePeerInsideLinkInfoWithItsOwnIfinfomsg() {
    VethSpec spec =
        new VethSpec("veth1", "eth0", null, 9000, null, MacAddress.parse("02:00:00:00:00:02"));
    ByteBuffer b = message(Rtnl.RTM_NEWLINK, w -> LinkMessages.veth(w, spec));
    NlAttrs top = NlAttrs.parse(b, 16 + Rtnl.IFINFOMSG_LEN, b.limit(), Rtnl.IFLA_MAX_USED);
    assertThat(top.string(Rtnl.IFLA_IFNAME)).isEqualTo("veth1");
    assertThat(top.u32(Rtnl.IFLA_MTU, 0)).isEqualTo(9000);
    NlAttrs info = top.nested(Rtnl.IFLA_LINKINFO, 2);
    assertThat(info.string(Rtnl.IFLA_INFO_KIND)).isEqualTo("veth");
    NlAttrs data = info.nested(Rtnl.IFLA_INFO_DATA, 1);
    int peer = data.offset(Rtnl.VETH_INFO_PEER);
    int peerEnd = peer + data.length(Rtnl.VETH_INFO_PEER);
    assertThat(peerEnd).isEqualTo(b.limit()); // nest lengths add up to the message
    NlAttrs peerAttrs = NlAttrs.parse(b, peer + Rtnl.IFINFOMSG_LEN, peerEnd, Rtnl.IFLA_MAX_USED);
    assertThat(peerAttrs.string(Rtnl.IFLA_IFNAME)).isEqualTo("eth0");
    assertThat(peerAttrs.mac(Rtnl.IFLA_ADDRESS)).isEqualTo(spec.peerMac());
    assertThat(peerAttrs.has(Rtnl.IFLA_NET_NS_FD)).isFalse();
  }

  @Test
  void linkDecodeReadsKindFromLinkInfo() {
    ByteBuffer b =
        message(
            Rtnl.RTM_NEWLINK,
            w -> {
              w.u8(0).u8(0).u16(1).u32(7).u32(Rtnl.IFF_UP).u32(0);
              w.attrString(Rtnl.IFLA_IFNAME, "mv0");
              w.attr(Rtnl.IFLA_ADDRESS, MacAddress.parse("02:00:00:00:00:09").toBytes());
              w.attrU32(Rtnl.IFLA_MTU, 1500);
              w.attrU32(Rtnl.IFLA_LINK, 3);
              int info = w.beginNest(Rtnl.IFLA_LINKINFO | 0x8000); // NLA_F_NESTED is masked off
              w.attrString(Rtnl.IFLA_INFO_KIND, "macvlan");
              w.endNest(info);
            });
    Link l = roundTrip(Rtnl.RTM_NEWLINK, b, LinkMessages::decode);
    assertThat(l)
        .isEqualTo(
            new Link(
                7,
                "mv0",
                "macvlan",
                MacAddress.parse("02:00:00:00:00:09"),
                1500,
                Rtnl.IFF_UP,
                3,
                0));
    assertThat(l.toString())
        .isEqualTo("7: mv0 type macvlan mtu 1500 UP link/ether 02:00:00:00:00:09");
  }

  @Test
  void routesRoundTripWithLargeTablesOnlinkAndIpv6() {
    Route r =
        Route.to(IpPrefix.parse("0.0.0.0/0"))
            .via(IpAddress.parse("169.254.1.1"))
            .dev(3)
            .withOnlink()
            .table(70000)
            .metric(10)
            .src(IpAddress.parse("10.0.1.5"));
    ByteBuffer b = message(Rtnl.RTM_NEWROUTE, w -> RouteMessages.encodeNew(w, r));
    assertThat(b.get(16 + 4)).isEqualTo((byte) Rtnl.RT_TABLE_UNSPEC); // rtm_table cannot hold 70000
    assertThat(b.get(16 + 7)).isEqualTo((byte) Rtnl.RTN_UNICAST);
    assertThat(roundTrip(Rtnl.RTM_NEWROUTE, b, RouteMessages::decode)).isEqualTo(r);

    Route small = Route.to(IpPrefix.parse("10.0.0.0/24")).dev(2).scope(Scope.LINK).table(101);
    ByteBuffer s = message(Rtnl.RTM_NEWROUTE, w -> RouteMessages.encodeNew(w, small));
    assertThat(s.get(16 + 4)).isEqualTo((byte) 101);
    assertThat(roundTrip(Rtnl.RTM_NEWROUTE, s, RouteMessages::decode)).isEqualTo(small);

    Route v6 = Route.to(IpPrefix.parse("2001:db8::/64")).via(IpAddress.parse("fe80::1")).dev(4);
    ByteBuffer six = message(Rtnl.RTM_NEWROUTE, w -> RouteMessages.encodeNew(w, v6));
    assertThat(roundTrip(Rtnl.RTM_NEWROUTE, six, RouteMessages::decode)).isEqualTo(v6);
  }

  @Test
  void anIpv4RouteThroughAnIpv6NextHopUsesRtaVia() {
    Route r = Route.to(IpPrefix.parse("10.0.0.0/8")).via(IpAddress.parse("fe80::1")).dev(4);
    ByteBuffer b = message(Rtnl.RTM_NEWROUTE, w -> RouteMessages.encodeNew(w, r));
    NlAttrs a = NlAttrs.parse(b, 16 + Rtnl.RTMSG_LEN, b.limit(), Rtnl.RTA_MAX_USED);
    assertThat(a.has(Rtnl.RTA_GATEWAY)).isFalse();
    assertThat(a.length(Rtnl.RTA_VIA)).isEqualTo(18);
    assertThat(roundTrip(Rtnl.RTM_NEWROUTE, b, RouteMessages::decode)).isEqualTo(r);
  }

  @Test
  void routeCacheClonesAndNonUnicastRoutesAreLeftOut() {
    Route r = Route.to(IpPrefix.parse("10.0.0.1/32")).dev(2);
    ByteBuffer cloned = message(Rtnl.RTM_NEWROUTE, w -> RouteMessages.encodeNew(w, r));
    cloned.putInt(16 + 8, Rtnl.RTM_F_CLONED);
    assertThat(roundTrip(Rtnl.RTM_NEWROUTE, cloned, RouteMessages::decode)).isNull();
    ByteBuffer local = message(Rtnl.RTM_NEWROUTE, w -> RouteMessages.encodeNew(w, r));
    local.put(16 + 7, (byte) 2); // RTN_LOCAL
    assertThat(roundTrip(Rtnl.RTM_NEWROUTE, local, RouteMessages::decode)).isNull();
  }

  @Test
  void routeDeleteLeavesTypeProtocolAndScopeAsWildcards() {
    Route r = Route.to(IpPrefix.parse("10.0.0.1/32")).dev(2).scope(Scope.LINK);
    ByteBuffer b = message(Rtnl.RTM_DELROUTE, w -> RouteMessages.encodeDel(w, r));
    assertThat(b.get(16 + 5)).isZero(); // protocol
    assertThat(b.get(16 + 6) & 0xff).isEqualTo(Scope.NOWHERE.value());
    assertThat(b.get(16 + 7)).isZero(); // type
  }

  @Test
  void rulesRoundTrip() {
    for (Rule r :
        new Rule[] {
          Rule.from(IpPrefix.parse("10.0.1.5/32"), 1536, 101),
          Rule.to(IpPrefix.parse("10.9.0.0/16"), 1600, 70000),
          new Rule(10, 1700, IpPrefix.parse("2001:db8::/64"), null, "eth1", 254),
          Rule.fwmark(0x80, 0x80, 1024, 254),
          Rule.fwmark(0x80000000L, 0xffffffffL, 1025, 101)
        }) {
      ByteBuffer b = message(Rtnl.RTM_NEWRULE, w -> RuleMessages.encode(w, r));
      assertThat(roundTrip(Rtnl.RTM_NEWRULE, b, RuleMessages::decode)).isEqualTo(r);
    }
  }

  @Test
  void addressesAndNeighboursRoundTrip() {
    Addr a = new Addr(7, IpPrefix.parse("10.0.1.5/24"), Scope.LINK);
    ByteBuffer ab = message(Rtnl.RTM_NEWADDR, w -> AddrMessages.encode(w, a));
    assertThat(roundTrip(Rtnl.RTM_NEWADDR, ab, AddrMessages::decode)).isEqualTo(a);

    Neigh n = Neigh.permanent(3, IpAddress.parse("fe80::1"), MacAddress.parse("02:00:00:00:00:01"));
    ByteBuffer nb = message(Rtnl.RTM_NEWNEIGH, w -> NeighMessages.encode(w, n, true));
    assertThat(roundTrip(Rtnl.RTM_NEWNEIGH, nb, NeighMessages::decode)).isEqualTo(n);
    ByteBuffer del = message(Rtnl.RTM_DELNEIGH, w -> NeighMessages.encode(w, n, false));
    assertThat(NlAttrs.parse(del, 16 + Rtnl.NDMSG_LEN, del.limit(), 8).has(Rtnl.NDA_LLADDR))
        .isFalse();
  }

  @Test
  void decodersFilterByLinkFamilyAndTable() {
    Addr a = new Addr(7, IpPrefix.parse("10.0.1.5/24"));
    ByteBuffer ab = message(Rtnl.RTM_NEWADDR, w -> AddrMessages.encode(w, a));
    assertThat(roundTrip(Rtnl.RTM_NEWADDR, ab, AddrMessages.decoder(8, 0))).isNull();
    assertThat(roundTrip(Rtnl.RTM_NEWADDR, ab, AddrMessages.decoder(7, 10))).isNull();
    assertThat(roundTrip(Rtnl.RTM_NEWADDR, ab, AddrMessages.decoder(7, 2))).isEqualTo(a);
    Route r = Route.to(IpPrefix.parse("10.0.0.0/8")).dev(1).table(300);
    ByteBuffer rb = message(Rtnl.RTM_NEWROUTE, w -> RouteMessages.encodeNew(w, r));
    assertThat(roundTrip(Rtnl.RTM_NEWROUTE, rb, RouteMessages.decoder(301, 0))).isNull();
    assertThat(roundTrip(Rtnl.RTM_NEWROUTE, rb, RouteMessages.decoder(300, 2))).isEqualTo(r);
  }

  @Test
  void malformedAttributesAreRefused() {
    ByteBuffer b = message(Rtnl.RTM_NEWLINK, w -> w.attrU32(1, 1));
    b.putShort(16, (short) 40); // rta_len beyond the message
    assertThatThrownBy(() -> NlAttrs.parse(b, 16, b.limit(), 5))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void modeNamesAreChecked() {
    assertThat(LinkMessages.macvlanMode("bridge")).isEqualTo(4);
    assertThat(LinkMessages.ipvlanMode("l3s")).isEqualTo(2);
    assertThatThrownBy(() -> LinkMessages.ipvlanMode("l4")).hasMessageContaining("l2, l3 or l3s");
  }

  @Test
  void errnoNames() {
    assertThat(Errors.name(17)).isEqualTo("EEXIST");
    assertThat(Errors.name(95)).isEqualTo("EOPNOTSUPP");
    assertThat(Errors.name(99)).isEqualTo("EADDRNOTAVAIL");
    assertThat(Errors.name(999)).isEqualTo("errno 999");
  }
}
