package io.vpccni.netlink.internal;

import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.IpPrefix;
import io.vpccni.netlink.Rule;
import java.nio.ByteBuffer;

/** fib_rule_hdr requests and RTM_NEWRULE replies. */
public final class RuleMessages {
  private RuleMessages() {}

  /**
   * RTM_NEWRULE / RTM_DELRULE body with action "lookup table". FRA_PRIORITY is sent only when
   * positive: 0 lets the kernel choose on add and matches any priority on delete, as with {@code ip
   * rule}.
   */
  public static void encode(NlMsgWriter w, Rule r) {
    int dstLen = r.to() == null ? 0 : r.to().length();
    int srcLen = r.from() == null ? 0 : r.from().length();
    w.u8(r.family()).u8(dstLen).u8(srcLen).u8(0);
    w.u8(r.table() < 256 ? r.table() : Rtnl.RT_TABLE_UNSPEC).u8(0).u8(0).u8(Rtnl.FR_ACT_TO_TBL);
    w.u32(0);
    w.attrU32(Rtnl.FRA_TABLE, r.table());
    if (r.priority() > 0) {
      w.attrU32(Rtnl.FRA_PRIORITY, r.priority());
    }
    if (srcLen > 0) {
      w.attr(Rtnl.FRA_SRC, r.from().address().toBytes());
    }
    if (dstLen > 0) {
      w.attr(Rtnl.FRA_DST, r.to().address().toBytes());
    }
    if (r.iif() != null) {
      w.attrString(Rtnl.FRA_IIFNAME, r.iif());
    }
    if (r.fwmark() != 0 || r.fwmask() != 0) {
      w.attrU32(Rtnl.FRA_FWMARK, (int) r.fwmark());
      if (r.fwmask() != 0) {
        w.attrU32(Rtnl.FRA_FWMASK, (int) r.fwmask());
      }
    }
  }

  /** Strict checking accepts only the family in a rule dump request. */
  public static void dumpRequest(NlMsgWriter w, int family) {
    w.u8(family).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u32(0);
  }

  public static RtnlConn.Decoder<Rule> decoder(int family) {
    return (type, b, from, to) -> {
      Rule r = decode(type, b, from, to);
      return r == null || (family != 0 && r.family() != family) ? null : r;
    };
  }

  /** Decodes an IPv4/IPv6 "lookup" rule; rules with other actions give null. */
  public static Rule decode(int type, ByteBuffer b, int from, int to) {
    if (type != Rtnl.RTM_NEWRULE || to - from < Rtnl.FIB_RULE_HDR_LEN) {
      return null;
    }
    int family = b.get(from) & 0xff;
    if (family != Rtnl.AF_INET && family != Rtnl.AF_INET6) {
      return null;
    }
    int dstLen = b.get(from + 1) & 0xff;
    int srcLen = b.get(from + 2) & 0xff;
    int hdrTable = b.get(from + 4) & 0xff;
    int action = b.get(from + 7) & 0xff;
    if (action != Rtnl.FR_ACT_TO_TBL) {
      return null;
    }
    NlAttrs a = NlAttrs.parse(b, from + Rtnl.FIB_RULE_HDR_LEN, to, Rtnl.FRA_MAX_USED);
    return new Rule(
        family,
        a.u32(Rtnl.FRA_PRIORITY, 0),
        prefix(a.ip(Rtnl.FRA_SRC), srcLen),
        prefix(a.ip(Rtnl.FRA_DST), dstLen),
        a.string(Rtnl.FRA_IIFNAME),
        a.u32(Rtnl.FRA_TABLE, hdrTable),
        Integer.toUnsignedLong(a.u32(Rtnl.FRA_FWMARK, 0)),
        Integer.toUnsignedLong(a.u32(Rtnl.FRA_FWMASK, 0)));
  }

  private static IpPrefix prefix(IpAddress ip, int len) {
    return ip == null || len == 0 ? null : new IpPrefix(ip, len);
  }
}
