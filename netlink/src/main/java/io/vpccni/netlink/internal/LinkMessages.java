package io.vpccni.netlink.internal;

import io.vpccni.netaddr.MacAddress;
import io.vpccni.netlink.Link;
import io.vpccni.netlink.VethSpec;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/** ifinfomsg requests and RTM_NEWLINK replies. */
public final class LinkMessages {
  private LinkMessages() {}

  public static final int MACVLAN_PRIVATE = 1;
  public static final int MACVLAN_VEPA = 2;
  public static final int MACVLAN_BRIDGE = 4;
  public static final int MACVLAN_PASSTHRU = 8;

  /** struct ifinfomsg: family, pad, type, index, flags, change. */
  public static void ifinfomsg(NlMsgWriter w, int index, int flags, int change) {
    w.u8(Rtnl.AF_UNSPEC).u8(0).u16(0).u32(index).u32(flags).u32(change);
  }

  /** A get-by-name or get-by-index request body (index 0 with a name). */
  public static Consumer<NlMsgWriter> get(int index, String name) {
    return w -> {
      ifinfomsg(w, index, 0, 0);
      if (name != null) {
        w.attrString(Rtnl.IFLA_IFNAME, name);
      }
      w.attrU32(Rtnl.IFLA_EXT_MASK, Rtnl.RTEXT_FILTER_SKIP_STATS);
    };
  }

  public static void dumpRequest(NlMsgWriter w) {
    ifinfomsg(w, 0, 0, 0);
    w.attrU32(Rtnl.IFLA_EXT_MASK, Rtnl.RTEXT_FILTER_SKIP_STATS);
  }

  /** A veth pair; the peer's ifinfomsg and attributes sit inside VETH_INFO_PEER. */
  public static void veth(NlMsgWriter w, VethSpec s) {
    ifinfomsg(w, 0, 0, 0);
    w.attrString(Rtnl.IFLA_IFNAME, s.name());
    if (s.mtu() > 0) {
      w.attrU32(Rtnl.IFLA_MTU, s.mtu());
    }
    if (s.mac() != null) {
      w.attr(Rtnl.IFLA_ADDRESS, s.mac().toBytes());
    }
    int info = w.beginNest(Rtnl.IFLA_LINKINFO);
    w.attrString(Rtnl.IFLA_INFO_KIND, "veth");
    int data = w.beginNest(Rtnl.IFLA_INFO_DATA);
    int peer = w.beginNest(Rtnl.VETH_INFO_PEER);
    ifinfomsg(w, 0, 0, 0);
    w.attrString(Rtnl.IFLA_IFNAME, s.peerName());
    if (s.peerNs() != null) {
      w.attrU32(Rtnl.IFLA_NET_NS_FD, s.peerNs().fd());
    }
    if (s.mtu() > 0) {
      w.attrU32(Rtnl.IFLA_MTU, s.mtu());
    }
    if (s.peerMac() != null) {
      w.attr(Rtnl.IFLA_ADDRESS, s.peerMac().toBytes());
    }
    w.endNest(peer);
    w.endNest(data);
    w.endNest(info);
  }

  /**
   * A link of {@code kind} on top of {@code parentIndex} with one u16/u32 attribute in
   * IFLA_INFO_DATA (mode or VLAN id).
   *
   * @param dataSize 2 or 4
   */
  public static void child(
      NlMsgWriter w,
      String name,
      int parentIndex,
      String kind,
      int dataType,
      int dataSize,
      int dataValue) {
    ifinfomsg(w, 0, 0, 0);
    w.attrString(Rtnl.IFLA_IFNAME, name);
    w.attrU32(Rtnl.IFLA_LINK, parentIndex);
    int info = w.beginNest(Rtnl.IFLA_LINKINFO);
    w.attrString(Rtnl.IFLA_INFO_KIND, kind);
    int data = w.beginNest(Rtnl.IFLA_INFO_DATA);
    if (dataSize == 2) {
      w.attrU16(dataType, dataValue);
    } else {
      w.attrU32(dataType, dataValue);
    }
    w.endNest(data);
    w.endNest(info);
  }

  /** Only a kind, no lower device: what {@code KernelProbes} sends to see if the kind exists. */
  public static void kindOnly(NlMsgWriter w, String name, String kind) {
    ifinfomsg(w, 0, 0, 0);
    w.attrString(Rtnl.IFLA_IFNAME, name);
    int info = w.beginNest(Rtnl.IFLA_LINKINFO);
    w.attrString(Rtnl.IFLA_INFO_KIND, kind);
    w.endNest(info);
  }

  public static int macvlanMode(String mode) {
    return switch (mode) {
      case "private" -> MACVLAN_PRIVATE;
      case "vepa" -> MACVLAN_VEPA;
      case "bridge" -> MACVLAN_BRIDGE;
      case "passthru" -> MACVLAN_PASSTHRU;
      default ->
          throw new IllegalArgumentException(
              "macvlan mode must be bridge, private, vepa or passthru, not \"" + mode + "\"");
    };
  }

  public static int ipvlanMode(String mode) {
    return switch (mode) {
      case "l2" -> 0;
      case "l3" -> 1;
      case "l3s" -> 2;
      default ->
          throw new IllegalArgumentException(
              "ipvlan mode must be l2, l3 or l3s, not \"" + mode + "\"");
    };
  }

  /** Decodes RTM_NEWLINK; other types give null. */
  public static Link decode(int type, ByteBuffer b, int from, int to) {
    if (type != Rtnl.RTM_NEWLINK || to - from < Rtnl.IFINFOMSG_LEN) {
      return null;
    }
    int index = b.getInt(from + 4);
    int flags = b.getInt(from + 8);
    NlAttrs a = NlAttrs.parse(b, from + Rtnl.IFINFOMSG_LEN, to, Rtnl.IFLA_MAX_USED);
    String name = a.string(Rtnl.IFLA_IFNAME);
    MacAddress mac = a.mac(Rtnl.IFLA_ADDRESS);
    String kind = "";
    NlAttrs info = a.nested(Rtnl.IFLA_LINKINFO, Rtnl.IFLA_INFO_DATA);
    if (info != null && info.has(Rtnl.IFLA_INFO_KIND)) {
      kind = info.string(Rtnl.IFLA_INFO_KIND);
    }
    return new Link(
        index,
        name == null ? "" : name,
        kind,
        mac,
        a.u32(Rtnl.IFLA_MTU, 0),
        flags,
        a.u32(Rtnl.IFLA_LINK, 0),
        a.u32(Rtnl.IFLA_MASTER, 0));
  }
}
