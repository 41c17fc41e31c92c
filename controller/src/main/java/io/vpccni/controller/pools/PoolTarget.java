package io.vpccni.controller.pools;

import java.util.List;

/**
 * Where a new ENI of one pool goes: the pool's name (tagged on the ENI, {@code ""} for the default
 * pool), its candidate subnets and its security groups. The default pool's lists are empty: the
 * node's own subnet and security groups, as before SubnetPools.
 */
public record PoolTarget(String pool, List<String> subnets, List<String> securityGroups) {
  public static final PoolTarget DEFAULT = new PoolTarget("", List.of(), List.of());

  public PoolTarget {
    pool = pool == null ? "" : pool;
    subnets = List.copyOf(subnets);
    securityGroups = List.copyOf(securityGroups);
  }

  public boolean isDefault() {
    return pool.isEmpty();
  }
}
