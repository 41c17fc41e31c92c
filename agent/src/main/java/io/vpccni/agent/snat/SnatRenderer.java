package io.vpccni.agent.snat;

import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.IpPrefix;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Writes table {@code ip vpccni_nat} as one nftables script that replaces it in a single
 * transaction ({@code nft -f} applies a file atomically, so an agent restart or a new node address
 * never leaves a moment without rules). It steers three kinds of connections through the primary
 * interface with one packet-mark bit M: connections that came in through the primary interface to
 * the node (NodePort; a pod sends the replies); pod connections kube-proxy marks with its bit K to
 * masquerade (a NodePort called from a pod, endpoint on another node: with the node's address they
 * must not leave through the pod's ENI); and, with SNAT on, pod connections that leave the VPC.
 * Shape, for pod interfaces {@code vpc*}, primary interface {@code eth0} and node address N:
 *
 * <pre>
 * set never_snat (interval)            SNAT only: the VPC's CIDRs, ENI subnets, nonSnatCidrs
 * chain from_primary (filter, prerouting, priority -150: before DNAT)
 *   iifname "eth0" ct state new fib daddr type local ct mark set ct mark or M
 * chain pod_mark (filter, prerouting, priority -90: after kube-proxy's DNAT at -100)
 *   iifname "vpc*" ct state new ip daddr != @never_snat ct mark set ct mark or M     SNAT only
 *   iifname "vpc*" ct state new meta mark and K == K ct mark set ct mark or M
 *   ct mark and M == M meta mark set meta mark or M
 * chain pod_snat (nat, postrouting, priority srcnat)                                 SNAT only
 *   iifname "vpc*" ct mark and M == M snat to N
 * </pre>
 *
 * The packet mark sends a marked connection's packets to the main table ({@code ip rule fwmark M/M
 * lookup main}, before the pods' {@code from <pod> lookup <ENI table>}), whose default route is the
 * primary interface: a pod's reply to a NodePort client leaves with the node's address (kube-proxy
 * undoes its DNAT) through the interface that owns it, not through the pod's ENI, where the VPC's
 * source check would drop it; SNATed traffic leaves with the primary address through the primary
 * interface. The SNAT mark is chosen after DNAT, so a pod's connection to a ClusterIP whose
 * endpoint is in the VPC keeps the pod's address and its ENI. Replies get the mark back from the
 * connection too: with {@code src_valid_mark} on the primary interface the reverse-path check then
 * finds the main table's route and a strict {@code rp_filter} passes.
 */
public final class SnatRenderer {
  public static final String TABLE = "vpccni_nat";

  /** Priority of the mark chain: after DNAT (-100, kube-proxy's), before the route lookup. */
  public static final int MARK_PRIORITY = -90;

  /** Priority of the chain that marks connections to the node: before DNAT. */
  public static final int PRIMARY_PRIORITY = -150;

  private SnatRenderer() {}

  /**
   * The script that puts the rules in force.
   *
   * @param podInterfacePrefix the host ends of pod veths start with it ({@code vpc})
   * @param primaryInterface the interface of the node's default route
   * @param nodeIp the node's primary address, the source SNATed traffic gets
   * @param snat whether to SNAT pod traffic leaving the VPC
   * @param neverSnat with SNAT, the destinations that keep the pod's address (at least one)
   * @param mark the one packet-mark bit of connections routed through the primary interface
   * @param kubeProxyMasq the packet-mark bit kube-proxy sets on connections it masquerades
   */
  public static String render(
      String podInterfacePrefix,
      String primaryInterface,
      IpAddress nodeIp,
      boolean snat,
      List<IpPrefix> neverSnat,
      long mark,
      long kubeProxyMasq) {
    if (nodeIp.family() != 2) {
      throw new IllegalArgumentException("node address " + nodeIp + " is not IPv4");
    }
    if (Long.bitCount(mark) != 1 || mark > 0x8000_0000L) {
      throw new IllegalArgumentException("mark 0x" + Long.toHexString(mark) + " is not one bit");
    }
    if (Long.bitCount(kubeProxyMasq) != 1
        || kubeProxyMasq > 0x8000_0000L
        || kubeProxyMasq == mark) {
      throw new IllegalArgumentException(
          "kube-proxy's mark 0x" + Long.toHexString(kubeProxyMasq) + " is not one other bit");
    }
    List<IpPrefix> set = collapse(neverSnat);
    if (snat && set.isEmpty()) {
      throw new IllegalArgumentException("no destination is exempt from SNAT: the VPC must be");
    }
    String m = "0x" + Long.toHexString(mark);
    String pods = "iifname \"" + podInterfacePrefix + "*\" ";
    StringBuilder sb = new StringBuilder(removal());
    sb.append("table ip ").append(TABLE).append(" {\n");
    if (snat) {
      sb.append("  set never_snat {\n    type ipv4_addr\n    flags interval\n    elements = { ");
      for (int i = 0; i < set.size(); i++) {
        sb.append(i == 0 ? "" : ", ").append(set.get(i));
      }
      sb.append(" }\n  }\n");
    }
    sb.append("  chain from_primary {\n    type filter hook prerouting priority ")
        .append(PRIMARY_PRIORITY)
        .append("; policy accept;\n");
    sb.append("    iifname \"")
        .append(primaryInterface)
        .append("\" ct state new fib daddr type local ct mark set ct mark or ")
        .append(m)
        .append("\n  }\n");
    sb.append("  chain pod_mark {\n    type filter hook prerouting priority ")
        .append(MARK_PRIORITY)
        .append("; policy accept;\n");
    if (snat) {
      sb.append("    ")
          .append(pods)
          .append("ct state new ip daddr != @never_snat ct mark set ct mark or ")
          .append(m)
          .append('\n');
    }
    String k = "0x" + Long.toHexString(kubeProxyMasq);
    sb.append("    ")
        .append(pods)
        .append("ct state new meta mark and ")
        .append(k)
        .append(" == ")
        .append(k)
        .append(" ct mark set ct mark or ")
        .append(m)
        .append('\n');
    sb.append("    ct mark and ")
        .append(m)
        .append(" == ")
        .append(m)
        .append(" meta mark set meta mark or ")
        .append(m)
        .append("\n  }\n");
    if (snat) {
      sb.append(
          "  chain pod_snat {\n    type nat hook postrouting priority srcnat; policy accept;\n");
      sb.append("    ")
          .append(pods)
          .append("ct mark and ")
          .append(m)
          .append(" == ")
          .append(m)
          .append(" snat to ")
          .append(nodeIp)
          .append("\n  }\n");
    }
    sb.append("}\n");
    return sb.toString();
  }

  /** The script that removes the table; absent is fine. */
  public static String removal() {
    return "table ip " + TABLE + " {}\ndelete table ip " + TABLE + "\n";
  }

  /**
   * IPv4 networks, sorted, with every prefix that another one contains left out (nft refuses
   * overlapping elements of an interval set).
   */
  static List<IpPrefix> collapse(List<IpPrefix> prefixes) {
    List<IpPrefix> sorted =
        prefixes.stream()
            .filter(p -> p.address().family() == 2)
            .map(IpPrefix::network)
            .distinct()
            .sorted(
                Comparator.comparingInt((IpPrefix p) -> p.length())
                    .thenComparing(p -> p.address().toString()))
            .toList();
    List<IpPrefix> kept = new ArrayList<>();
    for (IpPrefix p : sorted) {
      if (kept.stream().noneMatch(k -> k.contains(p.address()))) {
        kept.add(p);
      }
    }
    kept.sort(Comparator.comparing((IpPrefix p) -> unsigned(p.address())));
    return kept;
  }

  private static long unsigned(IpAddress a) {
    byte[] b = a.toBytes();
    return ((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL);
  }
}
