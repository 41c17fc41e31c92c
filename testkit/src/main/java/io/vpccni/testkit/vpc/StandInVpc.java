package io.vpccni.testkit.vpc;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A stand-in for the cloud, made of network namespaces, for node-level tests (the full emulator
 * with a cloud API is the {@code vpc-emulator} module's job):
 *
 * <pre>
 *  [host ns "&lt;p&gt;-vpchost" 10.0.0.100]──┐
 *  [node ns "&lt;p&gt;-nodeK" eth0 10.0.0.1K]──┤ fabric ns "&lt;p&gt;-fabric": routes every VPC address to
 *  [node K ENI e: veth "eni&lt;e&gt;", MAC]───┘ the veth of the ENI that owns it (a /32 route plus a
 *                                           permanent neighbour with the ENI's MAC, as an SDN does)
 *                                           and answers ARP for the gateways.
 * </pre>
 *
 * Node K's ENI e (e = 1..enis) is in subnet 10.K.e.0/24, gateway 10.K.e.1, primary IP 10.K.e.10,
 * secondary IPs 10.K.e.20 and up. Nothing touches the root namespace, and no namespace has a route
 * out: all traffic stays inside these namespaces. Names carry the caller's unique prefix; {@link
 * #close()} deletes every namespace (and with them every link).
 */
public final class StandInVpc implements AutoCloseable {
  public static final String HOST_IP = "10.0.0.100";
  public static final String PRIMARY_GATEWAY = "10.0.0.1";

  /** One secondary ENI of a node. */
  public record Eni(
      String id,
      String mac,
      int deviceIndex,
      String subnet,
      String gateway,
      String primaryIp,
      List<String> ips) {
    public String toJson() {
      StringBuilder sb =
          new StringBuilder("{\"id\":\"")
              .append(id)
              .append("\",\"mac\":\"")
              .append(mac)
              .append("\",\"deviceIndex\":")
              .append(deviceIndex)
              .append(",\"subnet\":\"")
              .append(subnet)
              .append("\",\"gateway\":\"")
              .append(gateway)
              .append("\",\"primaryIp\":\"")
              .append(primaryIp)
              .append("\",\"ips\":[");
      for (int i = 0; i < ips.size(); i++) {
        sb.append(i == 0 ? "\"" : ",\"").append(ips.get(i)).append('"');
      }
      return sb.append("]}").toString();
    }
  }

  /** One node: its namespace and ENIs. */
  public record Node(int number, String netns, String ip, List<Eni> enis) {
    public Path netnsPath() {
      return Path.of("/run/netns", netns);
    }

    public String eniFileJson() {
      StringBuilder sb = new StringBuilder("{\"enis\":[");
      for (int i = 0; i < enis.size(); i++) {
        sb.append(i == 0 ? "" : ",").append(enis.get(i).toJson());
      }
      return sb.append("]}").toString();
    }

    public void writeEniFile(Path file) throws java.io.IOException {
      Files.writeString(file, eniFileJson());
    }
  }

  private final String prefix;
  private final String fabric;
  private final String host;
  private final List<Node> nodes = new ArrayList<>();
  private final List<String> namespaces = new ArrayList<>();
  private String adoptedNode;

  private StandInVpc(String prefix) {
    this.prefix = prefix;
    this.fabric = prefix + "-fabric";
    this.host = prefix + "-vpchost";
  }

  /**
   * Builds the fabric, the VPC host and {@code nodes} nodes with {@code enis} ENIs of {@code
   * ipsPerEni} secondary IPs each. On failure, whatever was made is removed before the exception
   * propagates.
   */
  public static StandInVpc create(String prefix, int nodes, int enis, int ipsPerEni) {
    if (prefix.length() > 8) {
      throw new IllegalArgumentException("prefix must be at most 8 characters: " + prefix);
    }
    StandInVpc v = new StandInVpc(prefix);
    try {
      v.build(nodes, enis, ipsPerEni);
      return v;
    } catch (RuntimeException e) {
      v.close();
      throw e;
    }
  }

  /**
   * Like {@link #create}, with one node whose namespace already exists and belongs to someone else
   * (a container runtime's node namespace): it is wired into the fabric but not deleted by {@link
   * #close()}.
   */
  public static StandInVpc createAround(
      String prefix, String existingNodeNetns, int enis, int ipsPerEni) {
    StandInVpc v = new StandInVpc(prefix);
    v.adoptedNode = existingNodeNetns;
    try {
      v.build(1, enis, ipsPerEni);
      return v;
    } catch (RuntimeException e) {
      v.close();
      throw e;
    }
  }

  private void netnsAdd(String name) {
    if (!name.equals(adoptedNode)) {
      Cmd.ok("ip", "netns", "add", name);
      namespaces.add(name);
    }
    // The stand-in VPC is IPv4 only: no IPv6 link-local addresses, whose duplicate address
    // detection would change the namespace's state while tests compare it.
    sysctl(name, "net.ipv6.conf.all.disable_ipv6", "1");
    sysctl(name, "net.ipv6.conf.default.disable_ipv6", "1");
    ip(name, "link", "set", "lo", "up");
  }

  private static void ip(String ns, String... args) {
    String[] cmd = new String[args.length + 3];
    cmd[0] = "ip";
    cmd[1] = "-n";
    cmd[2] = ns;
    System.arraycopy(args, 0, cmd, 3, args.length);
    Cmd.ok(cmd);
  }

  private static void sysctl(String ns, String key, String value) {
    Cmd.ok(
        "ip",
        "netns",
        "exec",
        ns,
        "sh",
        "-c",
        "echo " + value + " > /proc/sys/" + key.replace('.', '/'));
  }

  private void build(int nodeCount, int eniCount, int ipsPerEni) {
    netnsAdd(fabric);
    sysctl(fabric, "net.ipv4.ip_forward", "1");
    sysctl(fabric, "net.ipv4.conf.all.rp_filter", "0");
    sysctl(fabric, "net.ipv4.conf.default.rp_filter", "0");
    // Gateways live on the fabric's loopback; the fabric answers ARP for them on every port.
    ip(fabric, "addr", "add", PRIMARY_GATEWAY + "/32", "dev", "lo");
    netnsAdd(host);
    // The VPC host: veth "eth0" in its namespace, peer "f-host" in the fabric.
    ip(fabric, "link", "add", "f-host", "type", "veth", "peer", "name", "eth0", "netns", host);
    ip(host, "addr", "add", HOST_IP + "/24", "dev", "eth0");
    ip(host, "link", "set", "eth0", "up");
    ip(host, "route", "add", "default", "via", PRIMARY_GATEWAY, "dev", "eth0");
    port("f-host");
    ip(fabric, "route", "add", HOST_IP + "/32", "dev", "f-host");
    for (int k = 1; k <= nodeCount; k++) {
      addNode(k, eniCount, ipsPerEni);
    }
  }

  private void port(String dev) {
    ip(fabric, "link", "set", dev, "up");
    sysctl(fabric, "net.ipv4.conf." + dev + ".rp_filter", "0");
    sysctl(fabric, "net.ipv4.conf." + dev + ".proxy_arp", "1");
  }

  private void addNode(int k, int eniCount, int ipsPerEni) {
    String ns = adoptedNode != null ? adoptedNode : prefix + "-node" + k;
    String nodeIp = "10.0.0." + (10 + k);
    netnsAdd(ns);
    String fport = "f-n" + k;
    ip(fabric, "link", "add", fport, "type", "veth", "peer", "name", "eth0", "netns", ns);
    ip(ns, "addr", "add", nodeIp + "/24", "dev", "eth0");
    ip(ns, "link", "set", "eth0", "up");
    ip(ns, "route", "add", "default", "via", PRIMARY_GATEWAY, "dev", "eth0");
    port(fport);
    ip(fabric, "route", "add", nodeIp + "/32", "dev", fport);
    List<Eni> enis = new ArrayList<>();
    for (int e = 1; e <= eniCount; e++) {
      String mac = String.format(Locale.ROOT, "02:fa:%02x:%02x:00:01", k, e);
      String subnet = "10." + k + "." + e + ".0/24";
      String gw = "10." + k + "." + e + ".1";
      String primary = "10." + k + "." + e + ".10";
      String eport = "f-n" + k + "e" + e;
      ip(fabric, "link", "add", eport, "type", "veth", "peer", "name", "eni" + e, "netns", ns);
      ip(ns, "link", "set", "eni" + e, "address", mac);
      ip(fabric, "addr", "add", gw + "/32", "dev", "lo");
      port(eport);
      List<String> ips = new ArrayList<>();
      for (int i = 0; i < ipsPerEni; i++) {
        ips.add("10." + k + "." + e + "." + (20 + i));
      }
      List<String> routed = new ArrayList<>(ips);
      routed.add(primary);
      for (String a : routed) {
        ip(fabric, "route", "add", a + "/32", "dev", eport);
        ip(fabric, "neigh", "replace", a, "lladdr", mac, "dev", eport, "nud", "permanent");
      }
      enis.add(new Eni("eni-" + k + "-" + e, mac, e, subnet, gw, primary, ips));
    }
    nodes.add(new Node(k, ns, nodeIp, List.copyOf(enis)));
  }

  public String prefix() {
    return prefix;
  }

  public String fabricNetns() {
    return fabric;
  }

  /** The namespace of a host in the VPC that is not a node ({@link #HOST_IP}). */
  public String hostNetns() {
    return host;
  }

  public Node node(int k) {
    return nodes.get(k - 1);
  }

  public List<Node> nodes() {
    return List.copyOf(nodes);
  }

  /** Pings {@code dst} from namespace {@code ns} once; true if it answered within 2 s. */
  public static boolean ping(String ns, String dst) {
    return Cmd.run(List.of("ip", "netns", "exec", ns, "ping", "-c1", "-W2", "-q", dst), 10).exit()
        == 0;
  }

  @Override
  public void close() {
    for (int i = namespaces.size() - 1; i >= 0; i--) {
      Cmd.quiet("ip", "netns", "del", namespaces.get(i));
    }
    namespaces.clear();
  }
}
