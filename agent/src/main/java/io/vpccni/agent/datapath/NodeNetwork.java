package io.vpccni.agent.datapath;

import io.vpccni.agent.config.EniSpec;
import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.IpPrefix;
import io.vpccni.netlink.Link;
import io.vpccni.netlink.Netlink;
import io.vpccni.netlink.Netns;
import io.vpccni.netlink.Route;
import io.vpccni.netlink.Scope;
import io.vpccni.netlink.Sysctl;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The node side of every datapath: the node's namespace (the host's, or the one named by {@code
 * nodeNetns}), a netlink handle bound to it, and each ENI's route table.
 *
 * <p>Each secondary ENI gets table {@code routeTableBase + deviceIndex} holding its subnet route
 * and a default route via the subnet gateway out of the ENI; pod egress is steered there by {@code
 * ip rule from <pod IP>}. Table ids come from the device index, never from the ifindex.
 */
public final class NodeNetwork implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(NodeNetwork.class);
  private static final IpPrefix DEFAULT_V4 = IpPrefix.parse("0.0.0.0/0");

  private final Netns ns;
  private final Netlink nl;
  private final int tableBase;

  public NodeNetwork(Path nodeNetns, int tableBase) {
    this.ns = nodeNetns == null ? Netns.current() : Netns.open(nodeNetns);
    this.nl = Netlink.in(ns);
    this.tableBase = tableBase;
  }

  public Netns netns() {
    return ns;
  }

  public Netlink netlink() {
    return nl;
  }

  public int table(EniSpec eni) {
    return tableBase + eni.deviceIndex();
  }

  /** Global settings pods rely on: forwarding on. Run once at start. */
  public void prepare() {
    Sysctl.set(ns, "net.ipv4.ip_forward", "1");
  }

  /** The ENI's interface in the node namespace, if it is there (not moved into a pod). */
  public Optional<Link> eniLink(EniSpec eni) {
    return nl.linkByMac(eni.mac());
  }

  /**
   * Brings the ENI up and (re)writes its route table. Idempotent (route replace), so it is safe at
   * every start. Returns false if the ENI's interface is not in the node namespace.
   */
  public boolean setupEni(EniSpec eni) {
    MDC.put("eni", eni.id());
    try {
      Optional<Link> link = eniLink(eni);
      if (link.isEmpty()) {
        logger.warn(
            "ENI interface not found in the node namespace by MAC; its IPs cannot be used until it appears");
        return false;
      }
      Link l = link.get();
      nl.linkSetUp(l.index());
      // Loose reverse-path filtering: replies to pods arrive on the ENI, while the main table's
      // route back to the peer points at the primary interface.
      Sysctl.set(ns, "net.ipv4.conf." + l.name() + ".rp_filter", "2");
      int table = table(eni);
      nl.routeReplace(Route.to(eni.subnet()).dev(l.index()).scope(Scope.LINK).table(table));
      nl.routeReplace(
          Route.to(DEFAULT_V4).via(eni.gateway()).dev(l.index()).withOnlink().table(table));
      logger.info(
          "ENI {} ({}) ready: table {}, gateway {}", eni.id(), l.name(), table, eni.gateway());
      return true;
    } finally {
      MDC.remove("eni");
    }
  }

  /**
   * The node's own address: the first IPv4 address of the interface that holds the main table's
   * default route (the primary ENI).
   */
  public Optional<IpAddress> nodeIp() {
    return nl.routeList(Route.TABLE_MAIN, 2).stream()
        .filter(Route::isDefault)
        .findFirst()
        .flatMap(
            r -> nl.addrList(r.linkIndex(), 2).stream().map(a -> a.prefix().address()).findFirst());
  }

  @Override
  public void close() {
    nl.close();
    ns.close();
  }
}
