package io.vpccni.netlink;

import io.vpccni.netaddr.IpPrefix;
import io.vpccni.netaddr.MacAddress;
import java.util.List;
import java.util.Optional;

/**
 * An rtnetlink handle bound to one network namespace, with verbs named after {@code ip}'s. All
 * methods are thread-safe (requests on one handle are serialized). Errors are typed: {@link
 * NotFoundException} (and {@link LinkNotFoundException}) for what is not there, {@link
 * ExistsException} for what already is, {@link NetlinkException} with the errno for the rest.
 */
public final class Netlink implements AutoCloseable {
  private Netlink() {}

  /** A handle on the calling process's namespace. */
  public static Netlink open() {
    throw new UnsupportedOperationException("TODO netlink");
  }

  /** A handle whose socket is created inside {@code ns} and stays bound to it. */
  public static Netlink in(Netns ns) {
    throw new UnsupportedOperationException("TODO netlink");
  }

  // ---- links

  public List<Link> linkList() {
    throw new UnsupportedOperationException("TODO netlink");
  }

  public Optional<Link> linkByName(String name) {
    throw new UnsupportedOperationException("TODO netlink");
  }

  /** The link named {@code name}; @throws LinkNotFoundException if none. */
  public Link link(String name) {
    return linkByName(name).orElseThrow(() -> new LinkNotFoundException(name));
  }

  public Optional<Link> linkByIndex(int index) {
    throw new UnsupportedOperationException("TODO netlink");
  }

  public Optional<Link> linkByMac(MacAddress mac) {
    throw new UnsupportedOperationException("TODO netlink");
  }

  /** Creates a veth pair and returns the end in this handle's namespace. */
  public Link vethAdd(VethSpec spec) {
    throw new UnsupportedOperationException("TODO netlink");
  }

  public Link macvlanAdd(String name, int parentIndex, String mode) {
    throw new UnsupportedOperationException("TODO netlink");
  }

  public Link vlanAdd(String name, int parentIndex, int vlanId) {
    throw new UnsupportedOperationException("TODO netlink");
  }

  /** mode "l2", "l3" or "l3s"; needs {@link KernelProbes#IPVLAN}. */
  public Link ipvlanAdd(String name, int parentIndex, String mode) {
    throw new UnsupportedOperationException("TODO netlink");
  }

  public void linkDel(int index) {
    throw new UnsupportedOperationException("TODO netlink");
  }

  public void linkDel(String name) {
    linkDel(link(name).index());
  }

  public void linkSetUp(int index) {
    throw new UnsupportedOperationException("TODO netlink");
  }

  public void linkSetDown(int index) {
    throw new UnsupportedOperationException("TODO netlink");
  }

  public void linkSetMtu(int index, int mtu) {
    throw new UnsupportedOperationException("TODO netlink");
  }

  public void linkSetMac(int index, MacAddress mac) {
    throw new UnsupportedOperationException("TODO netlink");
  }

  public void linkSetName(int index, String name) {
    throw new UnsupportedOperationException("TODO netlink");
  }

  /** Moves the link into {@code target}; its index there may differ (look it up by name or MAC). */
  public void linkSetNetns(int index, Netns target) {
    throw new UnsupportedOperationException("TODO netlink");
  }

  // ---- addresses

  public void addrAdd(Addr addr) {
    throw new UnsupportedOperationException("TODO netlink");
  }

  public void addrDel(Addr addr) {
    throw new UnsupportedOperationException("TODO netlink");
  }

  /** Addresses of one link (index > 0) or of all links (0), for one family (2, 10) or both (0). */
  public List<Addr> addrList(int linkIndex, int family) {
    throw new UnsupportedOperationException("TODO netlink");
  }

  // ---- routes

  public void routeAdd(Route route) {
    throw new UnsupportedOperationException("TODO netlink");
  }

  public void routeReplace(Route route) {
    throw new UnsupportedOperationException("TODO netlink");
  }

  public void routeDel(Route route) {
    throw new UnsupportedOperationException("TODO netlink");
  }

  /** Routes of one table (0 = all tables) and family (0 = both); kernel-cache entries excluded. */
  public List<Route> routeList(int table, int family) {
    throw new UnsupportedOperationException("TODO netlink");
  }

  // ---- rules

  public void ruleAdd(Rule rule) {
    throw new UnsupportedOperationException("TODO netlink");
  }

  public void ruleDel(Rule rule) {
    throw new UnsupportedOperationException("TODO netlink");
  }

  public List<Rule> ruleList(int family) {
    throw new UnsupportedOperationException("TODO netlink");
  }

  // ---- neighbours

  /** Adds or replaces (NLM_F_CREATE | NLM_F_REPLACE) a neighbour entry. */
  public void neighSet(Neigh neigh) {
    throw new UnsupportedOperationException("TODO netlink");
  }

  public void neighDel(Neigh neigh) {
    throw new UnsupportedOperationException("TODO netlink");
  }

  public List<Neigh> neighList(int linkIndex, int family) {
    throw new UnsupportedOperationException("TODO netlink");
  }

  @Override
  public void close() {
    throw new UnsupportedOperationException("TODO netlink");
  }
}
