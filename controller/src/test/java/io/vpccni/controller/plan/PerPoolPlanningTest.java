package io.vpccni.controller.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.netaddr.IpAddress;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * The planner called once per SubnetPool, as the pool loop does: each pool sees its own ENIs and
 * demand, and {@code maxEnis} = 1 + its ENIs + the slots no pool holds yet.
 */
class PerPoolPlanningTest {
  final PoolPlanner planner = new PoolPlanner();
  final WarmPoolConfig warm = new WarmPoolConfig(2, 0, 0, 0, 0, Duration.ZERO, 10);

  static NodePoolState.Eni eni(int idx, int count) {
    List<IpAddress> ips =
        java.util.stream.IntStream.range(0, count)
            .mapToObj(i -> IpAddress.parse("10." + idx + ".0." + (10 + i)))
            .toList();
    return new NodePoolState.Eni("eni-" + idx, idx, ips, true);
  }

  @Test
  void aPoolWithoutAFreeSlotIsCappedByTheEniLimit() {
    // 3 ENIs allowed: the primary, the default pool's, and one more; pool b took the last slot
    NodePoolState a =
        new NodePoolState(
            "n1", 1 + 1 + 0, 10, List.of(eni(1, 9)), Set.copyOf(eni(1, 9).ips()), Set.of(), 3);
    PoolPlan p = planner.plan(a, warm, Duration.ZERO);
    assertThat(p.create()).isEmpty();
    assertThat(p.limit()).isEqualTo(PoolPlan.Limit.ENI_LIMIT);
  }

  @Test
  void aPoolWithDemandAndNoEniGetsOneInTheFreeSlot() {
    NodePoolState b = new NodePoolState("n1", 1 + 0 + 1, 10, List.of(), Set.of(), Set.of(), 3);
    PoolPlan p = planner.plan(b, warm, Duration.ZERO);
    assertThat(p.create()).containsExactly(new PoolPlan.CreateEni(1, 5));
    assertThat(p.limit()).isEqualTo(PoolPlan.Limit.NONE);
  }

  /** Property: pools planned in turn never create more ENIs than the node has slots. */
  @RepeatedTest(100)
  void poolsTogetherNeverExceedTheNodesSlots() {
    Random r = new Random();
    int maxEnis = 2 + r.nextInt(6);
    int ipsPerEni = 2 + r.nextInt(10);
    int pools = 1 + r.nextInt(4);
    int[] have = new int[pools];
    int total = 0;
    for (int i = 0; i < pools && total < maxEnis - 1; i++) {
      have[i] = r.nextInt(Math.max(1, maxEnis - 1 - total) + 1);
      have[i] = Math.min(have[i], maxEnis - 1 - total);
      total += have[i];
    }
    int free = maxEnis - 1 - total;
    int created = 0;
    int index = 1;
    for (int i = 0; i < pools; i++) {
      List<NodePoolState.Eni> enis = new java.util.ArrayList<>();
      for (int k = 0; k < have[i]; k++) {
        enis.add(eni(index++, 1));
      }
      NodePoolState s =
          new NodePoolState(
              "n1", 1 + have[i] + free, ipsPerEni, enis, Set.of(), Set.of(), r.nextInt(40));
      PoolPlan p = planner.plan(s, warm, Duration.ZERO);
      free -= p.create().size();
      created += p.create().size();
      assertThat(free).isGreaterThanOrEqualTo(0);
    }
    assertThat(total + created).isLessThanOrEqualTo(maxEnis - 1);
  }
}
