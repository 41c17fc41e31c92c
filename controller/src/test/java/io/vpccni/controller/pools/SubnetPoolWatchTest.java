package io.vpccni.controller.pools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.vpccni.cloud.testkit.FakeVpcApi;
import io.vpccni.cloud.testkit.InstanceType;
import io.vpccni.controller.plan.WarmPoolConfig;
import io.vpccni.crd.NodeEni;
import io.vpccni.crd.NodeEniSpec;
import io.vpccni.crd.NodeEniStatus;
import io.vpccni.crd.SubnetPool;
import io.vpccni.crd.SubnetPoolSpec;
import io.vpccni.testkit.kube.MockKubeApi;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Once started, the pool loop knows SubnetPools from a watch: a sync reads none, and a pool created
 * or changed later reaches the nodes that wait for it without any other event.
 */
@MockKubeApi
class SubnetPoolWatchTest {
  static KubernetesClient client;
  static KubernetesMockServer server;
  PoolController pools;

  @BeforeEach
  void up() throws Exception {
    for (String r : List.of(NodeEni.CRD_RESOURCE, SubnetPool.CRD_RESOURCE)) {
      try (InputStream in = NodeEni.class.getResourceAsStream(r)) {
        client
            .resource(
                client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class))
            .createOr(c -> c.update());
      }
    }
    client.nodes().delete();
    client.resources(NodeEni.class).delete();
    client.resources(SubnetPool.class).delete();
    FakeVpcApi cloud = new FakeVpcApi();
    cloud.addSubnet("node-subnet", "10.0.0.0/16", "z1");
    cloud.addSubnet("a-1", "10.1.0.0/24", "z1");
    cloud.addSubnet("c-1", "10.3.0.0/24", "z1");
    cloud.addInstance("i-1", InstanceType.M5_4XLARGE, "node-subnet", List.of("sg-node"));
    var ops =
        new VpcApiNodeOperations(
            cloud,
            "c1",
            n -> Optional.ofNullable(Map.of("n1", "i-1").get(n)),
            Clock.systemUTC(),
            new SubnetChooser(cloud, Clock.systemUTC(), Duration.ofMinutes(1)));
    pools =
        new PoolController(
            client,
            ops,
            new WarmPoolConfig(2, 0, 0, 0, 0, Duration.ZERO, 10),
            Clock.systemUTC(),
            Duration.ofHours(1), // no periodic resync: only events make the loop sync
            Duration.ofHours(1));
    pool("team-a", "a-1");
    client
        .nodes()
        .resource(new NodeBuilder().withNewMetadata().withName("n1").endMetadata().build())
        .create();
  }

  @AfterEach
  void down() {
    pools.close();
  }

  void pool(String name, String subnet) {
    SubnetPool p = new SubnetPool();
    p.setMetadata(new ObjectMetaBuilder().withName(name).build());
    p.setSpec(new SubnetPoolSpec());
    p.getSpec().subnets = new ArrayList<>(List.of(subnet));
    client.resource(p).create();
  }

  NodeEni nodeEni() {
    return client.resources(NodeEni.class).withName("n1").get();
  }

  void demand(Map<String, Integer> byPool) {
    NodeEni n = nodeEni();
    NodeEniStatus s = new NodeEniStatus();
    s.demandByPool = new java.util.TreeMap<>(byPool);
    s.demand = byPool.values().stream().mapToInt(Integer::intValue).sum();
    n.setStatus(s);
    client.resources(NodeEni.class).resource(n).updateStatus();
  }

  List<String> drainRequests() throws InterruptedException {
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) { // bounded
      RecordedRequest r = server.takeRequest(50, TimeUnit.MILLISECONDS);
      if (r == null) {
        break;
      }
      paths.add(r.getMethod() + " " + r.getPath());
    }
    return paths;
  }

  @Test
  void aSyncReadsNoSubnetPoolOnceTheyAreWatched() throws Exception {
    pools.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> pools.subnetPool("team-a") != null);
    await().atMost(Duration.ofSeconds(10)).until(() -> nodeEni() != null);
    demand(Map.of("team-a", 2));
    drainRequests();
    for (int i = 0; i < 3; i++) {
      pools.sync("n1");
    }
    List<String> requests = drainRequests();
    assertThat(requests).as("the syncs ran").anyMatch(r -> r.startsWith("GET /api/v1/nodes/n1"));
    assertThat(requests)
        .as("no SubnetPool read per sync")
        .noneMatch(r -> r.contains("/subnetpools"));
    assertThat(nodeEni().getSpec().enis)
        .as("the watched pool is served")
        .anySatisfy(e -> assertThat(e.subnetId).isEqualTo("a-1"));
  }

  @Test
  void aPoolCreatedLaterReachesTheNodeThatWaitsForIt() throws Exception {
    pools.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> nodeEni() != null);
    demand(Map.of("team-c", 1));
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(nodeEni().getSpec().conditions)
                    .extracting(c -> c.pool + ":" + c.reason)
                    .containsExactly("team-c:SubnetPoolNotFound"));
    drainRequests();
    pool("team-c", "c-1"); // no node or NodeENI changes: only the watch can start a sync
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(nodeEni().getSpec().enis)
                    .extracting(e -> e.pool + "@" + e.subnetId)
                    .contains("team-c@c-1"));
    assertThat(nodeEni().getSpec().conditions).extracting(c -> c.reason).isEmpty();
    // every node is synced again from the watches' caches: no list of Nodes or NodeENIs
    assertThat(drainRequests())
        .as("the resync lists nothing")
        .noneMatch(r -> r.matches("GET /api/v1/nodes(\\?(?!.*watch=true).*)?"))
        .noneMatch(
            r -> r.matches("GET /apis/vpc-cni.io/v1alpha1/nodeenis(\\?(?!.*watch=true).*)?"));
  }

  @Test
  void withoutAWatchASyncStillReadsThePool() {
    pools.sync("n1"); // not started: tests and a missing CRD take this path
    demand(Map.of("team-a", 1));
    pools.sync("n1");
    assertThat(nodeEni().getSpec().enis)
        .extracting(e -> e.pool)
        .containsExactlyInAnyOrder("", "team-a");
    NodeEniSpec spec = nodeEni().getSpec();
    assertThat(spec.conditions).isEmpty();
  }
}
