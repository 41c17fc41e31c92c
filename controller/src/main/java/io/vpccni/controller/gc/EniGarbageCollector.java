package io.vpccni.controller.gc;

import io.vpccni.cloud.CloudException;
import io.vpccni.cloud.Eni;
import io.vpccni.cloud.EniFilter;
import io.vpccni.cloud.OwnershipTags;
import io.vpccni.cloud.VpcApi;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes ENIs that carry this cluster's ownership tags and that nothing needs any more, once they
 * are older than the grace period (so an ENI between create and attach is never taken):
 *
 * <ul>
 *   <li>not attached to any instance (a create whose attach never happened: a controller killed
 *       between the two, or an undo that failed);
 *   <li>tagged for a node that is no longer in the cluster (whatever its attachment).
 * </ul>
 *
 * ENIs without our tags, or with another cluster's, are never touched.
 */
public final class EniGarbageCollector {
  private static final Logger logger = LoggerFactory.getLogger(EniGarbageCollector.class);

  private final VpcApi api;
  private final String clusterId;
  private final Supplier<Set<String>> liveNodes;
  private final Duration grace;
  private final InstantSource clock;

  public EniGarbageCollector(
      VpcApi api,
      String clusterId,
      Supplier<Set<String>> liveNodes,
      Duration grace,
      InstantSource clock) {
    this.api = api;
    this.clusterId = clusterId;
    this.liveNodes = liveNodes;
    this.grace = grace;
    this.clock = clock;
  }

  /** One pass; returns the ids of the ENIs deleted. */
  public List<String> collect() {
    Instant now = clock.instant();
    Set<String> nodes = liveNodes.get();
    List<String> deleted = new ArrayList<>();
    for (Eni e : api.listEnis(EniFilter.byTags(OwnershipTags.clusterSelector(clusterId)))) {
      Optional<OwnershipTags> tags = OwnershipTags.fromMap(e.tags());
      if (tags.isEmpty() || !tags.get().clusterId().equals(clusterId)) {
        continue;
      }
      Instant born =
          tags.get().createdAt().isBefore(e.createdAt()) ? tags.get().createdAt() : e.createdAt();
      if (born.plus(grace).isAfter(now)) {
        continue;
      }
      boolean nodeGone = !nodes.contains(tags.get().nodeName());
      boolean orphan = e.attachment().isEmpty();
      if (!nodeGone && !orphan) {
        continue;
      }
      try {
        if (e.attachment().isPresent()) {
          api.detachEni(e.id());
        }
        api.deleteEni(e.id());
        deleted.add(e.id());
        logger.info(
            "GC deleted ENI {} of node {} ({})",
            e.id(),
            tags.get().nodeName(),
            nodeGone ? "node gone" : "never attached");
      } catch (CloudException ex) {
        if (ex.reason() == CloudException.Reason.NOT_FOUND) {
          continue;
        }
        logger.warn("GC could not delete ENI {}: {}", e.id(), ex.getMessage());
      }
    }
    return deleted;
  }
}
