package io.vpccni.agent.policy;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.vpccni.agent.policy.PodRules.Allow;
import io.vpccni.agent.policy.PodRules.Block;
import io.vpccni.agent.policy.PodRules.Direction;
import io.vpccni.agent.policy.PodRules.Peers;
import io.vpccni.agent.policy.PodRules.PortRange;
import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.IpPrefix;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Compiles Kubernetes NetworkPolicies into {@link PodRules} for the pods of this node, following
 * the NetworkPolicy documentation:
 *
 * <ul>
 *   <li>a policy selects the pods of its namespace that match {@code podSelector} (empty: all);
 *   <li>{@code policyTypes} absent means Ingress, plus Egress when the policy has egress rules;
 *   <li>a pod selected for a direction by any policy is isolated in it: only what some selecting
 *       policy's rules allow passes (the union); a pod selected by none is not isolated;
 *   <li>a rule with no peers allows every peer, with no ports every port; a peer is an ipBlock
 *       (cidr minus except), pods of the policy's namespace ({@code podSelector}), every pod of the
 *       namespaces matched ({@code namespaceSelector}), or both together (matching pods in matching
 *       namespaces);
 *   <li>a port is a protocol (TCP when absent) with a number, a range ({@code endPort}) or a name,
 *       which resolves against the container ports of the pod traffic goes to: the selected pod for
 *       ingress, each peer pod for egress (a name no pod has matches nothing).
 * </ul>
 *
 * Replies from either side of an allowed connection are allowed by connection tracking, in the
 * renderer. A malformed part of a policy (the API server validates policies, so this is for what
 * slips through) matches nothing and is reported in {@link Result#errors()}, naming the field.
 */
public final class PolicyCompiler {

  /** The compiled rules of the local pods, in the order given, and what was malformed. */
  public record Result(List<PodRules> pods, List<String> errors) {}

  private final Map<String, Map<String, String>> namespaceLabels;
  private final List<PolicyPod> allPods;
  private final PodIndex index;
  private final List<String> errors = new ArrayList<>();

  private PolicyCompiler(Map<String, Map<String, String>> namespaceLabels, List<PolicyPod> all) {
    this.namespaceLabels = namespaceLabels;
    this.allPods = all;
    this.index = new PodIndex(all);
  }

  /**
   * @param namespaceLabels every namespace's labels
   * @param allPods every pod of the cluster (peers may be anywhere)
   * @param localPods the pods of this node, which get rules
   */
  public static Result compile(
      List<NetworkPolicy> policies,
      Map<String, Map<String, String>> namespaceLabels,
      List<PolicyPod> allPods,
      List<PolicyPod> localPods) {
    PolicyCompiler c = new PolicyCompiler(namespaceLabels, allPods);
    List<PodRules> out = new ArrayList<>();
    for (PolicyPod pod : localPods) {
      out.add(c.rulesOf(pod, policies));
    }
    return new Result(out, List.copyOf(new java.util.LinkedHashSet<>(c.errors)));
  }

  private PodRules rulesOf(PolicyPod pod, List<NetworkPolicy> policies) {
    List<Allow> in = new ArrayList<>();
    List<Allow> out = new ArrayList<>();
    List<String> inBy = new ArrayList<>();
    List<String> outBy = new ArrayList<>();
    for (NetworkPolicy p : policies) {
      String ns = p.getMetadata().getNamespace();
      if (!pod.namespace().equals(ns) || p.getSpec() == null) {
        continue;
      }
      String where = ns + "/" + p.getMetadata().getName();
      if (!selects(p.getSpec().getPodSelector(), pod.labels(), where + ": spec.podSelector")) {
        continue;
      }
      var spec = p.getSpec();
      List<String> types = spec.getPolicyTypes();
      boolean hasEgressRules = spec.getEgress() != null && !spec.getEgress().isEmpty();
      boolean ingress = types == null || types.isEmpty() || types.contains("Ingress");
      boolean egress = types == null || types.isEmpty() ? hasEgressRules : types.contains("Egress");
      if (ingress) {
        inBy.add(where);
        var rules =
            spec.getIngress() == null
                ? List.<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule>of()
                : spec.getIngress();
        for (int i = 0; i < rules.size(); i++) {
          String f = where + ": spec.ingress[" + i + "]";
          Peers peers = peers(rules.get(i).getFrom(), ns, f + ".from");
          in.addAll(ingressAllows(peers, rules.get(i).getPorts(), pod, f + ".ports"));
        }
      }
      if (egress) {
        outBy.add(where);
        var rules =
            spec.getEgress() == null
                ? List.<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule>of()
                : spec.getEgress();
        for (int i = 0; i < rules.size(); i++) {
          String f = where + ": spec.egress[" + i + "]";
          List<PolicyPod> peerPods = new ArrayList<>();
          Peers peers = peers(rules.get(i).getTo(), ns, f + ".to", peerPods);
          out.addAll(egressAllows(peers, peerPods, rules.get(i).getPorts(), f + ".ports"));
        }
      }
    }
    return new PodRules(
        pod,
        inBy.isEmpty() ? Direction.OPEN : new Direction(true, in, inBy),
        outBy.isEmpty() ? Direction.OPEN : new Direction(true, out, outBy));
  }

  private boolean selects(LabelSelector s, Map<String, String> labels, String field) {
    try {
      return Selectors.matches(s, labels);
    } catch (IllegalArgumentException e) {
      errors.add(field + ": " + e.getMessage());
      return false;
    }
  }

  private boolean valid(LabelSelector s, String field) {
    try {
      Selectors.validate(s);
      return true;
    } catch (IllegalArgumentException e) {
      errors.add(field + ": " + e.getMessage());
      return false;
    }
  }

  private Peers peers(List<NetworkPolicyPeer> list, String policyNs, String field) {
    return peers(list, policyNs, field, new ArrayList<>());
  }

  /** The union of the peers; the pods among them also go to {@code podsOut} (for named ports). */
  private Peers peers(
      List<NetworkPolicyPeer> list, String policyNs, String field, List<PolicyPod> podsOut) {
    if (list == null || list.isEmpty()) {
      podsOut.addAll(allPods);
      return Peers.ANY;
    }
    Set<IpAddress> ips = new HashSet<>();
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      NetworkPolicyPeer peer = list.get(i);
      String f = field + "[" + i + "]";
      if (peer.getIpBlock() != null) {
        if (peer.getPodSelector() != null || peer.getNamespaceSelector() != null) {
          errors.add(f + ": ipBlock cannot be combined with a selector");
          continue;
        }
        block(peer.getIpBlock(), f + ".ipBlock").ifPresent(blocks::add);
        continue;
      }
      if (peer.getPodSelector() == null && peer.getNamespaceSelector() == null) {
        errors.add(f + ": a peer needs podSelector, namespaceSelector or ipBlock");
        continue;
      }
      boolean valid = valid(peer.getNamespaceSelector(), f + ".namespaceSelector");
      valid &= valid(peer.getPodSelector(), f + ".podSelector");
      if (!valid) {
        continue; // a malformed selector matches nothing
      }
      for (PolicyPod p :
          index.select(
              peer.getNamespaceSelector(), peer.getPodSelector(), policyNs, namespaceLabels)) {
        podsOut.add(p);
        p.ip().ifPresent(ips::add);
      }
    }
    return new Peers(false, ips, blocks);
  }

  private java.util.Optional<Block> block(IPBlock b, String field) {
    try {
      IpPrefix cidr = IpPrefix.parse(b.getCidr());
      List<IpPrefix> except = new ArrayList<>();
      for (String e : b.getExcept() == null ? List.<String>of() : b.getExcept()) {
        except.add(IpPrefix.parse(e));
      }
      if (!cidr.address().isV4()) {
        return java.util.Optional.empty(); // pods are IPv4 only for now; an IPv6 block is moot
      }
      return java.util.Optional.of(new Block(cidr.network(), except));
    } catch (IllegalArgumentException | NullPointerException e) {
      errors.add(field + ": cidr " + b.getCidr() + " or except " + b.getExcept() + " is not valid");
      return java.util.Optional.empty();
    }
  }

  private List<Allow> ingressAllows(
      Peers peers, List<NetworkPolicyPort> ports, PolicyPod target, String field) {
    if (peers.isEmpty()) {
      return List.of();
    }
    if (ports == null || ports.isEmpty()) {
      return List.of(new Allow(peers, List.of()));
    }
    List<PortRange> ranges = new ArrayList<>();
    for (int i = 0; i < ports.size(); i++) {
      Spec s = spec(ports.get(i), field + "[" + i + "]");
      if (s == null) {
        continue;
      }
      if (s.name() != null) {
        namedOn(target, s).forEach(ranges::add);
      } else {
        ranges.add(s.range());
      }
    }
    return ranges.isEmpty() ? List.of() : List.of(new Allow(peers, ranges));
  }

  private List<Allow> egressAllows(
      Peers peers, List<PolicyPod> peerPods, List<NetworkPolicyPort> ports, String field) {
    if (peers.isEmpty()) {
      return List.of();
    }
    if (ports == null || ports.isEmpty()) {
      return List.of(new Allow(peers, List.of()));
    }
    List<Allow> out = new ArrayList<>();
    List<PortRange> numbered = new ArrayList<>();
    for (int i = 0; i < ports.size(); i++) {
      Spec s = spec(ports.get(i), field + "[" + i + "]");
      if (s == null) {
        continue;
      }
      if (s.name() == null) {
        numbered.add(s.range());
        continue;
      }
      // a name means a different number on each destination pod: group the peers by it
      Map<PortRange, Set<IpAddress>> byPort = new TreeMap<>(PORT_ORDER);
      for (PolicyPod p : peerPods) {
        if (p.ip().isEmpty()) {
          continue;
        }
        for (PortRange r : namedOn(p, s)) {
          byPort.computeIfAbsent(r, k -> new HashSet<>()).add(p.ip().get());
        }
      }
      byPort.forEach((r, ips) -> out.add(new Allow(new Peers(false, ips, List.of()), List.of(r))));
    }
    if (!numbered.isEmpty()) {
      out.add(0, new Allow(peers, numbered));
    }
    return out;
  }

  private static final java.util.Comparator<PortRange> PORT_ORDER =
      java.util.Comparator.comparing(PortRange::protocol)
          .thenComparingInt(PortRange::from)
          .thenComparingInt(PortRange::to);

  /** One NetworkPolicyPort: a range, or a name to resolve. */
  private record Spec(Protocol protocol, PortRange range, String name) {}

  private Spec spec(NetworkPolicyPort p, String field) {
    var proto = Protocol.parse(p.getProtocol());
    if (proto.isEmpty()) {
      errors.add(field + ".protocol: " + p.getProtocol() + " is not TCP, UDP or SCTP");
      return null;
    }
    IntOrString port = p.getPort();
    if (port == null) {
      if (p.getEndPort() != null) {
        errors.add(field + ".endPort: needs a numeric port");
        return null;
      }
      return new Spec(proto.get(), PortRange.all(proto.get()), null);
    }
    if (port.getStrVal() != null) {
      if (p.getEndPort() != null) {
        errors.add(field + ".endPort: cannot be used with a named port");
        return null;
      }
      return new Spec(proto.get(), null, port.getStrVal());
    }
    int from = port.getIntVal() == null ? -1 : port.getIntVal();
    int to = p.getEndPort() == null ? from : p.getEndPort();
    if (from < 1 || from > 65535 || to < from || to > 65535) {
      errors.add(field + ": port " + from + (to != from ? "-" + to : "") + " is not in 1-65535");
      return null;
    }
    return new Spec(proto.get(), new PortRange(proto.get(), from, to), null);
  }

  private static List<PortRange> namedOn(PolicyPod pod, Spec s) {
    Map<Integer, PortRange> out = new LinkedHashMap<>();
    for (PolicyPod.NamedPort np : pod.ports()) {
      if (np.name().equals(s.name()) && np.protocol() == s.protocol()) {
        out.put(np.port(), new PortRange(s.protocol(), np.port(), np.port()));
      }
    }
    return List.copyOf(out.values());
  }
}
