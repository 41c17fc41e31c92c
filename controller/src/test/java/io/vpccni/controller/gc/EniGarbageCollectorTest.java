package io.vpccni.controller.gc;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.cloud.EniCreateRequest;
import io.vpccni.cloud.OwnershipTags;
import io.vpccni.cloud.testkit.FakeVpcApi;
import io.vpccni.cloud.testkit.InstanceType;
import io.vpccni.cloud.testkit.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EniGarbageCollectorTest {
  ManualClock clock;
  FakeVpcApi cloud;
  EniGarbageCollector gc;
  Set<String> nodes;

  @BeforeEach
  void up() {
    clock = new ManualClock();
    cloud = new FakeVpcApi(clock, clock, clock, 1);
    cloud.addSubnet("subnet-1", "10.0.0.0/16", "z1");
    cloud.addInstance("i-1", InstanceType.M5_LARGE, "subnet-1", List.of("sg-1"));
    nodes = new java.util.HashSet<>(Set.of("n1"));
    gc = new EniGarbageCollector(cloud, "c1", () -> nodes, Duration.ofMinutes(5), clock);
  }

  String eni(String cluster, String node) {
    Map<String, String> tags = new OwnershipTags(cluster, node, clock.instant()).toMap();
    return cloud.createEni(new EniCreateRequest("subnet-1", List.of(), tags, "test")).id();
  }

  @Test
  void aLeakedUnattachedEniIsCollectedOnlyAfterTheGracePeriod() {
    String leaked = eni("c1", "n1");
    assertThat(gc.collect()).isEmpty();
    clock.advance(Duration.ofMinutes(6));
    assertThat(gc.collect()).containsExactly(leaked);
  }

  @Test
  void attachedEnisOfLiveNodesAndForeignEnisAreNeverTouched() {
    String mine = eni("c1", "n1");
    cloud.attachEni(mine, "i-1", 1);
    String foreign = eni("other-cluster", "n1");
    String untagged =
        cloud
            .createEni(new EniCreateRequest("subnet-1", List.of(), Map.of(), "someone else's"))
            .id();
    clock.advance(Duration.ofHours(1));
    assertThat(gc.collect()).isEmpty();
    assertThat(cloud.allEnis()).extracting(e -> e.id()).contains(mine, foreign, untagged);
  }

  @Test
  void enisOfAGoneNodeAreDetachedAndDeleted() {
    String mine = eni("c1", "n1");
    cloud.attachEni(mine, "i-1", 1);
    nodes.remove("n1");
    clock.advance(Duration.ofMinutes(6));
    assertThat(gc.collect()).containsExactly(mine);
  }
}
