package io.vpccni.emulator.dataplane;

import io.vpccni.emulator.model.FixedIp;
import io.vpccni.emulator.model.Instance;
import io.vpccni.emulator.model.Port;
import io.vpccni.emulator.model.Subnet;
import io.vpccni.emulator.model.VpcListener;
import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.IpPrefix;
import io.vpccni.netaddr.MacAddress;
import io.vpccni.netlink.Addr;
import io.vpccni.netlink.ExistsException;
import io.vpccni.netlink.Link;
import io.vpccni.netlink.LinkNotFoundException;
import io.vpccni.netlink.Neigh;
import io.vpccni.netlink.Netlink;
import io.vpccni.netlink.Netns;
import io.vpccni.netlink.NotFoundException;
import io.vpccni.netlink.Route;
import io.vpccni.netlink.Scope;
import io.vpccni.netlink.Sysctl;
import io.vpccni.netlink.VethSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The VPC's wire, made of network namespaces: a fabric namespace {@code PREFIX-fabric} that routes
 * every assigned address as a /32 to the veth of the ENI that owns it, with a permanent neighbour
 * entry carrying the port's MAC, and answers ARP for the VPC (proxy ARP, gateways on its {@code
 * lo}); one namespace {@code PREFIX-NAME} per instance, where an attached ENI is the veth end
 * {@code eth<device index>} with the port's MAC, left down and unaddressed for the node to
 * configure. Nothing is created in the root namespace and nothing routes out. {@link #close()}
 * deletes every namespace made here.
 */
public final class NamespaceDataPlane implements VpcListener, AutoCloseable {
  /** The MTU Neutron advertises for the emulated (vxlan) network. */
  private static final int MTU = 1450;

  private final String prefix;
  private final NamespaceFactory factory;
  private final List<String> made = new ArrayList<>();
  private final Map<String, Netns> nodes = new LinkedHashMap<>();
  private final Netns fabric;
  private final Netlink fab;

  /**
   * Builds the fabric namespace.
   *
   * @param prefix unique per run, at most 8 characters (namespace and link names derive from it)
   */
  public NamespaceDataPlane(String prefix, NamespaceFactory factory) {
    if (prefix.isEmpty() || prefix.length() > 8 || !prefix.matches("[a-z0-9-]+")) {
      throw new IllegalArgumentException("data plane prefix must be 1..8 of [a-z0-9-]: " + prefix);
    }
    this.prefix = prefix;
    this.factory = factory;
    Netns ns = null;
    Netlink nl = null;
    try {
      ns = Netns.open(create(prefix + "-fabric"));
      nl = Netlink.in(ns);
      Sysctl.set(ns, "net.ipv4.ip_forward", "1");
      Sysctl.set(ns, "net.ipv6.conf.all.disable_ipv6", "1");
      nl.linkSetUp(nl.link("lo").index());
    } catch (RuntimeException e) {
      if (nl != null) {
        nl.close();
      }
      if (ns != null) {
        ns.close();
      }
      deleteAll();
      throw e;
    }
    this.fabric = ns;
    this.fab = nl;
  }

  public String fabricNamespace() {
    return prefix + "-fabric";
  }

  /** The namespace name of an instance's node. */
  public String nodeNamespace(Instance instance) {
    return prefix + "-" + instance.name;
  }

  @Override
  public synchronized void subnetCreated(Subnet subnet) {
    if (subnet.gatewayIp == null || subnet.gatewayIp.isEmpty()) {
      return;
    }
    try {
      fab.addrAdd(
          new Addr(fab.link("lo").index(), IpPrefix.parse(subnet.gatewayIp + "/32"), Scope.HOST));
    } catch (ExistsException e) {
      // another subnet with the same gateway address
    }
  }

  @Override
  public synchronized void instanceCreated(Instance instance) {
    String name = nodeNamespace(instance);
    Netns ns = Netns.open(create(name));
    nodes.put(instance.id, ns);
    Sysctl.set(ns, "net.ipv6.conf.all.disable_ipv6", "1");
    Sysctl.set(ns, "net.ipv6.conf.default.disable_ipv6", "1");
    try (Netlink nl = Netlink.in(ns)) {
      nl.linkSetUp(nl.link("lo").index());
    }
  }

  @Override
  public synchronized void portAttached(Instance instance, int deviceIndex, Port port) {
    Netns node = nodes.get(instance.id);
    if (node == null) {
      throw new IllegalStateException("no node namespace for instance " + instance.id);
    }
    String fabricEnd = fabricEnd(port);
    MacAddress mac = MacAddress.parse(port.macAddress);
    Link end = fab.vethAdd(new VethSpec(fabricEnd, "eth" + deviceIndex, node, MTU, null, mac));
    Sysctl.set(fabric, "net.ipv4.conf", fabricEnd, "proxy_arp", "1");
    // An SDN's ARP proxy answers at once; Linux delays proxy replies by up to 0.8 s by default.
    Sysctl.set(fabric, "net.ipv4.neigh", fabricEnd, "proxy_delay", "0");
    Sysctl.set(fabric, "net.ipv4.conf", fabricEnd, "rp_filter", "0");
    fab.linkSetUp(end.index());
    for (FixedIp ip : port.fixedIps) {
      routeTo(end.index(), ip.ipAddress(), mac);
    }
  }

  @Override
  public synchronized void portDetached(Instance instance, Port port) {
    try {
      fab.linkDel(fabricEnd(port));
    } catch (LinkNotFoundException e) {
      // already gone with its namespace
    }
  }

  @Override
  public synchronized void portAddressesChanged(Port port, List<FixedIp> before) {
    Link end = fab.linkByName(fabricEnd(port)).orElse(null);
    if (end == null) {
      return; // not attached: nothing on the wire
    }
    MacAddress mac = MacAddress.parse(port.macAddress);
    Set<String> now = new HashSet<>();
    port.fixedIps.forEach(ip -> now.add(ip.ipAddress()));
    for (FixedIp old : before) {
      if (!now.contains(old.ipAddress())) {
        IpAddress a = IpAddress.parse(old.ipAddress());
        try {
          fab.routeDel(Route.to(a.toHostPrefix()).dev(end.index()));
          fab.neighDel(Neigh.permanent(end.index(), a, mac));
        } catch (NotFoundException e) {
          // already gone
        }
      }
    }
    for (String ip : now) {
      routeTo(end.index(), ip, mac);
    }
  }

  /** Deletes every node namespace and every ENI veth of the fabric; keeps the fabric itself. */
  @Override
  public synchronized void reset() {
    nodes.values().forEach(Netns::close);
    for (Link l : fab.linkList()) {
      if ("veth".equals(l.kind())) {
        try {
          fab.linkDel(l.index());
        } catch (LinkNotFoundException e) {
          // its peer's namespace took it
        }
      }
    }
    List<String> gone = new ArrayList<>();
    for (String name : made) {
      if (!name.equals(fabricNamespace())) {
        factory.delete(name);
        gone.add(name);
      }
    }
    made.removeAll(gone);
    nodes.clear();
  }

  private void routeTo(int link, String ip, MacAddress mac) {
    IpAddress a = IpAddress.parse(ip);
    fab.routeReplace(Route.to(a.toHostPrefix()).dev(link));
    fab.neighSet(Neigh.permanent(link, a, mac));
  }

  /** {@code f} + the port id's first 10 hex digits: unique enough, within IFNAMSIZ. */
  private static String fabricEnd(Port port) {
    return "f" + port.id.replace("-", "").substring(0, 10);
  }

  private java.nio.file.Path create(String name) {
    java.nio.file.Path p = factory.create(name);
    made.add(name);
    return p;
  }

  private void deleteAll() {
    for (int i = made.size() - 1; i >= 0; i--) {
      try {
        factory.delete(made.get(i));
      } catch (RuntimeException e) {
        // keep deleting the others
      }
    }
    made.clear();
  }

  @Override
  public synchronized void close() {
    nodes.values().forEach(Netns::close);
    nodes.clear();
    fab.close();
    fabric.close();
    deleteAll();
  }
}
