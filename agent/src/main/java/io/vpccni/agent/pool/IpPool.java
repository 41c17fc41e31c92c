package io.vpccni.agent.pool;

import io.vpccni.agent.config.EniSpec;
import io.vpccni.agent.config.Mode;
import io.vpccni.agent.store.Allocation;
import io.vpccni.agent.store.AllocationStore;
import io.vpccni.agent.store.StoreState;
import io.vpccni.netaddr.IpAddress;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The node's IP pool: which addresses the node's ENIs offer, which attachment holds which, and
 * which rest in cooldown. Every change is written to the {@link AllocationStore} before the method
 * returns, and in memory only if that write succeeded, so memory never runs ahead of disk.
 *
 * <p>An IP is never handed to two attachments: reserve and release run under one lock, and an IP is
 * free only when no allocation (pending or ready) names it and its cooldown has passed. Released
 * IPs rest for the cooldown (default 180 s, longer than conntrack's SYN_SENT timeout of 120 s) so a
 * new pod never receives packets meant for the old one.
 */
public final class IpPool {
  /** The pool of the node's own subnet. */
  public static final String DEFAULT_POOL = "";

  private final AllocationStore store;
  private final Clock clock;
  private final Duration cooldown;
  private final Mode mode;
  private final Map<IpAddress, EniSpec> owner = new LinkedHashMap<>();

  /** Attachments waiting for an IP, with the pool they wait for. */
  private final Map<Allocation.Key, String> waiting = new HashMap<>();

  private Map<Allocation.Key, Allocation> allocations;
  private Map<IpAddress, Long> coolUntil;

  /** Fixed IPs (IPReservations) by address, with the pod ("ns/name") each is kept for. */
  private Map<IpAddress, String> reserved = Map.of();

  public IpPool(
      List<EniSpec> enis, Mode mode, AllocationStore store, Clock clock, Duration cooldown)
      throws IOException {
    this.store = store;
    this.clock = clock;
    this.cooldown = cooldown;
    this.mode = mode;
    setOwners(enis);
    StoreState s = store.load();
    this.allocations = new HashMap<>(s.allocations());
    this.coolUntil = new HashMap<>(s.cooldown());
  }

  private void setOwners(List<EniSpec> enis) {
    owner.clear();
    for (EniSpec e : enis) {
      if (mode == Mode.EXCLUSIVE) {
        owner.put(e.primaryIp(), e);
      } else {
        for (IpAddress ip : e.ips()) {
          owner.put(ip, e);
        }
      }
    }
  }

  /**
   * Replaces the ENIs the pool offers (the controller attached, detached or re-addressed ENIs).
   * Attachments keep their IPs even if the new list no longer offers them: the controller must not
   * take an IP in use (the agent reports them), and if it did, the pod keeps working until DEL and
   * the IP is simply not handed out again.
   *
   * @return the IPs in use that the new list no longer offers (for a warning)
   */
  public synchronized List<IpAddress> updateEnis(List<EniSpec> enis) {
    setOwners(enis);
    List<IpAddress> orphaned = new ArrayList<>();
    for (Allocation a : allocations.values()) {
      if (!owner.containsKey(a.ip())) {
        orphaned.add(a.ip());
      }
    }
    return orphaned;
  }

  /** The ENIs the pool offers now. */
  public synchronized List<EniSpec> enis() {
    return owner.values().stream().distinct().toList();
  }

  /**
   * An ADD found no free IP: the container waits (counted once until it gets one or is deleted).
   */
  public synchronized void noteWaiting(Allocation.Key key) {
    noteWaiting(key, DEFAULT_POOL);
  }

  /** An ADD found no free IP in {@code pool}: the container waits for one of that pool. */
  public synchronized void noteWaiting(Allocation.Key key, String pool) {
    waiting.put(key, pool);
  }

  /** How many attachments wait for an IP: the node's unmet demand. */
  public synchronized int demand() {
    return waiting.size();
  }

  /** The demand by pool ({@code ""}: the default pool); pools nobody waits for are absent. */
  public synchronized Map<String, Integer> demandByPool() {
    Map<String, Integer> out = new java.util.TreeMap<>();
    waiting.values().forEach(p -> out.merge(p, 1, Integer::sum));
    return out;
  }

  /** IPs held by attachments, sorted. */
  public synchronized List<IpAddress> inUse() {
    return allocations.values().stream().map(Allocation::ip).sorted().toList();
  }

  /** IPs resting in cooldown now, sorted. */
  public synchronized List<IpAddress> cooling() {
    long now = clock.millis();
    Set<IpAddress> used = usedIps();
    return coolUntil.entrySet().stream()
        .filter(e -> e.getValue() > now && !used.contains(e.getKey()))
        .map(Map.Entry::getKey)
        .sorted()
        .toList();
  }

  /** The ENI that offers {@code ip}, if any (an allocation may outlive its ENI in the source). */
  public synchronized Optional<EniSpec> eniOf(IpAddress ip) {
    return Optional.ofNullable(owner.get(ip));
  }

  public synchronized Optional<Allocation> find(Allocation.Key key) {
    return Optional.ofNullable(allocations.get(key));
  }

  public synchronized List<Allocation> all() {
    return new ArrayList<>(allocations.values());
  }

  /**
   * Reserves an IP for {@code key} and records it as PENDING. Prefers the ENI with the fewest free
   * IPs left (packs ENIs, so whole ENIs can be released later), then the lowest address.
   *
   * @param preferred an IP to reuse (a retried ADD keeps its address) or null
   */
  public synchronized Allocation reserve(
      Allocation.Key key, String podRef, String netns, String hostIf, IpAddress preferred)
      throws PoolExhaustedException, IOException {
    return reserve(key, DEFAULT_POOL, podRef, netns, hostIf, preferred);
  }

  /**
   * Reserves an IP of {@code pool}'s ENIs only (the default pool is {@code ""}), as {@link
   * #reserve(Allocation.Key, String, String, String, IpAddress)} does for the default pool.
   */
  public synchronized Allocation reserve(
      Allocation.Key key,
      String pool,
      String podRef,
      String netns,
      String hostIf,
      IpAddress preferred)
      throws PoolExhaustedException, IOException {
    Allocation existing = allocations.get(key);
    if (existing != null) {
      return existing;
    }
    long now = clock.millis();
    Set<IpAddress> used = usedIps();
    IpAddress pick = null;
    if (preferred != null
        && owner.containsKey(preferred)
        && owner.get(preferred).pool().equals(pool)
        && !used.contains(preferred)
        && podRef.equals(reserved.getOrDefault(preferred, podRef))) {
      pick = preferred;
    }
    if (pick == null) {
      Map<String, Integer> freeByEni = new HashMap<>();
      List<IpAddress> candidates = new ArrayList<>();
      for (IpAddress ip : owner.keySet()) {
        if (owner.get(ip).pool().equals(pool)
            && !used.contains(ip)
            && !reserved.containsKey(ip)
            && coolUntil.getOrDefault(ip, 0L) <= now) {
          candidates.add(ip);
          freeByEni.merge(owner.get(ip).id(), 1, Integer::sum);
        }
      }
      pick =
          candidates.stream()
              .min(
                  (a, b) -> {
                    int c =
                        Integer.compare(
                            freeByEni.get(owner.get(a).id()), freeByEni.get(owner.get(b).id()));
                    return c != 0 ? c : a.compareTo(b);
                  })
              .orElse(null);
    }
    if (pick == null) {
      List<IpAddress> offered =
          owner.keySet().stream().filter(ip -> owner.get(ip).pool().equals(pool)).toList();
      int cooling =
          (int)
              offered.stream()
                  .filter(
                      ip ->
                          !used.contains(ip)
                              && !reserved.containsKey(ip)
                              && coolUntil.getOrDefault(ip, 0L) > now)
                  .count();
      int kept =
          (int)
              offered.stream().filter(ip -> !used.contains(ip) && reserved.containsKey(ip)).count();
      String of = pool.isEmpty() ? "of the node" : "of SubnetPool " + pool + " on the node";
      if (offered.isEmpty()) {
        throw new PoolExhaustedException(
            pool.isEmpty()
                ? "the node has no pod IPs assigned to its ENIs"
                : "the node has no ENI of SubnetPool " + pool + " yet",
            false);
      }
      if (cooling > 0) {
        throw new PoolExhaustedException(
            "all "
                + offered.size()
                + " pod IPs "
                + of
                + " are in use or cooling down ("
                + cooling
                + " cooling)",
            true);
      }
      throw new PoolExhaustedException(
          "all "
              + offered.size()
              + " pod IPs "
              + of
              + " are in use"
              + (kept > 0 ? " or kept for their StatefulSet pods (" + kept + " fixed IPs)" : ""),
          false);
    }
    Allocation a =
        new Allocation(
            key.containerId(),
            key.ifName(),
            pick,
            owner.get(pick).id(),
            podRef,
            netns,
            hostIf,
            "",
            Allocation.State.PENDING,
            now);
    Map<Allocation.Key, Allocation> next = new HashMap<>(allocations);
    next.put(key, a);
    Map<IpAddress, Long> nextCool = new HashMap<>(coolUntil);
    nextCool.remove(pick);
    commit(next, nextCool);
    waiting.remove(key);
    return a;
  }

  /**
   * Sets the fixed IPs kept for pods (every IPReservation's address, by the pod it belongs to).
   * {@link #reserve} never hands one of them to another pod, wherever it is: while a reservation
   * lives, only {@link #reserveExact} with its pod takes its address.
   */
  public synchronized void setReserved(Map<IpAddress, String> byIp) {
    reserved = Map.copyOf(byIp);
  }

  /** Whether any IPReservation names {@code ip} (on this node or another). */
  public synchronized boolean isReserved(IpAddress ip) {
    return reserved.containsKey(ip);
  }

  /** This node's IPs that are kept for a pod and held by no attachment now, sorted. */
  public synchronized List<IpAddress> reservedIdle() {
    Set<IpAddress> used = usedIps();
    return owner.keySet().stream()
        .filter(ip -> reserved.containsKey(ip) && !used.contains(ip))
        .sorted()
        .toList();
  }

  /**
   * Reserves exactly {@code ip} (a pod's fixed IP) for {@code key} and records it PENDING, whatever
   * its ENI's pool and cooldown (the address comes back to the pod it was kept for).
   *
   * @throws PoolExhaustedException the node does not offer {@code ip}, or another attachment holds
   *     it
   */
  public synchronized Allocation reserveExact(
      Allocation.Key key, String podRef, String netns, String hostIf, IpAddress ip)
      throws PoolExhaustedException, IOException {
    Allocation existing = allocations.get(key);
    if (existing != null && existing.ip().equals(ip)) {
      return existing;
    }
    if (existing != null) {
      throw new PoolExhaustedException(
          "container " + key + " already holds " + existing.ip() + ", not its fixed IP " + ip,
          false);
    }
    if (!owner.containsKey(ip)) {
      throw new PoolExhaustedException("the node's ENIs do not hold the fixed IP " + ip, false);
    }
    for (Allocation a : allocations.values()) {
      if (a.ip().equals(ip)) {
        throw new PoolExhaustedException(
            "the fixed IP "
                + ip
                + " is still held by "
                + a.podRef()
                + " (container "
                + a.key()
                + ")",
            false);
      }
    }
    long now = clock.millis();
    Allocation a =
        new Allocation(
            key.containerId(),
            key.ifName(),
            ip,
            owner.get(ip).id(),
            podRef,
            netns,
            hostIf,
            "",
            Allocation.State.PENDING,
            now);
    Map<Allocation.Key, Allocation> next = new HashMap<>(allocations);
    next.put(key, a);
    Map<IpAddress, Long> nextCool = new HashMap<>(coolUntil);
    nextCool.remove(ip);
    commit(next, nextCool);
    waiting.remove(key);
    return a;
  }

  /** Replaces an allocation record (state change, ENI interface name) durably. */
  public synchronized Allocation update(Allocation a) throws IOException {
    Map<Allocation.Key, Allocation> next = new HashMap<>(allocations);
    next.put(a.key(), a);
    commit(next, coolUntil);
    return a;
  }

  /**
   * Releases the attachment's IP. With {@code cool} it rests for the cooldown first (the pod may
   * have used it); without, it is free at once (it never left this node's tables).
   */
  public synchronized Optional<Allocation> release(Allocation.Key key, boolean cool)
      throws IOException {
    waiting.remove(key);
    Allocation a = allocations.get(key);
    if (a == null) {
      return Optional.empty();
    }
    Map<Allocation.Key, Allocation> next = new HashMap<>(allocations);
    next.remove(key);
    Map<IpAddress, Long> nextCool = new HashMap<>(coolUntil);
    long now = clock.millis();
    nextCool.values().removeIf(until -> until <= now); // prune expired entries
    if (cool && !cooldown.isZero()) {
      nextCool.put(a.ip(), now + cooldown.toMillis());
    }
    commit(next, nextCool);
    return Optional.of(a);
  }

  public synchronized PoolStats stats() {
    long now = clock.millis();
    Set<IpAddress> used = usedIps();
    int usedInPool = (int) owner.keySet().stream().filter(used::contains).count();
    int cooling =
        (int)
            owner.keySet().stream()
                .filter(
                    ip ->
                        !used.contains(ip)
                            && !reserved.containsKey(ip)
                            && coolUntil.getOrDefault(ip, 0L) > now)
                .count();
    int kept =
        (int)
            owner.keySet().stream()
                .filter(ip -> !used.contains(ip) && reserved.containsKey(ip))
                .count();
    // fixed IPs kept for their pods are neither used nor free: they count in no column but total
    return new PoolStats(
        owner.size(), usedInPool, cooling, owner.size() - usedInPool - cooling - kept);
  }

  /** Per-ENI view for introspection: ENI → (total, used). */
  public synchronized Map<EniSpec, int[]> perEni() {
    Set<IpAddress> used = usedIps();
    Map<EniSpec, int[]> out = new LinkedHashMap<>();
    for (Map.Entry<IpAddress, EniSpec> e : owner.entrySet()) {
      int[] c = out.computeIfAbsent(e.getValue(), k -> new int[2]);
      c[0]++;
      if (used.contains(e.getKey())) {
        c[1]++;
      }
    }
    return out;
  }

  public synchronized Map<IpAddress, Long> cooldown() {
    return Map.copyOf(coolUntil);
  }

  private Set<IpAddress> usedIps() {
    Set<IpAddress> s = new HashSet<>();
    for (Allocation a : allocations.values()) {
      s.add(a.ip());
    }
    return s;
  }

  private void commit(Map<Allocation.Key, Allocation> next, Map<IpAddress, Long> nextCool)
      throws IOException {
    store.save(new StoreState(next, nextCool));
    allocations = next;
    coolUntil = nextCool;
  }

  /** Allocations as a read-only collection, for reconcile. */
  public synchronized Collection<Allocation> snapshot() {
    return List.copyOf(allocations.values());
  }
}
