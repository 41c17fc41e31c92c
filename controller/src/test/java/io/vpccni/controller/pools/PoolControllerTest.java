package io.vpccni.controller.pools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vpccni.controller.plan.WarmPoolConfig;
import io.vpccni.crd.NodeEni;
import io.vpccni.crd.NodeEniStatus;
import io.vpccni.testkit.kube.MockKubeApi;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The pool loop against fabric8's mock API server (CRUD mode) and a fake cloud. */
@MockKubeApi
class PoolControllerTest {
  static KubernetesClient client;
  FakeNodeOperations cloud;
  PoolController pools;

  @BeforeEach
  void up() throws Exception {
    try (InputStream in = NodeEni.class.getResourceAsStream(NodeEni.CRD_RESOURCE)) {
      client
          .resource(
              client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class))
          .createOr(c -> c.update());
    }
    client.nodes().delete();
    client.resources(NodeEni.class).delete();
    cloud = new FakeNodeOperations();
    cloud.instances.put("n1", new NodeOperations.Instance("i-1", "m5.large", 3, 10));
    pools =
        new PoolController(
            client,
            cloud,
            new WarmPoolConfig(4, 0, 0, 0, 0, Duration.ZERO, 10),
            Clock.systemUTC(),
            Duration.ofHours(1),
            Duration.ofHours(1));
  }

  /** Node n1, the fake cloud's instance i-1. */
  void createNode() {
    client
        .nodes()
        .resource(new NodeBuilder().withNewMetadata().withName("n1").endMetadata().build())
        .create();
  }

  NodeEni nodeEni() {
    return client.resources(NodeEni.class).withName("n1").get();
  }

  void agentReports(List<String> inUse, int demand, List<String> releaseReady) {
    NodeEni n = nodeEni();
    NodeEniStatus s = new NodeEniStatus();
    s.inUse = new ArrayList<>(inUse);
    s.demand = demand;
    s.releaseReady = new ArrayList<>(releaseReady);
    n.setStatus(s);
    client.resources(NodeEni.class).resource(n).updateStatus();
  }

  /**
   * SIGTERM while leader election is still calling start(): start() then runs after close(). It
   * must leave no watch running (nothing calls back into a closed loop) and no worker acting.
   */
  @Test
  void aStartThatComesAfterCloseStartsNothing() {
    pools.start();
    assertThat(pools.watching()).isTrue();
    pools.close();
    assertThat(pools.watching()).isFalse();

    pools.start();
    assertThat(pools.watching()).as("watches started after close").isFalse();
    createNode();
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(2))
        .until(() -> nodeEni() == null && cloud.calls.get() == 0);
  }

  @Test
  void newNodeGetsANodeEniWithAWarmEni() {
    createNode();
    pools.sync("n1");
    NodeEni n = nodeEni();
    assertThat(n.getSpec().instanceId).isEqualTo("i-1");
    assertThat(n.getSpec().enis)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.state).isEqualTo("Attached");
              assertThat(e.ips).hasSize(4);
            });
  }

  @Test
  void demandGrowsThePoolAndIdleIpsGoBackThroughTheHandshake() {
    createNode();
    pools.sync("n1");
    List<String> first = nodeEni().getSpec().enis.get(0).ips;
    agentReports(first, 3, List.of()); // 4 in use, 3 waiting → target 4 + 3 + 4 = 11
    pools.sync("n1");
    assertThat(cloud.ipCount("n1")).isEqualTo(11);
    assertThat(nodeEni().getSpec().enis).hasSize(2);

    agentReports(List.of(first.get(0)), 0, List.of()); // pods gone: target 1 + 4 = 5
    pools.sync("n1");
    List<String> releasing = nodeEni().getSpec().releaseIps;
    assertThat(releasing).hasSize(6).doesNotContain(first.get(0));
    assertThat(cloud.ipCount("n1"))
        .as("nothing unassigned before the agent acknowledges")
        .isEqualTo(11);

    // The agent acknowledges all but one, which a pod took in the meantime.
    String taken = releasing.get(0);
    agentReports(List.of(first.get(0), taken), 0, releasing.subList(1, releasing.size()));
    pools.sync("n1");
    assertThat(cloud.ipCount("n1")).isEqualTo(11 - 5);
    assertThat(nodeEni().getSpec().releaseIps).doesNotContain(taken);
    assertThat(cloud.enis("n1").stream().flatMap(e -> e.ips.stream()))
        .contains(first.get(0), taken);
  }

  @Test
  void deletedNodeLosesItsEnisAndItsNodeEni() {
    createNode();
    pools.sync("n1");
    assertThat(cloud.enis("n1")).isNotEmpty();
    client.nodes().withName("n1").delete();
    pools.sync("n1");
    assertThat(cloud.enis("n1")).isEmpty();
    assertThat(nodeEni()).isNull();
  }

  @Test
  void eventsDriveTheLoop() {
    pools.start();
    try {
      createNode();
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> nodeEni() != null && !nodeEni().getSpec().enis.isEmpty());
      agentReports(nodeEni().getSpec().enis.get(0).ips, 6, List.of());
      await().atMost(Duration.ofSeconds(15)).until(() -> cloud.ipCount("n1") == 14);
    } finally {
      pools.close();
    }
  }

  @Test
  void syncsThatChangeNothingMakeNoCloudCallAndWriteNothing() {
    pools.close();
    // the defaults' hysteresis: 5 free IPs above the warm target are tolerated
    pools =
        new PoolController(
            client,
            cloud,
            new WarmPoolConfig(4, 0, 0, 0, 5, Duration.ofMinutes(5), 10),
            Clock.systemUTC(),
            Duration.ofHours(1),
            Duration.ofHours(1));
    createNode();
    pools.sync("n1");
    agentReports(List.of(nodeEni().getSpec().enis.getFirst().ips.getFirst()), 0, List.of());
    pools.sync("n1"); // one pod in use: warm 4 beyond it, so the pool grows to 5 once
    List<String> ips = nodeEni().getSpec().enis.getFirst().ips;
    int calls = cloud.calls.get();
    int lists = cloud.lists.get();
    String version = nodeEni().getMetadata().getResourceVersion();
    // pods come and go within the warm pool: one pod at a time, 50 times
    for (int i = 0; i < 50; i++) {
      agentReports(List.of(ips.get(i % 2)), 0, List.of());
      pools.sync("n1");
      agentReports(List.of(), 0, List.of());
      pools.sync("n1");
    }
    assertThat(cloud.calls.get()).as("writes").isEqualTo(calls);
    assertThat(cloud.lists.get()).as("listings").isEqualTo(lists);
    // only the agent's status writes (at most 100; one repeats the last) moved the resource
    // version: the 100 syncs never rewrote the spec
    assertThat(nodeEni().getSpec().enis.getFirst().ips).isEqualTo(ips);
    assertThat(Long.parseLong(nodeEni().getMetadata().getResourceVersion()))
        .isBetween(Long.parseLong(version) + 99, Long.parseLong(version) + 100);
  }

  @Test
  void specCarriesTheSubnetFreeCountOfTheNodeOperations() {
    cloud.instances.put("n1", new NodeOperations.Instance("i-1", "m5.large", 3, 10, "subnet-1"));
    cloud.subnetFree.put("subnet-1", 120L);
    createNode();
    for (int i = 0; i < 10; i++) {
      pools.sync("n1");
    }
    assertThat(nodeEni().getSpec().subnets)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.id).isEqualTo("subnet-1");
              assertThat(s.freeIps).isEqualTo(120L);
            });
    // the node operations' subnet cache bounds the cloud's describes (SubnetCacheTest); here the
    // count follows the cloud once it changes
    cloud.subnetFree.put("subnet-1", 90L);
    pools.sync("n1");
    assertThat(nodeEni().getSpec().subnets.getFirst().freeIps).isEqualTo(90L);
  }

  @Test
  void aFailedCallMakesTheNextSyncListTheCloudAgain() {
    createNode();
    pools.sync("n1");
    List<String> ips = nodeEni().getSpec().enis.getFirst().ips;
    int lists = cloud.lists.get();
    cloud.failNextAssign = new IllegalStateException("throttled");
    agentReports(ips, 0, List.of()); // all 4 in use: the pool must grow
    assertThatThrownBy(() -> pools.sync("n1")).hasMessageContaining("throttled");
    pools.sync("n1");
    assertThat(cloud.lists.get()).isEqualTo(lists + 1);
    assertThat(cloud.ipCount("n1")).isEqualTo(8);
    assertThat(nodeEni().getSpec().enis.getFirst().ips).hasSize(8);
  }

  @Test
  void enisOfOneSyncAreCreatedAndAttachedAtOnce() {
    cloud.instances.put("n1", new NodeOperations.Instance("i-1", "c5.4xlarge", 4, 10));
    pools.close();
    pools =
        new PoolController(
            client,
            cloud,
            new WarmPoolConfig(25, 0, 0, 0, 0, Duration.ZERO, 10),
            Clock.systemUTC(),
            Duration.ofHours(1),
            Duration.ofHours(1));
    createNode();
    // each create waits until all three have started: run one after another, they would not
    cloud.createGate = new java.util.concurrent.CountDownLatch(3);
    pools.sync("n1");
    assertThat(cloud.maxCreatesInFlight.get()).isEqualTo(3);
    assertThat(nodeEni().getSpec().enis).hasSize(3);
    assertThat(nodeEni().getSpec().enis.stream().mapToInt(e -> e.ips.size()).sum()).isEqualTo(25);
  }
}
