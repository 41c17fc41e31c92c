package io.vpccni.netlink;

import static io.vpccni.netlink.internal.Rtnl.NLM_F_CREATE;
import static io.vpccni.netlink.internal.Rtnl.NLM_F_EXCL;
import static io.vpccni.netlink.internal.Rtnl.NLM_F_REPLACE;

import io.vpccni.netaddr.MacAddress;
import io.vpccni.netlink.internal.AddrMessages;
import io.vpccni.netlink.internal.LinkMessages;
import io.vpccni.netlink.internal.NeighMessages;
import io.vpccni.netlink.internal.NlError;
import io.vpccni.netlink.internal.NlMsgWriter;
import io.vpccni.netlink.internal.QdiscMessages;
import io.vpccni.netlink.internal.RouteMessages;
import io.vpccni.netlink.internal.Rtnl;
import io.vpccni.netlink.internal.RtnlConn;
import io.vpccni.netlink.internal.RuleMessages;
import io.vpccni.netlink.internal.Transport;
import io.vpccni.netlink.internal.ffm.NetlinkSocket;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * An rtnetlink handle bound to one network namespace, with verbs named after {@code ip}'s. All
 * methods are thread-safe (requests on one handle are serialized). Errors are typed: {@link
 * NotFoundException} (and {@link LinkNotFoundException}) for what is not there, {@link
 * ExistsException} for what already is, {@link NetlinkException} with the errno for the rest.
 *
 * <p>Every write carries NLM_F_ACK and returns only once the kernel has applied it.
 */
public final class Netlink implements AutoCloseable {
  private static final int IFNAMSIZ = 16;

  private final RtnlConn conn;

  private Netlink(Transport transport) {
    this.conn = new RtnlConn(transport, ThreadLocalRandom.current().nextInt());
  }

  /**
   * A handle on the calling thread's namespace (the process's, unless called inside {@link
   * Netns#run}).
   */
  public static Netlink open() {
    return new Netlink(NetlinkSocket.open());
  }

  /** A handle whose socket is created inside {@code ns} and stays bound to it. */
  public static Netlink in(Netns ns) {
    return new Netlink(
        ns.runUnchecked("open a netlink socket in " + ns.path(), NetlinkSocket::open));
  }

  // ---- links

  public List<Link> linkList() {
    return conn.dump(
        Rtnl.RTM_GETLINK, LinkMessages::dumpRequest, LinkMessages::decode, () -> "list links");
  }

  public Optional<Link> linkByName(String name) {
    if (name == null || name.isEmpty() || name.length() >= IFNAMSIZ) {
      return Optional.empty();
    }
    return getLink(0, name, () -> "get link " + name);
  }

  /** The link named {@code name}; @throws LinkNotFoundException if none. */
  public Link link(String name) {
    return linkByName(name).orElseThrow(() -> new LinkNotFoundException(name));
  }

  public Optional<Link> linkByIndex(int index) {
    if (index <= 0) {
      return Optional.empty();
    }
    return getLink(index, null, () -> "get link " + index);
  }

  private Optional<Link> getLink(int index, String name, Supplier<String> op) {
    try {
      List<Link> l =
          conn.get(Rtnl.RTM_GETLINK, LinkMessages.get(index, name), LinkMessages::decode, op, true);
      return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    } catch (LinkNotFoundException e) {
      return Optional.empty();
    }
  }

  /** The first link whose IFLA_ADDRESS is {@code mac} (a dump: the kernel cannot look it up). */
  public Optional<Link> linkByMac(MacAddress mac) {
    for (Link l : linkList()) {
      if (mac.equals(l.mac())) {
        return Optional.of(l);
      }
    }
    return Optional.empty();
  }

  /** Creates a veth pair and returns the end in this handle's namespace. */
  public Link vethAdd(VethSpec spec) {
    checkName("veth name", spec.name());
    checkName("veth peer name", spec.peerName());
    String where = spec.peerNs() == null ? "" : " netns " + spec.peerNs().path();
    create(
        w -> LinkMessages.veth(w, spec),
        () -> "add veth " + spec.name() + " peer " + spec.peerName() + where);
    return created(spec.name());
  }

  /** mode "bridge", "private", "vepa" or "passthru". */
  public Link macvlanAdd(String name, int parentIndex, String mode) {
    checkName("macvlan name", name);
    int m = LinkMessages.macvlanMode(mode);
    create(
        w -> LinkMessages.child(w, name, parentIndex, "macvlan", Rtnl.IFLA_MACVLAN_MODE, 4, m),
        () -> "add macvlan " + name + " link " + parentIndex + " mode " + mode);
    return created(name);
  }

  /** An 802.1Q sub-interface; needs {@link KernelProbes#VLAN}. */
  public Link vlanAdd(String name, int parentIndex, int vlanId) {
    checkName("vlan name", name);
    if (vlanId < 1 || vlanId > 4094) {
      throw new IllegalArgumentException("vlan id must be in 1..4094, not " + vlanId);
    }
    create(
        w -> LinkMessages.child(w, name, parentIndex, "vlan", Rtnl.IFLA_VLAN_ID, 2, vlanId),
        () -> "add vlan " + name + " link " + parentIndex + " id " + vlanId);
    return created(name);
  }

  /** mode "l2", "l3" or "l3s"; needs {@link KernelProbes#IPVLAN}. */
  public Link ipvlanAdd(String name, int parentIndex, String mode) {
    checkName("ipvlan name", name);
    int m = LinkMessages.ipvlanMode(mode);
    create(
        w -> LinkMessages.child(w, name, parentIndex, "ipvlan", Rtnl.IFLA_IPVLAN_MODE, 2, m),
        () -> "add ipvlan " + name + " link " + parentIndex + " mode " + mode);
    return created(name);
  }

  /** Creates a link; ENODEV here means the lower link is missing: a LinkNotFoundException. */
  private void create(Consumer<NlMsgWriter> body, Supplier<String> op) {
    conn.write(Rtnl.RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, body, op, true);
  }

  private Link created(String name) {
    return linkByName(name)
        .orElseThrow(
            () -> new LinkNotFoundException(name + " (deleted right after it was created)"));
  }

  private static void checkName(String field, String name) {
    if (name == null || name.isEmpty() || name.length() >= IFNAMSIZ) {
      throw new IllegalArgumentException(field + " must have 1 to 15 characters: \"" + name + "\"");
    }
    if (name.equals(".")
        || name.equals("..")
        || name.chars().anyMatch(c -> c == '/' || c == ':' || c <= ' ')) {
      throw new IllegalArgumentException(
          field + " is not a valid interface name: \"" + name + "\"");
    }
  }

  public void linkDel(int index) {
    conn.write(
        Rtnl.RTM_DELLINK,
        0,
        w -> LinkMessages.ifinfomsg(w, index, 0, 0),
        () -> "delete link " + index,
        true);
  }

  public void linkDel(String name) {
    linkDel(link(name).index());
  }

  public void linkSetUp(int index) {
    setLink(index, Rtnl.IFF_UP, null, () -> "set link " + index + " up");
  }

  public void linkSetDown(int index) {
    setLink(index, 0, null, () -> "set link " + index + " down");
  }

  public void linkSetMtu(int index, int mtu) {
    setLink(
        index, -1, w -> w.attrU32(Rtnl.IFLA_MTU, mtu), () -> "set link " + index + " mtu " + mtu);
  }

  public void linkSetMac(int index, MacAddress mac) {
    setLink(
        index,
        -1,
        w -> w.attr(Rtnl.IFLA_ADDRESS, mac.toBytes()),
        () -> "set link " + index + " address " + mac);
  }

  public void linkSetName(int index, String name) {
    checkName("link name", name);
    setLink(
        index,
        -1,
        w -> w.attrString(Rtnl.IFLA_IFNAME, name),
        () -> "set link " + index + " name " + name);
  }

  /** Moves the link into {@code target}; its index there may differ (look it up by name or MAC). */
  public void linkSetNetns(int index, Netns target) {
    int fd = target.fd();
    setLink(
        index,
        -1,
        w -> w.attrU32(Rtnl.IFLA_NET_NS_FD, fd),
        () -> "set link " + index + " netns " + target.path());
  }

  /**
   * RTM_NEWLINK on an existing link.
   *
   * @param upFlag IFF_UP or 0 to change the administrative state, -1 to leave it
   */
  private void setLink(int index, int upFlag, Consumer<NlMsgWriter> attrs, Supplier<String> op) {
    conn.write(
        Rtnl.RTM_NEWLINK,
        0,
        w -> {
          if (upFlag < 0) {
            LinkMessages.ifinfomsg(w, index, 0, 0);
          } else {
            LinkMessages.ifinfomsg(w, index, upFlag, Rtnl.IFF_UP);
          }
          if (attrs != null) {
            attrs.accept(w);
          }
        },
        op,
        true);
  }

  /**
   * Sends RTM_NEWLINK for {@code kind} with no lower device and returns the kernel's verdict. A
   * kernel without the kind answers EOPNOTSUPP; one with it refuses the missing link (EINVAL or
   * ENODEV). Nothing is created either way, since every kind probed needs a lower device.
   */
  NlError probeLinkKind(String name, String kind) {
    return conn.tryWrite(
        Rtnl.RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, w -> LinkMessages.kindOnly(w, name, kind));
  }

  // ---- addresses

  public void addrAdd(Addr addr) {
    conn.write(
        Rtnl.RTM_NEWADDR,
        NLM_F_CREATE | NLM_F_EXCL,
        w -> AddrMessages.encode(w, addr),
        () -> "add address " + addr,
        false);
  }

  public void addrDel(Addr addr) {
    conn.write(
        Rtnl.RTM_DELADDR,
        0,
        w -> AddrMessages.encode(w, addr),
        () -> "delete address " + addr,
        false);
  }

  /** Addresses of one link (index > 0) or of all links (0), for one family (2, 10) or both (0). */
  public List<Addr> addrList(int linkIndex, int family) {
    return conn.dump(
        Rtnl.RTM_GETADDR,
        w -> AddrMessages.dumpRequest(w, linkIndex, family),
        AddrMessages.decoder(linkIndex, family),
        () -> "list addresses");
  }

  // ---- routes

  public void routeAdd(Route route) {
    conn.write(
        Rtnl.RTM_NEWROUTE,
        NLM_F_CREATE | NLM_F_EXCL,
        w -> RouteMessages.encodeNew(w, route),
        () -> "add route " + route,
        false);
  }

  public void routeReplace(Route route) {
    conn.write(
        Rtnl.RTM_NEWROUTE,
        NLM_F_CREATE | NLM_F_REPLACE,
        w -> RouteMessages.encodeNew(w, route),
        () -> "replace route " + route,
        false);
  }

  public void routeDel(Route route) {
    conn.write(
        Rtnl.RTM_DELROUTE,
        0,
        w -> RouteMessages.encodeDel(w, route),
        () -> "delete route " + route,
        false);
  }

  /**
   * Unicast routes of one table (0 = all tables) and family (0 = both); kernel-cache entries and
   * other route types (local, broadcast, blackhole...) are excluded.
   */
  public List<Route> routeList(int table, int family) {
    try {
      return conn.dump(
          Rtnl.RTM_GETROUTE,
          w -> RouteMessages.dumpRequest(w, table, family),
          RouteMessages.decoder(table, family),
          () -> "list routes" + (table > 0 ? " table " + table : ""));
    } catch (NotFoundException noSuchTable) {
      return List.of(); // strict dumps of one family answer ENOENT for a table that does not exist
    }
  }

  // ---- rules

  public void ruleAdd(Rule rule) {
    conn.write(
        Rtnl.RTM_NEWRULE,
        NLM_F_CREATE | NLM_F_EXCL,
        w -> RuleMessages.encode(w, rule),
        () -> "add rule " + rule,
        false);
  }

  public void ruleDel(Rule rule) {
    conn.write(
        Rtnl.RTM_DELRULE, 0, w -> RuleMessages.encode(w, rule), () -> "delete rule " + rule, false);
  }

  /**
   * The "lookup" rules of one family (2, 10) or both (0). Selectors that {@link Rule} does not
   * model (fwmark, oif, uid range...) are not shown.
   */
  public List<Rule> ruleList(int family) {
    return conn.dump(
        Rtnl.RTM_GETRULE,
        w -> RuleMessages.dumpRequest(w, family),
        RuleMessages.decoder(family),
        () -> "list rules");
  }

  // ---- neighbours

  /** Adds or replaces (NLM_F_CREATE | NLM_F_REPLACE) a neighbour entry. */
  public void neighSet(Neigh neigh) {
    conn.write(
        Rtnl.RTM_NEWNEIGH,
        NLM_F_CREATE | NLM_F_REPLACE,
        w -> NeighMessages.encode(w, neigh, true),
        () -> "set neighbour " + neigh,
        false);
  }

  public void neighDel(Neigh neigh) {
    conn.write(
        Rtnl.RTM_DELNEIGH,
        0,
        w -> NeighMessages.encode(w, neigh, false),
        () -> "delete neighbour " + neigh.ip() + " dev " + neigh.linkIndex(),
        false);
  }

  /** Neighbours of one link (index > 0) or all (0), for one family (2, 10) or both (0). */
  public List<Neigh> neighList(int linkIndex, int family) {
    return conn.dump(
        Rtnl.RTM_GETNEIGH,
        w -> NeighMessages.dumpRequest(w, linkIndex, family),
        NeighMessages.decoder(linkIndex, family),
        () -> "list neighbours");
  }

  // ---- traffic control

  /**
   * Makes a token bucket filter the link's root qdisc (replacing whatever root qdisc it had): what
   * the link sends is held to the rate.
   */
  public void tbfSet(int linkIndex, Tbf tbf) {
    conn.write(
        Rtnl.RTM_NEWQDISC,
        NLM_F_CREATE | NLM_F_REPLACE,
        w -> QdiscMessages.tbf(w, linkIndex, tbf),
        () -> "set tbf " + tbf + " on link " + linkIndex,
        true);
  }

  /** Removes the link's root qdisc (back to the default); a link without one is left as it is. */
  public void qdiscDelRoot(int linkIndex) {
    NlError e = conn.tryWrite(Rtnl.RTM_DELQDISC, 0, w -> QdiscMessages.deleteRoot(w, linkIndex));
    // ENOENT/EINVAL: no root qdisc of ours to delete (the default one cannot be deleted)
    if (e != null && e.errno() != 0 && e.errno() != 2 && e.errno() != 22) {
      throw io.vpccni.netlink.internal.Errors.of(
          "delete the root qdisc of link " + linkIndex, e.errno(), e.extAck(), true);
    }
  }

  @Override
  public void close() {
    conn.close();
  }
}
