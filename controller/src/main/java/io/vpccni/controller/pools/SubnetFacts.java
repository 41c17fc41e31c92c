package io.vpccni.controller.pools;

import io.vpccni.crd.NodeEniSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Free-address counts of subnets, for {@code NodeENI spec.subnets}, described at most once per
 * subnet per {@code ttl} (the cloud resync period) whatever the number of nodes in it and of syncs.
 * A failed or empty description keeps the last known facts (if any) until the next period, so a
 * cloud in trouble is not asked again on every sync.
 */
final class SubnetFacts {
  private static final Logger logger = LoggerFactory.getLogger(SubnetFacts.class);

  private final Function<String, Optional<NodeEniSpec.Subnet>> describe;
  private final Clock clock;
  private final Duration ttl;
  private final Map<String, Entry> cache = new ConcurrentHashMap<>();

  /** What we know of one subnet (null if never described successfully), and when we asked. */
  private record Entry(NodeEniSpec.Subnet subnet, Instant at) {}

  SubnetFacts(Function<String, Optional<NodeEniSpec.Subnet>> describe, Clock clock, Duration ttl) {
    this.describe = describe;
    this.clock = clock;
    this.ttl = ttl;
  }

  /** Facts of these subnets, in order, omitting unknown ones; copies. */
  List<NodeEniSpec.Subnet> of(Collection<String> subnetIds) {
    List<NodeEniSpec.Subnet> out = new ArrayList<>();
    for (String id : subnetIds) {
      NodeEniSpec.Subnet s = get(id);
      if (s != null) {
        out.add(copy(s));
      }
    }
    return out;
  }

  private NodeEniSpec.Subnet get(String id) {
    Instant now = clock.instant();
    Entry e = cache.get(id);
    if (e != null && e.at().plus(ttl).isAfter(now)) {
      return e.subnet();
    }
    NodeEniSpec.Subnet known = e == null ? null : e.subnet();
    try {
      NodeEniSpec.Subnet fresh = describe.apply(id).orElse(null);
      cache.put(id, new Entry(fresh == null ? known : fresh, now));
      return fresh == null ? known : fresh;
    } catch (RuntimeException ex) {
      logger.warn(
          "failed to describe subnet {}: {}; keeping its last known free count until the next resync",
          id,
          ex.toString());
      cache.put(id, new Entry(known, now));
      return known;
    }
  }

  private static NodeEniSpec.Subnet copy(NodeEniSpec.Subnet s) {
    NodeEniSpec.Subnet c = new NodeEniSpec.Subnet();
    c.id = s.id;
    c.cidr = s.cidr;
    c.freeIps = s.freeIps;
    return c;
  }
}
