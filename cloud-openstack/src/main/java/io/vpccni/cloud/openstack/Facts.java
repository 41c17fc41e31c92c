package io.vpccni.cloud.openstack;

import io.vpccni.cloud.openstack.api.Server;
import io.vpccni.cloud.openstack.api.Subnet;
import io.vpccni.netaddr.IpPrefix;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * What {@link OpenStackVpcApi} remembers between calls, so that a call does not ask again, and for
 * how long. Thread-safe.
 *
 * <ul>
 *   <li><b>A subnet's network id and CIDR, for as long as the provider lives.</b> Neutron refuses
 *       to change either ({@code network_id} and {@code cidr} are not updatable), and a deleted
 *       subnet's UUID is never handed out again, so a remembered pair is never wrong, only possibly
 *       about a subnet that is gone; the calls that use it learn that from the request they make
 *       anyway and forget the entry (see {@link OpenStackVpcApi}). Allocation pools and the free
 *       count CAN change and are never kept.
 *   <li><b>A server's flavor name (and so its {@link FlavorLimits}), for {@link #SERVER_TTL}.</b> A
 *       resize changes the flavor, so this is a copy, not a fact. {@code describeInstance} always
 *       reads the server and refreshes the copy; only the quota checks of {@code attachEni} and
 *       {@code assignIps} use it. 60 s is the controller's own instance-description cache: the
 *       limits those checks apply are never older than the limits the controller planned with by
 *       more than that. A stale copy after a resize either refuses an attach or assign the new
 *       flavor would allow (QUOTA_EXCEEDED, retried) or lets Nova be the judge of one the new
 *       flavor forbids, for at most 60 s.
 *   <li><b>A server's primary port, for {@link #SERVER_TTL}.</b> {@code describeInstance} names the
 *       first port of Nova's interface list, and a port attached without our device-index tag has
 *       its place in that list as index: so, for as long as the server's copy is used, that port is
 *       index 0 without asking Nova again (which would only change if the boot port were detached
 *       and attached again in between).
 * </ul>
 *
 * <p>The maps are bounded: past {@link #MAX_ENTRIES} they are emptied and refill on demand (a
 * cluster uses a few subnets; servers are one per node).
 */
final class Facts {
  /** How long a server's flavor is used without reading the server again. */
  static final Duration SERVER_TTL = Duration.ofSeconds(60);

  static final int MAX_ENTRIES = 8192;

  /** A subnet's immutable part. */
  record SubnetFacts(String id, String networkId, IpPrefix cidr) {
    SubnetFacts {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(networkId, "networkId");
    }
  }

  private record Timed<T>(T value, long readAtNanos) {}

  private final Map<String, SubnetFacts> subnets = new ConcurrentHashMap<>();
  private final Map<String, Timed<Server>> servers = new ConcurrentHashMap<>();
  private final Map<String, Timed<String>> primaryPorts = new ConcurrentHashMap<>();
  private final LongSupplier nanoTime;
  private final long serverTtlNanos;

  /**
   * @param nanoTime a monotonic clock, {@link System#nanoTime()} but in tests
   */
  Facts(LongSupplier nanoTime, Duration serverTtl) {
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.serverTtlNanos = serverTtl.toNanos();
  }

  Facts() {
    this(System::nanoTime, SERVER_TTL);
  }

  Optional<SubnetFacts> subnet(String id) {
    return Optional.ofNullable(subnets.get(id));
  }

  SubnetFacts remember(Subnet s) {
    SubnetFacts f = new SubnetFacts(s.id(), s.networkId(), s.cidr());
    if (subnets.size() >= MAX_ENTRIES) {
      subnets.clear();
    }
    subnets.put(s.id(), f);
    return f;
  }

  void forgetSubnet(String id) {
    subnets.remove(id);
  }

  /** The server as read less than {@link #SERVER_TTL} ago, if it was. */
  Optional<Server> server(String id) {
    return fresh(servers, id);
  }

  /** Remembers the server read as {@code id} (the id asked for, which Nova echoes). */
  Server remember(String id, Server s) {
    put(servers, id, s);
    return s;
  }

  /** The port {@code describeInstance} found first in the server's interface list, if recent. */
  Optional<String> primaryPort(String serverId) {
    return fresh(primaryPorts, serverId);
  }

  void rememberPrimaryPort(String serverId, String portId) {
    put(primaryPorts, serverId, portId);
  }

  private <T> Optional<T> fresh(Map<String, Timed<T>> map, String key) {
    Timed<T> t = map.get(key);
    if (t == null) {
      return Optional.empty();
    }
    if (nanoTime.getAsLong() - t.readAtNanos() >= serverTtlNanos) {
      map.remove(key, t);
      return Optional.empty();
    }
    return Optional.of(t.value());
  }

  private <T> void put(Map<String, Timed<T>> map, String key, T value) {
    if (map.size() >= MAX_ENTRIES) {
      map.clear();
    }
    map.put(key, new Timed<>(value, nanoTime.getAsLong()));
  }
}
