package io.vpccni.netlink.internal;

import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.IpPrefix;
import io.vpccni.netlink.Route;
import io.vpccni.netlink.Scope;
import java.nio.ByteBuffer;

/** rtmsg requests and RTM_NEWROUTE replies. */
public final class RouteMessages {
  private RouteMessages() {}

  /**
   * RTM_NEWROUTE body. The table goes in rtm_table when it fits in a byte and always in RTA_TABLE
   * (which the kernel prefers, and which is the only place for tables above 255).
   */
  public static void encodeNew(NlMsgWriter w, Route r) {
    IpPrefix dst = r.dst();
    int family = dst.address().family();
    w.u8(family).u8(dst.length()).u8(0).u8(0);
    w.u8(r.table() < 256 ? r.table() : Rtnl.RT_TABLE_UNSPEC);
    w.u8(r.protocol()).u8(r.scope().value()).u8(Rtnl.RTN_UNICAST);
    w.u32(r.onlink() ? Rtnl.RTNH_F_ONLINK : 0);
    attributes(w, r, family);
  }

  /**
   * RTM_DELROUTE body, shaped like {@code ip route del}'s: type, protocol and scope are left as
   * wildcards (scope NOWHERE means "any" to the IPv4 FIB), so a route is found by destination,
   * table, gateway, device and metric.
   */
  public static void encodeDel(NlMsgWriter w, Route r) {
    IpPrefix dst = r.dst();
    int family = dst.address().family();
    w.u8(family).u8(dst.length()).u8(0).u8(0);
    w.u8(r.table() < 256 ? r.table() : Rtnl.RT_TABLE_UNSPEC);
    w.u8(0).u8(Scope.NOWHERE.value()).u8(0);
    w.u32(0);
    attributes(w, r, family);
  }

  private static void attributes(NlMsgWriter w, Route r, int family) {
    w.attrU32(Rtnl.RTA_TABLE, r.table());
    if (r.dst().length() > 0) {
      w.attr(Rtnl.RTA_DST, r.dst().address().toBytes());
    }
    IpAddress gw = r.gateway();
    if (gw != null) {
      if (gw.family() == family) {
        w.attr(Rtnl.RTA_GATEWAY, gw.toBytes());
      } else {
        // an IPv4 route through an IPv6 next hop: struct rtvia {u16 family; addr}
        byte[] a = gw.toBytes();
        byte[] via = new byte[2 + a.length];
        ByteBuffer.wrap(via).order(w.buffer().order()).putShort((short) gw.family()).put(a);
        w.attr(Rtnl.RTA_VIA, via);
      }
    }
    if (r.linkIndex() > 0) {
      w.attrU32(Rtnl.RTA_OIF, r.linkIndex());
    }
    if (r.priority() > 0) {
      w.attrU32(Rtnl.RTA_PRIORITY, r.priority());
    }
    if (r.prefSrc() != null) {
      w.attr(Rtnl.RTA_PREFSRC, r.prefSrc().toBytes());
    }
  }

  /**
   * A dump request. With strict checking on, RTA_TABLE makes the kernel send only that table; the
   * decoder filters again in case it did not.
   */
  public static void dumpRequest(NlMsgWriter w, int table, int family) {
    w.u8(family).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u32(0);
    if (table > 0) {
      w.attrU32(Rtnl.RTA_TABLE, table);
    }
  }

  public static RtnlConn.Decoder<Route> decoder(int table, int family) {
    return (type, b, from, to) -> {
      Route r = decode(type, b, from, to);
      if (r == null
          || (table > 0 && r.table() != table)
          || (family != 0 && r.dst().address().family() != family)) {
        return null;
      }
      return r;
    };
  }

  /**
   * Decodes a unicast RTM_NEWROUTE; route-cache clones, multicast-routing families and other route
   * types (local, broadcast, blackhole...) give null, because {@link Route} cannot say what they
   * are.
   */
  public static Route decode(int type, ByteBuffer b, int from, int to) {
    if (type != Rtnl.RTM_NEWROUTE || to - from < Rtnl.RTMSG_LEN) {
      return null;
    }
    int family = b.get(from) & 0xff;
    if (family != Rtnl.AF_INET && family != Rtnl.AF_INET6) {
      return null;
    }
    int dstLen = b.get(from + 1) & 0xff;
    int rtmTable = b.get(from + 4) & 0xff;
    int protocol = b.get(from + 5) & 0xff;
    int scope = b.get(from + 6) & 0xff;
    int rtype = b.get(from + 7) & 0xff;
    int flags = b.getInt(from + 8);
    if (rtype != Rtnl.RTN_UNICAST || (flags & Rtnl.RTM_F_CLONED) != 0) {
      return null;
    }
    NlAttrs a = NlAttrs.parse(b, from + Rtnl.RTMSG_LEN, to, Rtnl.RTA_MAX_USED);
    IpAddress dst = a.ip(Rtnl.RTA_DST);
    if (dst == null) {
      dst = IpAddress.of(new byte[family == Rtnl.AF_INET ? 4 : 16]);
    }
    IpAddress gw = a.ip(Rtnl.RTA_GATEWAY);
    if (gw == null && a.has(Rtnl.RTA_VIA) && a.length(Rtnl.RTA_VIA) > 2) {
      byte[] via = a.bytes(Rtnl.RTA_VIA);
      byte[] addr = new byte[via.length - 2];
      System.arraycopy(via, 2, addr, 0, addr.length);
      gw = addr.length == 4 || addr.length == 16 ? IpAddress.of(addr) : null;
    }
    return new Route(
        new IpPrefix(dst, dstLen),
        gw,
        a.u32(Rtnl.RTA_OIF, 0),
        a.u32(Rtnl.RTA_TABLE, rtmTable),
        MessageScopes.of(scope),
        protocol,
        a.u32(Rtnl.RTA_PRIORITY, 0),
        a.ip(Rtnl.RTA_PREFSRC),
        (flags & Rtnl.RTNH_F_ONLINK) != 0);
  }
}
