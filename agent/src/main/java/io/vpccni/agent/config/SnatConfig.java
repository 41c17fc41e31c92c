package io.vpccni.agent.config;

import io.vpccni.agentapi.JsonObject;
import io.vpccni.netaddr.IpPrefix;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The agent config's {@code snat} object: source NAT of pod traffic that leaves the VPC, to the
 * node's primary address. Off by default (a VPC with a NAT gateway needs none; nodes with public
 * IPs whose pods have none do).
 *
 * @param enabled whether the agent installs table {@code ip vpccni_nat}
 * @param vpcCidrs the VPC's CIDR blocks: never SNATed (required when enabled)
 * @param nonSnatCidrs more destinations that are never SNATed (peered VPCs, VPN, on-premises)
 * @param mark the one packet-mark bit that routes NodePort replies, SNATed traffic and masqueraded
 *     pod traffic out of the primary interface
 * @param kubeProxyMasqueradeBit the bit of the packet mark with which kube-proxy marks connections
 *     it masquerades (its {@code masqueradeBit}, 14 by default)
 */
public record SnatConfig(
    boolean enabled,
    List<IpPrefix> vpcCidrs,
    List<IpPrefix> nonSnatCidrs,
    long mark,
    int kubeProxyMasqueradeBit) {
  public static final long DEFAULT_MARK = 0x80;
  public static final int DEFAULT_KUBE_PROXY_BIT = 14;
  public static final SnatConfig OFF =
      new SnatConfig(false, List.of(), List.of(), DEFAULT_MARK, DEFAULT_KUBE_PROXY_BIT);
  private static final Set<String> KEYS =
      Set.of("enabled", "vpcCidrs", "nonSnatCidrs", "mark", "kubeProxyMasqueradeBit");

  public SnatConfig {
    vpcCidrs = List.copyOf(vpcCidrs);
    nonSnatCidrs = List.copyOf(nonSnatCidrs);
  }

  /** kube-proxy's masquerade mark, {@code 1 << kubeProxyMasqueradeBit}. */
  public long kubeProxyMasqueradeMark() {
    return 1L << kubeProxyMasqueradeBit;
  }

  /** Every destination that keeps the pod's address: the VPC's CIDRs, then the user's. */
  public List<IpPrefix> neverSnat() {
    List<IpPrefix> all = new ArrayList<>(vpcCidrs);
    all.addAll(nonSnatCidrs);
    return all;
  }

  /**
   * Parses {@code o} (the value of key {@code snat}); errors name the field, e.g. {@code
   * snat.nonSnatCidrs[1]}.
   */
  static SnatConfig parse(JsonObject o, Mode mode) {
    for (String k : o.map().keySet()) {
      if (!KEYS.contains(k)) {
        throw o.invalid(
            k, "unknown key (known: " + String.join(", ", KEYS.stream().sorted().toList()) + ")");
      }
    }
    boolean enabled = o.bool("enabled", false);
    List<IpPrefix> vpc = cidrs(o, "vpcCidrs");
    List<IpPrefix> non = cidrs(o, "nonSnatCidrs");
    long mark = o.optInteger("mark").orElse(DEFAULT_MARK);
    if (mark <= 0 || mark > 0x8000_0000L || Long.bitCount(mark) != 1) {
      throw o.invalid(
          "mark",
          "must be one bit of the 32-bit packet mark (a power of two, e.g. 128 = 0x80), not "
              + mark);
    }
    long bit = o.optInteger("kubeProxyMasqueradeBit").orElse((long) DEFAULT_KUBE_PROXY_BIT);
    if (bit < 0 || bit > 31) {
      throw o.invalid("kubeProxyMasqueradeBit", "must be between 0 and 31, not " + bit);
    }
    if ((1L << bit) == mark) {
      throw o.invalid(
          "kubeProxyMasqueradeBit",
          "is bit " + bit + " = 0x" + Long.toHexString(mark) + ", the same bit as snat.mark");
    }
    if (enabled && vpc.isEmpty()) {
      throw o.missing(
          "vpcCidrs",
          "array of CIDRs; required when snat.enabled is true: the VPC is never SNATed");
    }
    if (enabled && mode != Mode.SHARED) {
      throw o.invalid(
          "enabled",
          "SNAT needs mode \"shared\": in "
              + mode.key()
              + " mode pod traffic does not cross the node's netfilter");
    }
    return new SnatConfig(enabled, vpc, non, mark, (int) bit);
  }

  private static List<IpPrefix> cidrs(JsonObject o, String key) {
    List<String> raw = o.strings(key);
    List<IpPrefix> out = new ArrayList<>(raw.size());
    for (int i = 0; i < raw.size(); i++) {
      String field = key + "[" + i + "]";
      IpPrefix p;
      try {
        p = IpPrefix.parse(raw.get(i));
      } catch (IllegalArgumentException e) {
        throw o.invalid(
            field, "must be an IPv4 CIDR such as 10.0.0.0/16, not \"" + raw.get(i) + "\"");
      }
      if (p.address().family() != 2) {
        throw o.invalid(field, "must be IPv4 (SNAT is IPv4 only), not " + raw.get(i));
      }
      if (!p.network().equals(p)) {
        throw o.invalid(
            field, "has host bits set: " + raw.get(i) + " (did you mean " + p.network() + "?)");
      }
      out.add(p);
    }
    return out;
  }
}
