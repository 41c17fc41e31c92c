package io.vpccni.agent.policy;

import io.vpccni.agent.policy.PodRules.Allow;
import io.vpccni.agent.policy.PodRules.Block;
import io.vpccni.agent.policy.PodRules.Direction;
import io.vpccni.agent.policy.PodRules.PortRange;
import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.IpPrefix;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes {@link PodRules} as one nftables script that replaces table {@code inet vpccni_policy} in
 * a single transaction (nft applies a file atomically): there is never a moment with half a rule
 * set. Shape:
 *
 * <pre>
 * chain forward (hook forward, policy accept)
 *   ct state established,related accept      replies of allowed connections
 *   ip saddr vmap { POD_IP : jump eg_N }     egress of an isolated local pod
 *   ip daddr vmap { POD_IP : jump in_N }     ingress of an isolated local pod
 * chain in_N / eg_N
 *   one rule per allowed peer group × protocol, verdict return (go on to the next check)
 *   counter drop                             default deny of an isolated pod
 * </pre>
 *
 * Peer pods are named sets (hash lookups, so a policy naming a thousand pods costs one rule), equal
 * sets shared. Pod traffic crosses the host's forward hook in the veth datapath both between pods
 * of the node and to and from the VPC; traffic of the node itself (kubelet probes) does not, so it
 * is never filtered, as the NetworkPolicy documentation has it.
 */
public final class NftRenderer {
  public static final String TABLE = "vpccni_policy";

  private final Map<Set<IpAddress>, String> sets = new LinkedHashMap<>();
  private final StringBuilder chains = new StringBuilder();

  private NftRenderer() {}

  public static String render(List<PodRules> pods) {
    return new NftRenderer().doRender(pods);
  }

  private String doRender(List<PodRules> pods) {
    List<String> egressMap = new ArrayList<>();
    List<String> ingressMap = new ArrayList<>();
    int n = 0;
    Set<IpAddress> seen = new java.util.HashSet<>();
    for (PodRules r : pods) {
      if (r.pod().ip().isEmpty() || !seen.add(r.pod().ip().get())) {
        continue; // an address is one pod's: a second entry for it would make nft refuse the map
      }
      String ip = r.pod().ip().get().toString();
      if (r.egress().isolated()) {
        chain("eg_" + n, "daddr", r.egress(), "egress of " + r.pod().key());
        egressMap.add(ip + " : jump eg_" + n);
      }
      if (r.ingress().isolated()) {
        chain("in_" + n, "saddr", r.ingress(), "ingress of " + r.pod().key());
        ingressMap.add(ip + " : jump in_" + n);
      }
      n++;
    }
    StringBuilder b = new StringBuilder();
    b.append("table inet ").append(TABLE).append(" {}\n");
    b.append("delete table inet ").append(TABLE).append('\n');
    b.append("table inet ").append(TABLE).append(" {\n");
    sets.forEach(
        (ips, name) -> {
          b.append("  set ").append(name).append(" {\n    type ipv4_addr;\n");
          if (!ips.isEmpty()) {
            b.append("    elements = { ").append(String.join(", ", sorted(ips))).append(" }\n");
          }
          b.append("  }\n");
        });
    b.append("  chain forward {\n");
    b.append("    type filter hook forward priority filter; policy accept;\n");
    b.append("    ct state established,related accept\n");
    if (!egressMap.isEmpty()) {
      b.append("    ip saddr vmap { ").append(String.join(", ", egressMap)).append(" }\n");
    }
    if (!ingressMap.isEmpty()) {
      b.append("    ip daddr vmap { ").append(String.join(", ", ingressMap)).append(" }\n");
    }
    b.append("  }\n");
    b.append(chains);
    b.append("}\n");
    return b.toString();
  }

  private void chain(String name, String peerField, Direction d, String what) {
    chains.append("  chain ").append(name).append(" {\n");
    for (Allow a : d.allows()) {
      List<String> peerMatches = new ArrayList<>();
      if (a.peers().any()) {
        peerMatches.add("");
      } else {
        if (!a.peers().pods().isEmpty()) {
          peerMatches.add("ip " + peerField + " @" + set(a.peers().pods()) + " ");
        }
        for (Block blk : a.peers().blocks()) {
          StringBuilder m = new StringBuilder("ip " + peerField + " " + blk.cidr() + " ");
          if (!blk.except().isEmpty()) {
            m.append("ip ")
                .append(peerField)
                .append(" != { ")
                .append(String.join(", ", blk.except().stream().map(IpPrefix::toString).toList()))
                .append(" } ");
          }
          peerMatches.add(m.toString());
        }
      }
      List<String> portMatches = ports(a.ports());
      for (String peer : peerMatches) {
        for (String port : portMatches) {
          chains.append("    ").append(peer).append(port).append("return\n");
        }
      }
    }
    chains
        .append("    counter drop comment \"")
        .append(comment("default deny: " + what))
        .append("\"\n  }\n");
  }

  private static List<String> ports(List<PortRange> ranges) {
    if (ranges.isEmpty()) {
      return List.of("");
    }
    Map<Protocol, List<PortRange>> byProto = new EnumMap<>(Protocol.class);
    ranges.forEach(r -> byProto.computeIfAbsent(r.protocol(), k -> new ArrayList<>()).add(r));
    List<String> out = new ArrayList<>();
    byProto.forEach(
        (proto, rs) -> {
          if (rs.stream().anyMatch(PortRange::isAll)) {
            out.add("meta l4proto " + proto.nft() + " ");
            return;
          }
          List<String> items = new ArrayList<>();
          for (PortRange r : merged(rs)) {
            items.add(r.from() == r.to() ? Integer.toString(r.from()) : r.from() + "-" + r.to());
          }
          out.add(
              "meta l4proto " + proto.nft() + " th dport { " + String.join(", ", items) + " } ");
        });
    return out;
  }

  /** Sorted, overlapping and adjacent ranges joined (nft refuses overlaps in one set). */
  static List<PortRange> merged(List<PortRange> rs) {
    List<PortRange> sorted = new ArrayList<>(rs);
    sorted.sort(java.util.Comparator.comparingInt(PortRange::from).thenComparingInt(PortRange::to));
    List<PortRange> out = new ArrayList<>();
    for (PortRange r : sorted) {
      if (!out.isEmpty() && r.from() <= out.getLast().to() + 1) {
        PortRange last = out.removeLast();
        out.add(new PortRange(last.protocol(), last.from(), Math.max(last.to(), r.to())));
      } else {
        out.add(r);
      }
    }
    return out;
  }

  private String set(Set<IpAddress> ips) {
    return sets.computeIfAbsent(Set.copyOf(ips), k -> "peers_" + sets.size());
  }

  private static List<String> sorted(Set<IpAddress> ips) {
    return ips.stream().sorted().map(IpAddress::toString).toList();
  }

  /** nft comments: at most 128 bytes, no quotes. */
  private static String comment(String s) {
    String clean = s.replace('"', '\'').replace('\\', '/');
    return clean.length() > 120 ? clean.substring(0, 120) : clean;
  }
}
