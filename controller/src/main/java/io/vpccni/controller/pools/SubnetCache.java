package io.vpccni.controller.pools;

import io.vpccni.cloud.CloudException;
import io.vpccni.cloud.Subnet;
import io.vpccni.cloud.VpcApi;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's one view of subnets (CIDR, zone, free addresses), shared by everything that
 * needs one: the ENI spec (CIDR and gateway), the NodeENI's {@code spec.subnets} free counts (the
 * device plugin's capacity), the SubnetPool subnet choice and the SubnetPool status. One freshness
 * rule: a description is trusted for {@code ttl} ({@code subnetCacheSeconds}), so each subnet costs
 * at most one describe call per period, whatever the number of nodes, pools and syncs; callers that
 * miss the same subnet at once share one call.
 *
 * <ul>
 *   <li>Our own writes count at once: an ENI we create takes its addresses from the cached count
 *       ({@link #used}), so ENIs created within one period spread over a pool's subnets, and a
 *       subnet the cloud called exhausted counts as empty ({@link #exhausted}) until it expires.
 *   <li>A failed describe keeps the last known description for another period (a cloud in trouble
 *       is not asked again on every sync); with none known, the failure is thrown.
 *   <li>A subnet the cloud does not know ({@code NOT_FOUND}) is remembered as such for a period.
 *   <li>A CIDR never changes: {@link #cidrOf} uses a description of any age.
 * </ul>
 */
public final class SubnetCache {
  private static final Logger logger = LoggerFactory.getLogger(SubnetCache.class);

  private final VpcApi api;
  private final Clock clock;
  private final Duration ttl;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private final Map<String, Object> locks = new ConcurrentHashMap<>();

  /**
   * The last description (null if never described), and the failure to throw while the entry is
   * fresh (NOT_FOUND, or a failed describe of a subnet never described), else null.
   */
  private record Entry(Subnet subnet, CloudException failure, Instant at) {}

  public SubnetCache(VpcApi api, Clock clock, Duration ttl) {
    this.api = api;
    this.clock = clock;
    this.ttl = ttl;
  }

  /** How long a description is trusted. */
  public Duration ttl() {
    return ttl;
  }

  /**
   * The subnet as described at most {@code ttl} ago (or, if the describe just failed, as last
   * known).
   *
   * @throws CloudException {@code NOT_FOUND} when the cloud does not know the subnet; the
   *     describe's failure when nothing is known of it
   */
  public Subnet describe(String id) {
    Entry e = fresh(id);
    if (e == null) {
      synchronized (locks.computeIfAbsent(id, k -> new Object())) {
        e = fresh(id); // another caller may have described it meanwhile
        if (e == null) {
          e = load(id);
        }
      }
    }
    if (e.failure() != null) {
      throw e.failure();
    }
    return e.subnet();
  }

  /** As {@link #describe}, empty when the cloud does not know the subnet. */
  public Optional<Subnet> find(String id) {
    try {
      return Optional.of(describe(id));
    } catch (CloudException ex) {
      if (ex.isNotFound()) {
        return Optional.empty();
      }
      throw ex;
    }
  }

  /** The subnet's CIDR from a description of any age (a CIDR never changes), else described. */
  public Subnet cidrOf(String id) {
    Entry e = entries.get(id);
    if (e != null && e.subnet() != null) {
      return e.subnet();
    }
    return describe(id);
  }

  /** The last description, however old, without calling the cloud. */
  public Optional<Subnet> cached(String id) {
    return Optional.ofNullable(entries.get(id)).map(Entry::subnet);
  }

  /** We took {@code n} addresses of the subnet: the cached count drops at once. */
  public void used(String id, int n) {
    entries.computeIfPresent(
        id,
        (k, e) -> {
          if (e.subnet() == null) {
            return e;
          }
          Subnet s = e.subnet();
          long left = Math.max(0, s.availableIps() - n);
          return new Entry(
              new Subnet(s.id(), s.cidr(), s.availabilityZone(), left), e.failure(), e.at());
        });
  }

  /** The cloud said the subnet is out of addresses: count it empty until its entry expires. */
  public void exhausted(String id) {
    if (find(id).isPresent()) {
      used(id, Integer.MAX_VALUE);
    }
  }

  private Entry fresh(String id) {
    Entry e = entries.get(id);
    return e != null && e.at().plus(ttl).isAfter(clock.instant()) ? e : null;
  }

  private Entry load(String id) {
    Instant now = clock.instant();
    Entry known = entries.get(id);
    Entry e;
    try {
      e = new Entry(api.describeSubnet(id), null, now);
    } catch (CloudException ex) {
      if (!ex.isNotFound() && known != null && known.subnet() != null) {
        logger.warn(
            "failed to describe subnet {}: {}; keeping its last known free count for {}",
            id,
            ex.getMessage(),
            ttl);
        e = new Entry(known.subnet(), null, now);
      } else {
        e = new Entry(null, ex, now); // not asked again before the period ends
      }
    }
    entries.put(id, e);
    return e;
  }
}
