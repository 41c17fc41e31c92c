package io.vpccni.controller.pools;

import io.vpccni.cloud.CloudException;
import io.vpccni.cloud.Subnet;
import io.vpccni.cloud.VpcApi;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Picks the subnet of a pool for a new ENI: among the pool's subnets in the node's zone, the one
 * with the most free addresses (ties: the first id), from the controller's {@link SubnetCache}: a
 * sync costs no cloud call for subnets described within the cache's TTL, the controller's own use
 * is subtracted at once (so that ENIs created within one TTL spread over the subnets), and a subnet
 * the cloud called exhausted counts as empty until its entry expires.
 */
public final class SubnetChooser {
  private final SubnetCache subnets;

  /** With a cache of its own (tests). */
  public SubnetChooser(VpcApi api, Clock clock, Duration ttl) {
    this(new SubnetCache(api, clock, ttl));
  }

  /** On the controller's one subnet cache. */
  public SubnetChooser(SubnetCache subnets) {
    this.subnets = subnets;
  }

  /** The cache it chooses from, shared with the node operations and the SubnetPool status. */
  public SubnetCache cache() {
    return subnets;
  }

  /** The subnet as last described, at most the cache's TTL old. */
  public Subnet describe(String id) {
    return subnets.describe(id);
  }

  /** The cached description, if any, however old (for status reports that must not call). */
  public Optional<Subnet> cached(String id) {
    return subnets.cached(id);
  }

  /**
   * @param addresses addresses the new ENI needs (its primary IP and its secondary IPs)
   * @throws PoolUnservableException {@code NoSubnetInZone} when no subnet of the pool is in the
   *     zone
   * @throws CloudException {@code INSUFFICIENT_ADDRESSES} when none in the zone has enough free
   */
  public Subnet choose(PoolTarget target, String zone, int addresses) {
    List<Subnet> inZone =
        target.subnets().stream()
            .map(this::describeOrNull)
            .filter(s -> s != null)
            .filter(
                s ->
                    zone.isEmpty()
                        || s.availabilityZone().isEmpty()
                        || s.availabilityZone().equals(zone))
            .toList();
    if (inZone.isEmpty()) {
      throw new PoolUnservableException(
          "NoSubnetInZone",
          "SubnetPool "
              + target.pool()
              + " has no subnet in zone "
              + (zone.isEmpty() ? "(none)" : zone)
              + " among "
              + target.subnets());
    }
    Subnet best =
        inZone.stream()
            .max(
                Comparator.comparingLong(Subnet::availableIps)
                    .thenComparing(Subnet::id, Comparator.reverseOrder()))
            .orElseThrow();
    if (best.availableIps() < addresses) {
      throw new CloudException(
          CloudException.Reason.INSUFFICIENT_ADDRESSES,
          "choose a subnet of SubnetPool " + target.pool(),
          "no subnet in zone "
              + zone
              + " has "
              + addresses
              + " free addresses (most: "
              + best
              + ")");
    }
    return best;
  }

  /** The controller took {@code n} addresses of the subnet. */
  public void used(String id, int n) {
    subnets.used(id, n);
  }

  /** The cloud said the subnet is out of addresses: count it empty until its entry expires. */
  public void exhausted(String id) {
    subnets.exhausted(id);
  }

  private Subnet describeOrNull(String id) {
    return subnets.find(id).orElse(null);
  }
}
