package io.vpccni.controller.plan;

import io.vpccni.netaddr.IpAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Computes a node's {@link PoolPlan}. Pure and deterministic: the same inputs give the same plan.
 *
 * <p>The target is {@code held + demand + warmIps}, where {@code held} counts the node's IPs in use
 * or cooling down (neither may be handed out, so neither counts as warm), raised to {@code minIps}
 * and capped by {@code maxIps} and the instance type's capacity ({@code (maxEnis-1) ×
 * (ipsPerEni-1)}: the primary ENI stays the node's own and each ENI's primary IP is not a pod IP).
 * A deficit is filled first on ready ENIs that have room, in batches, then by creating ENIs (each
 * created and attached as one unit with its IPs). Spare ENIs are added up to {@code warmEnis}. An
 * excess is released only when it exceeds the high-water mark, has lasted {@code releaseDelay}, and
 * never below {@code minIps}; only free IPs are released (never in use or cooling), from the ENIs
 * with the fewest held IPs first, so that whole ENIs empty out and are deleted.
 */
public final class PoolPlanner {

  /** IPs above target plus high-water mark: what could be released if it lasts long enough. */
  public static int excess(NodePoolState s, WarmPoolConfig c) {
    Counts k = counts(s, c);
    return Math.max(0, k.total - k.target - c.releaseHighWatermark());
  }

  private record Counts(
      int total, int held, int target, int uncapped, int capacity, int perEni, int slots) {}

  private static Counts counts(NodePoolState s, WarmPoolConfig c) {
    int perEni = Math.max(0, s.ipsPerEni() - 1);
    int slots = Math.max(0, s.maxEnis() - 1);
    int capacity = perEni * slots;
    int total = 0;
    int held = 0;
    for (NodePoolState.Eni e : s.enis()) {
      total += e.ips().size();
      for (IpAddress ip : e.ips()) {
        if (s.inUse().contains(ip) || s.cooling().contains(ip)) {
          held++;
        }
      }
    }
    int uncapped = Math.max(c.minIps(), held + s.demand() + c.warmIps());
    int cap = c.maxIps() > 0 ? Math.min(c.maxIps(), capacity) : capacity;
    return new Counts(total, held, Math.min(uncapped, cap), uncapped, capacity, perEni, slots);
  }

  /**
   * @param excessAge how long {@link #excess} has been above zero without a break (the caller keeps
   *     this per node; zero when there is no excess)
   */
  public PoolPlan plan(NodePoolState s, WarmPoolConfig c, Duration excessAge) {
    Counts k = counts(s, c);
    List<PoolPlan.Assign> assign = new ArrayList<>();
    List<PoolPlan.CreateEni> create = new ArrayList<>();
    List<PoolPlan.Unassign> unassign = new ArrayList<>();
    List<String> delete = new ArrayList<>();
    PoolPlan.Limit limit = PoolPlan.Limit.NONE;
    if (k.uncapped > k.target) {
      limit =
          c.maxIps() > 0 && c.maxIps() < k.capacity
              ? PoolPlan.Limit.MAX_IPS
              : PoolPlan.Limit.ENI_LIMIT;
    }

    int deficit = k.target - k.total;
    int added = 0;
    if (deficit > 0) {
      List<NodePoolState.Eni> ready =
          s.enis().stream()
              .filter(NodePoolState.Eni::ready)
              .sorted(Comparator.comparingInt(NodePoolState.Eni::deviceIndex))
              .toList();
      for (NodePoolState.Eni e : ready) {
        int take = Math.min(k.perEni - e.ips().size(), deficit);
        for (int left = take; left > 0; left -= c.batch()) {
          assign.add(new PoolPlan.Assign(e.id(), Math.min(left, c.batch())));
        }
        deficit -= Math.max(0, take);
        added += Math.max(0, take);
        if (deficit <= 0) {
          break;
        }
      }
      Set<Integer> usedIndexes = new HashSet<>();
      s.enis().forEach(e -> usedIndexes.add(e.deviceIndex()));
      while (deficit > 0 && s.enis().size() + create.size() < k.slots && k.perEni > 0) {
        int n = Math.min(k.perEni, deficit);
        create.add(new PoolPlan.CreateEni(nextIndex(usedIndexes), n));
        deficit -= n;
        added += n;
      }
      if (deficit > 0 && limit == PoolPlan.Limit.NONE) {
        limit = PoolPlan.Limit.ENI_LIMIT;
      }
    }

    // Spare ENIs carry no pod; ENIs created above for a deficit are meant for pods, so not spare.
    int spare = (int) s.enis().stream().filter(e -> held(s, e) == 0).count();
    if (c.warmEnis() > 0) {
      Set<Integer> usedIndexes = new HashSet<>();
      s.enis().forEach(e -> usedIndexes.add(e.deviceIndex()));
      create.forEach(x -> usedIndexes.add(x.deviceIndex()));
      int capLeft =
          (c.maxIps() > 0 ? Math.min(c.maxIps(), k.capacity) : k.capacity) - k.total - added;
      while (spare < c.warmEnis() && s.enis().size() + create.size() < k.slots) {
        int n = Math.max(0, Math.min(k.perEni, capLeft));
        create.add(new PoolPlan.CreateEni(nextIndex(usedIndexes), n));
        capLeft -= n;
        added += n;
        spare++;
      }
    }

    int excess = Math.max(0, k.total - k.target - c.releaseHighWatermark());
    excess = Math.min(excess, Math.max(0, k.total - c.minIps()));
    if (assign.isEmpty()
        && create.isEmpty()
        && excess > 0
        && excessAge.compareTo(c.releaseDelay()) >= 0) {
      int toRelease = excess;
      int keepSpare = c.warmEnis();
      int spareNow = (int) s.enis().stream().filter(e -> held(s, e) == 0).count();
      List<NodePoolState.Eni> order =
          s.enis().stream()
              .filter(NodePoolState.Eni::ready)
              .sorted(
                  Comparator.comparingInt((NodePoolState.Eni e) -> held(s, e))
                      .thenComparing(NodePoolState.Eni::deviceIndex, Comparator.reverseOrder()))
              .toList();
      for (NodePoolState.Eni e : order) {
        if (toRelease <= 0) {
          break;
        }
        List<IpAddress> free =
            e.ips().stream()
                .filter(ip -> !s.inUse().contains(ip) && !s.cooling().contains(ip))
                .sorted(Comparator.reverseOrder())
                .toList();
        if (free.isEmpty()) {
          continue;
        }
        boolean wholeEni =
            free.size() == e.ips().size() && free.size() <= toRelease && spareNow > keepSpare;
        if (wholeEni) {
          delete.add(e.id());
          toRelease -= free.size();
          spareNow--;
          continue;
        }
        List<IpAddress> take = free.subList(0, Math.min(free.size(), toRelease));
        unassign.add(new PoolPlan.Unassign(e.id(), take));
        toRelease -= take.size();
      }
    }

    String reason =
        String.format(
            "have %d IPs on %d ENIs; %d held (in use or cooling), %d waiting, warm %d, min %d → target %d%s",
            k.total,
            s.enis().size(),
            k.held,
            s.demand(),
            c.warmIps(),
            c.minIps(),
            k.target,
            limit == PoolPlan.Limit.NONE
                ? ""
                : " (capped: " + limit + ", wanted " + k.uncapped + ")");
    return new PoolPlan(s.node(), assign, create, unassign, delete, limit, reason);
  }

  private static int held(NodePoolState s, NodePoolState.Eni e) {
    int n = 0;
    for (IpAddress ip : e.ips()) {
      if (s.inUse().contains(ip) || s.cooling().contains(ip)) {
        n++;
      }
    }
    return n;
  }

  private static int nextIndex(Set<Integer> used) {
    int i = 1;
    while (used.contains(i)) {
      i++;
    }
    used.add(i);
    return i;
  }
}
