package io.vpccni.controller.pools;

import io.vpccni.crd.NodeEniSpec;
import io.vpccni.netaddr.IpAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The controller's record of one node's secondary ENIs, so that a sync that changes nothing costs
 * no cloud call. The record comes from a cloud listing and is then kept up to date from the results
 * of the controller's own calls (an assign returns its addresses, a create-and-attach its ENI). It
 * is listed again when it is older than the resync period (to notice changes made by others), when
 * an ENI in it is not yet attached, and after any call that failed (whose effect is unknown).
 *
 * <p>A listing can miss an ENI created a moment ago (clouds are eventually consistent): an ENI this
 * controller created within {@code visibilityGrace} and missing from a listing is kept.
 *
 * <p>Not thread-safe: the pool worker owns it.
 */
final class CloudRecord {
  private final Supplier<List<NodeEniSpec.Eni>> lister;
  private final Clock clock;
  private final Duration resync;
  private final Duration visibilityGrace;
  private final Map<String, NodeEniSpec.Eni> enis = new LinkedHashMap<>();
  private final Map<String, Recent> recent = new LinkedHashMap<>();
  private Instant listedAt;
  private boolean stale = true;

  /** An ENI this controller created, as its own calls left it, and when. */
  private record Recent(NodeEniSpec.Eni eni, Instant at) {}

  CloudRecord(
      Supplier<List<NodeEniSpec.Eni>> lister,
      Clock clock,
      Duration resync,
      Duration visibilityGrace) {
    this.lister = lister;
    this.clock = clock;
    this.resync = resync;
    this.visibilityGrace = visibilityGrace;
  }

  /** The node's ENIs, listing the cloud first if the record is not to be trusted; copies. */
  List<NodeEniSpec.Eni> enis() {
    if (needsListing()) {
      relist(clock.instant());
    }
    List<NodeEniSpec.Eni> out = new ArrayList<>();
    enis.values().stream()
        .sorted(Comparator.comparingInt(e -> e.deviceIndex))
        .forEach(e -> out.add(copy(e)));
    return out;
  }

  /** Whether the next {@link #enis()} lists the cloud. */
  boolean needsListing() {
    return stale
        || listedAt == null
        || !listedAt.plus(resync).isAfter(clock.instant())
        || !enis.values().stream().allMatch(CloudRecord::settled);
  }

  private void relist(Instant now) {
    List<NodeEniSpec.Eni> listed = lister.get();
    enis.clear();
    for (NodeEniSpec.Eni e : listed) {
      enis.put(e.id, copy(e));
      recent.remove(e.id);
    }
    recent.values().removeIf(r -> !r.at().plus(visibilityGrace).isAfter(now));
    recent.forEach((id, r) -> enis.put(id, copy(r.eni())));
    listedAt = now;
    stale = false;
  }

  /** Forget what we know: the next {@link #enis()} lists the cloud. */
  void invalidate() {
    stale = true;
  }

  /** An ENI this controller just created and attached. */
  void added(NodeEniSpec.Eni eni) {
    enis.put(eni.id, copy(eni));
    recent.put(eni.id, new Recent(copy(eni), clock.instant()));
  }

  /** Addresses an assign call returned. */
  void assigned(String eniId, Collection<IpAddress> ips) {
    NodeEniSpec.Eni e = enis.get(eniId);
    if (e == null) {
      stale = true;
      return;
    }
    for (IpAddress ip : ips) {
      if (!e.ips.contains(ip.toString())) {
        e.ips.add(ip.toString());
      }
    }
    Recent r = recent.get(eniId);
    if (r != null) {
      r.eni().ips = new ArrayList<>(e.ips);
    }
  }

  /** Addresses an unassign call gave back. */
  void unassigned(String eniId, Collection<String> ips) {
    NodeEniSpec.Eni e = enis.get(eniId);
    if (e != null) {
      e.ips.removeAll(ips);
    }
    Recent r = recent.get(eniId);
    if (r != null) {
      r.eni().ips.removeAll(ips);
    }
  }

  /** An ENI this controller deleted. */
  void deleted(String eniId) {
    enis.remove(eniId);
    recent.remove(eniId);
  }

  private static boolean settled(NodeEniSpec.Eni e) {
    return "Attached".equals(e.state) || "Detaching".equals(e.state);
  }

  static NodeEniSpec.Eni copy(NodeEniSpec.Eni e) {
    NodeEniSpec.Eni c = new NodeEniSpec.Eni();
    c.id = e.id;
    c.mac = e.mac;
    c.deviceIndex = e.deviceIndex;
    c.subnetId = e.subnetId;
    c.subnetCidr = e.subnetCidr;
    c.gateway = e.gateway;
    c.primaryIp = e.primaryIp;
    c.ips = new ArrayList<>(e.ips);
    c.securityGroups = new ArrayList<>(e.securityGroups);
    c.pool = e.pool;
    c.state = e.state;
    return c;
  }
}
