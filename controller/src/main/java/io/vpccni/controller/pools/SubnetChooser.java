package io.vpccni.controller.pools;

import io.vpccni.cloud.CloudException;
import io.vpccni.cloud.Subnet;
import io.vpccni.cloud.VpcApi;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Picks the subnet of a pool for a new ENI: among the pool's subnets in the node's zone, the one
 * with the most free addresses (ties: the first id). Subnet descriptions are cached per subnet for
 * {@code ttl}, so a sync costs no cloud call for them; the controller's own use is subtracted from
 * the cached count at once (so that ENIs created within one TTL spread over the subnets), and a
 * subnet the cloud called exhausted counts as empty until its entry expires.
 */
public final class SubnetChooser {
  private final VpcApi api;
  private final Clock clock;
  private final Duration ttl;
  private final Map<String, Entry> cache = new ConcurrentHashMap<>();

  private record Entry(Subnet subnet, Instant at) {}

  public SubnetChooser(VpcApi api, Clock clock, Duration ttl) {
    this.api = api;
    this.clock = clock;
    this.ttl = ttl;
  }

  /** The subnet as last described, at most {@code ttl} old. */
  public Subnet describe(String id) {
    Entry e = cache.get(id);
    Instant now = clock.instant();
    if (e != null && e.at().plus(ttl).isAfter(now)) {
      return e.subnet();
    }
    Subnet s = api.describeSubnet(id);
    cache.put(id, new Entry(s, now));
    return s;
  }

  /** The cached description, if any, however old (for status reports that must not call). */
  public Optional<Subnet> cached(String id) {
    return Optional.ofNullable(cache.get(id)).map(Entry::subnet);
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
    cache.computeIfPresent(
        id,
        (k, e) -> {
          Subnet s = e.subnet();
          long left = Math.max(0, s.availableIps() - n);
          return new Entry(new Subnet(s.id(), s.cidr(), s.availabilityZone(), left), e.at());
        });
  }

  /** The cloud said the subnet is out of addresses: count it empty until its entry expires. */
  public void exhausted(String id) {
    if (describeOrNull(id) != null) {
      used(id, Integer.MAX_VALUE);
    }
  }

  private Subnet describeOrNull(String id) {
    try {
      return describe(id);
    } catch (CloudException e) {
      if (e.isNotFound()) {
        return null;
      }
      throw e;
    }
  }
}
