package io.vpccni.netlink.internal;

import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.IpPrefix;
import io.vpccni.netlink.Addr;
import java.nio.ByteBuffer;

/** ifaddrmsg requests and RTM_NEWADDR replies. */
public final class AddrMessages {
  private AddrMessages() {}

  /** RTM_NEWADDR / RTM_DELADDR body: IFA_LOCAL and IFA_ADDRESS both carry the address. */
  public static void encode(NlMsgWriter w, Addr addr) {
    IpAddress ip = addr.prefix().address();
    w.u8(ip.family()).u8(addr.prefix().length()).u8(0).u8(addr.scope().value());
    w.u32(addr.linkIndex());
    byte[] bytes = ip.toBytes();
    w.attr(Rtnl.IFA_LOCAL, bytes);
    w.attr(Rtnl.IFA_ADDRESS, bytes);
  }

  /** A dump request, filtered by the kernel to one link when {@code linkIndex > 0}. */
  public static void dumpRequest(NlMsgWriter w, int linkIndex, int family) {
    w.u8(family).u8(0).u8(0).u8(0).u32(Math.max(linkIndex, 0));
  }

  public static RtnlConn.Decoder<Addr> decoder(int linkIndex, int family) {
    return (type, b, from, to) -> {
      Addr a = decode(type, b, from, to);
      if (a == null
          || (linkIndex > 0 && a.linkIndex() != linkIndex)
          || (family != 0 && a.prefix().address().family() != family)) {
        return null;
      }
      return a;
    };
  }

  public static Addr decode(int type, ByteBuffer b, int from, int to) {
    if (type != Rtnl.RTM_NEWADDR || to - from < Rtnl.IFADDRMSG_LEN) {
      return null;
    }
    int family = b.get(from) & 0xff;
    if (family != Rtnl.AF_INET && family != Rtnl.AF_INET6) {
      return null;
    }
    int prefixLen = b.get(from + 1) & 0xff;
    int scope = b.get(from + 3) & 0xff;
    int index = b.getInt(from + 4);
    NlAttrs a = NlAttrs.parse(b, from + Rtnl.IFADDRMSG_LEN, to, Rtnl.IFA_MAX_USED);
    // IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer on point-to-point
    // links. IPv6 sends only IFA_ADDRESS.
    IpAddress ip = a.ip(Rtnl.IFA_LOCAL);
    if (ip == null) {
      ip = a.ip(Rtnl.IFA_ADDRESS);
    }
    if (ip == null) {
      return null;
    }
    return new Addr(index, new IpPrefix(ip, prefixLen), MessageScopes.of(scope));
  }
}
