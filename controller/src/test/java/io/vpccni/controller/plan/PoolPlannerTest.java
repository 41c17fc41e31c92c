package io.vpccni.controller.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.netaddr.IpAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class PoolPlannerTest {
  final PoolPlanner planner = new PoolPlanner();
  // m5.large: 3 ENIs × 10 IPs → 2 secondary ENIs × 9 pod IPs = 18
  static final int MAX_ENIS = 3;
  static final int IPS_PER_ENI = 10;

  static WarmPoolConfig warm(int warmIps, int minIps, int maxIps, int warmEnis) {
    return new WarmPoolConfig(warmIps, minIps, maxIps, warmEnis, 2, Duration.ofMinutes(5), 10);
  }

  static NodePoolState.Eni eni(int idx, int from, int count) {
    List<IpAddress> ips = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ips.add(ip(idx, from + i));
    }
    return new NodePoolState.Eni("eni-" + idx, idx, ips, true);
  }

  static IpAddress ip(int eni, int host) {
    return IpAddress.parse("10.0." + eni + "." + host);
  }

  static NodePoolState state(
      List<NodePoolState.Eni> enis, Set<IpAddress> inUse, Set<IpAddress> cooling, int demand) {
    return new NodePoolState("n1", MAX_ENIS, IPS_PER_ENI, enis, inUse, cooling, demand);
  }

  @Test
  void freshNodeGetsOneEniWithTheWarmIps() {
    PoolPlan p =
        planner.plan(state(List.of(), Set.of(), Set.of(), 0), warm(5, 0, 0, 0), Duration.ZERO);
    assertThat(p.create()).containsExactly(new PoolPlan.CreateEni(1, 5));
    assertThat(p.assign()).isEmpty();
    assertThat(p.limit()).isEqualTo(PoolPlan.Limit.NONE);
  }

  @Test
  void deficitFillsExistingEnisBeforeCreatingAndSkipsAttachingOnes() {
    var attaching = new NodePoolState.Eni("eni-2", 2, List.of(), false);
    Set<IpAddress> used = new HashSet<>(eni(1, 20, 3).ips());
    PoolPlan p =
        planner.plan(
            state(List.of(eni(1, 20, 3), attaching), used, Set.of(), 4),
            warm(5, 0, 0, 0),
            Duration.ZERO);
    // target 3 + 4 + 5 = 12, have 3 → 9 more: ENI 1 has room for 6; no slot left for a new ENI
    assertThat(p.assign()).containsExactly(new PoolPlan.Assign("eni-1", 6));
    assertThat(p.create()).isEmpty();
    assertThat(p.limit()).isEqualTo(PoolPlan.Limit.ENI_LIMIT);
  }

  @Test
  void assignsInBatches() {
    var c = new WarmPoolConfig(9, 0, 0, 0, 0, Duration.ZERO, 4);
    PoolPlan p =
        planner.plan(state(List.of(eni(1, 20, 0)), Set.of(), Set.of(), 0), c, Duration.ZERO);
    assertThat(p.assign())
        .containsExactly(
            new PoolPlan.Assign("eni-1", 4),
            new PoolPlan.Assign("eni-1", 4),
            new PoolPlan.Assign("eni-1", 1));
  }

  @Test
  void instanceCapacityAndMaxIpsCapTheTarget() {
    PoolPlan big =
        planner.plan(state(List.of(), Set.of(), Set.of(), 40), warm(5, 0, 0, 0), Duration.ZERO);
    assertThat(big.ipsAdded()).isEqualTo(18);
    assertThat(big.create()).hasSize(2);
    assertThat(big.limit()).isEqualTo(PoolPlan.Limit.ENI_LIMIT);
    PoolPlan capped =
        planner.plan(state(List.of(), Set.of(), Set.of(), 40), warm(5, 0, 7, 0), Duration.ZERO);
    assertThat(capped.ipsAdded()).isEqualTo(7);
    assertThat(capped.limit()).isEqualTo(PoolPlan.Limit.MAX_IPS);
  }

  @Test
  void excessIsReleasedOnlyAboveTheHighWaterMarkAfterTheDelay() {
    // 9 IPs, 1 in use: target 1 + 5 = 6, high-water 2 → excess 1
    var s = state(List.of(eni(1, 20, 9)), Set.of(ip(1, 20)), Set.of(), 0);
    assertThat(PoolPlanner.excess(s, warm(5, 0, 0, 0))).isEqualTo(1);
    assertThat(planner.plan(s, warm(5, 0, 0, 0), Duration.ofMinutes(4)).isEmpty()).isTrue();
    PoolPlan p = planner.plan(s, warm(5, 0, 0, 0), Duration.ofMinutes(5));
    assertThat(p.unassign()).containsExactly(new PoolPlan.Unassign("eni-1", List.of(ip(1, 28))));
  }

  @Test
  void neverReleasesBelowMinimumNorInUseOrCoolingIps() {
    List<IpAddress> all = eni(1, 20, 9).ips();
    Set<IpAddress> used = Set.of(all.get(8));
    Set<IpAddress> cooling = Set.of(all.get(7));
    var s = state(List.of(eni(1, 20, 9)), used, cooling, 0);
    PoolPlan p = planner.plan(s, warm(0, 4, 0, 0), Duration.ofHours(1));
    assertThat(p.ipsRemoved()).isEqualTo(3); // 9 - target max(min 4, held 2) - high-water mark 2
    p.unassign()
        .forEach(
            u ->
                assertThat(u.ips())
                    .doesNotContainAnyElementsOf(used)
                    .doesNotContainAnyElementsOf(cooling));
  }

  @Test
  void anEniWithNoPodIsDeletedWholeWhenItsIpsAreExcess() {
    var s = state(List.of(eni(1, 20, 9), eni(2, 20, 9)), Set.of(ip(1, 20)), Set.of(), 0);
    PoolPlan p = planner.plan(s, warm(2, 0, 0, 0), Duration.ofHours(1));
    assertThat(p.deleteEnis()).containsExactly("eni-2");
    assertThat(p.unassign())
        .singleElement()
        .satisfies(u -> assertThat(u.eniId()).isEqualTo("eni-1"));
  }

  @Test
  void warmEnisKeepSpareEnisAttachedAndAreNotDeleted() {
    var s = state(List.of(eni(1, 20, 3)), Set.copyOf(eni(1, 20, 3).ips()), Set.of(), 0);
    PoolPlan p = planner.plan(s, warm(0, 0, 0, 1), Duration.ZERO);
    assertThat(p.create()).containsExactly(new PoolPlan.CreateEni(2, 9));
    var s2 =
        state(List.of(eni(1, 20, 3), eni(2, 20, 9)), Set.copyOf(eni(1, 20, 3).ips()), Set.of(), 0);
    assertThat(planner.plan(s2, warm(0, 0, 0, 1), Duration.ofHours(1)).deleteEnis()).isEmpty();
  }

  @RepeatedTest(200)
  void invariantsHoldForRandomStates(org.junit.jupiter.api.RepetitionInfo rep) {
    Random r = new Random(rep.getCurrentRepetition()); // reproducible: the repetition is the seed
    List<NodePoolState.Eni> enis = new ArrayList<>();
    Set<IpAddress> inUse = new HashSet<>();
    Set<IpAddress> cooling = new HashSet<>();
    int n = r.nextInt(MAX_ENIS);
    for (int e = 1; e <= n; e++) {
      NodePoolState.Eni x = eni(e, 20, r.nextInt(IPS_PER_ENI));
      enis.add(x);
      for (IpAddress ip : x.ips()) {
        int d = r.nextInt(3);
        if (d == 0) {
          inUse.add(ip);
        } else if (d == 1) {
          cooling.add(ip);
        }
      }
    }
    var s = state(enis, inUse, cooling, r.nextInt(20));
    var c =
        new WarmPoolConfig(
            r.nextInt(10),
            r.nextInt(10),
            r.nextBoolean() ? 0 : 10 + r.nextInt(10),
            r.nextInt(2),
            r.nextInt(4),
            Duration.ZERO,
            1 + r.nextInt(10));
    PoolPlan p = planner.plan(s, c, Duration.ofHours(r.nextInt(2)));
    int total = enis.stream().mapToInt(e -> e.ips().size()).sum();
    assertThat(total + p.ipsAdded())
        .as(p.reason())
        .isLessThanOrEqualTo((MAX_ENIS - 1) * (IPS_PER_ENI - 1));
    assertThat(enis.size() + p.create().size()).isLessThanOrEqualTo(MAX_ENIS - 1);
    for (PoolPlan.Unassign u : p.unassign()) {
      assertThat(u.ips()).noneMatch(inUse::contains).noneMatch(cooling::contains);
    }
    for (String id : p.deleteEnis()) {
      NodePoolState.Eni e = enis.stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
      assertThat(e.ips()).noneMatch(inUse::contains).noneMatch(cooling::contains);
    }
    int removed =
        p.ipsRemoved()
            + p.deleteEnis().stream()
                .mapToInt(
                    id ->
                        enis.stream()
                            .filter(x -> x.id().equals(id))
                            .findFirst()
                            .orElseThrow()
                            .ips()
                            .size())
                .sum();
    if (removed > 0) {
      assertThat(total - removed).as(p.reason()).isGreaterThanOrEqualTo(c.minIps());
      assertThat(p.ipsAdded()).isZero();
    }
    for (PoolPlan.Assign a : p.assign()) {
      assertThat(a.count()).isBetween(1, c.batch());
    }
  }
}
