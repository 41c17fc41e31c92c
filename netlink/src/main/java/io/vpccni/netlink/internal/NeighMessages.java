package io.vpccni.netlink.internal;

import io.vpccni.netaddr.IpAddress;
import io.vpccni.netlink.Neigh;
import java.nio.ByteBuffer;

/** ndmsg requests and RTM_NEWNEIGH replies. */
public final class NeighMessages {
  private NeighMessages() {}

  /** struct ndmsg: family, pad1, pad2, ifindex, state, flags, type. */
  public static void encode(NlMsgWriter w, Neigh n, boolean withState) {
    w.u8(n.ip().family()).u8(0).u16(0).u32(n.linkIndex());
    w.u16(withState ? n.state() : 0).u8(0).u8(0);
    w.attr(Rtnl.NDA_DST, n.ip().toBytes());
    if (withState && n.mac() != null) {
      w.attr(Rtnl.NDA_LLADDR, n.mac().toBytes());
    }
  }

  /** Strict checking filters by NDA_IFINDEX (not by ndm_ifindex) in a dump request. */
  public static void dumpRequest(NlMsgWriter w, int linkIndex, int family) {
    w.u8(family).u8(0).u16(0).u32(0).u16(0).u8(0).u8(0);
    if (linkIndex > 0) {
      w.attrU32(Rtnl.NDA_IFINDEX, linkIndex);
    }
  }

  public static RtnlConn.Decoder<Neigh> decoder(int linkIndex, int family) {
    return (type, b, from, to) -> {
      Neigh n = decode(type, b, from, to);
      if (n == null
          || (linkIndex > 0 && n.linkIndex() != linkIndex)
          || (family != 0 && n.ip().family() != family)) {
        return null;
      }
      return n;
    };
  }

  public static Neigh decode(int type, ByteBuffer b, int from, int to) {
    if (type != Rtnl.RTM_NEWNEIGH || to - from < Rtnl.NDMSG_LEN) {
      return null;
    }
    int family = b.get(from) & 0xff;
    if (family != Rtnl.AF_INET && family != Rtnl.AF_INET6) {
      return null;
    }
    int index = b.getInt(from + 4);
    int state = b.getShort(from + 8) & 0xffff;
    NlAttrs a = NlAttrs.parse(b, from + Rtnl.NDMSG_LEN, to, Rtnl.NDA_MAX_USED);
    IpAddress ip = a.ip(Rtnl.NDA_DST);
    return ip == null ? null : new Neigh(index, ip, a.mac(Rtnl.NDA_LLADDR), state);
  }
}
