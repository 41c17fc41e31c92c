package io.vpccni.controller.pools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vpccni.cloud.CloudException;
import io.vpccni.cloud.CloudOperation;
import io.vpccni.cloud.Eni;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pool loop with SubnetPools: the mock API server (CRUD mode), the real node operations and
 * subnet choice, and the SPI's fake cloud.
 */
@MockKubeApi
class SubnetPoolControllerTest {
  static KubernetesClient client;
  FakeVpcApi cloud;
  SubnetChooser chooser;
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
    client.v1().events().inAnyNamespace().delete();
    cloud = new FakeVpcApi();
    cloud.addSubnet("node-subnet", "10.0.0.0/16", "z1");
    cloud.addSubnet("a-small", "10.1.0.0/26", "z1");
    cloud.addSubnet("a-big", "10.2.0.0/24", "z1");
    cloud.addSubnet("a-far", "10.3.0.0/16", "z2");
    cloud.addSubnet("b-tiny", "10.4.0.0/28", "z1");
    cloud.addInstance("i-1", InstanceType.M5_4XLARGE, "node-subnet", List.of("sg-node"));
    cloud.addInstance("i-2", InstanceType.M5_LARGE, "node-subnet", List.of("sg-node"));
    chooser = new SubnetChooser(cloud, Clock.systemUTC(), Duration.ofMinutes(1));
    var ops =
        new VpcApiNodeOperations(
            cloud,
            "c1",
            n -> Optional.ofNullable(Map.of("n1", "i-1", "n2", "i-2").get(n)),
            Clock.systemUTC(),
            chooser);
    pools =
        new PoolController(
            client,
            ops,
            new WarmPoolConfig(2, 0, 0, 0, 0, Duration.ZERO, 10),
            Clock.systemUTC(),
            Duration.ofHours(1),
            Duration.ofHours(1));
    pool("team-a", List.of("a-small", "a-big", "a-far"), List.of("sg-a"));
    pool("team-b", List.of("b-tiny"), List.of());
  }

  void pool(String name, List<String> subnets, List<String> groups) {
    SubnetPool p = new SubnetPool();
    p.setMetadata(new ObjectMetaBuilder().withName(name).build());
    p.setSpec(new SubnetPoolSpec());
    p.getSpec().subnets = subnets;
    p.getSpec().securityGroups = groups;
    p.getSpec().namespaceSelector =
        new LabelSelectorBuilder().withMatchLabels(Map.of("team", name)).build();
    client.resource(p).create();
  }

  void node(String name) {
    client
        .nodes()
        .resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
  }

  NodeEni nodeEni(String name) {
    return client.resources(NodeEni.class).withName(name).get();
  }

  void demand(String node, Map<String, Integer> byPool) {
    NodeEni n = nodeEni(node);
    NodeEniStatus s = new NodeEniStatus();
    s.demandByPool = new java.util.TreeMap<>(byPool);
    s.demand = byPool.values().stream().mapToInt(Integer::intValue).sum();
    n.setStatus(s);
    client.resources(NodeEni.class).resource(n).updateStatus();
  }

  Eni cloudEni(String id) {
    return cloud.describeEni(id);
  }

  @Test
  void eachPoolGetsEnisFromItsOwnSubnetsWithItsSecurityGroups() {
    node("n1");
    pools.sync("n1");
    demand("n1", Map.of("team-a", 3, "team-b", 1));
    pools.sync("n1");
    List<NodeEniSpec.Eni> enis = nodeEni("n1").getSpec().enis;
    assertThat(enis).extracting(e -> e.pool).containsExactlyInAnyOrder("", "team-a", "team-b");
    assertThat(enis).extracting(e -> e.deviceIndex).doesNotHaveDuplicates();
    NodeEniSpec.Eni a = enis.stream().filter(e -> e.pool.equals("team-a")).findFirst().get();
    NodeEniSpec.Eni b = enis.stream().filter(e -> e.pool.equals("team-b")).findFirst().get();
    NodeEniSpec.Eni d = enis.stream().filter(e -> e.pool.isEmpty()).findFirst().get();
    assertThat(a.subnetId).as("most free addresses in zone z1").isEqualTo("a-big");
    assertThat(a.ips).hasSize(3 + 2);
    assertThat(cloudEni(a.id).securityGroups()).containsExactly("sg-a");
    assertThat(cloudEni(a.id).tags()).containsEntry(VpcApiNodeOperations.POOL_TAG, "team-a");
    assertThat(b.subnetId).isEqualTo("b-tiny");
    assertThat(cloudEni(b.id).securityGroups()).containsExactly("sg-node");
    assertThat(d.subnetId).isEqualTo("node-subnet");
    assertThat(nodeEni("n1").getSpec().conditions).isEmpty();

    // a later listing of the cloud still knows each ENI's pool (from its tag)
    pools.close();
    pools =
        new PoolController(
            client,
            new VpcApiNodeOperations(
                cloud, "c1", n -> Optional.of("i-1"), Clock.systemUTC(), chooser),
            new WarmPoolConfig(2, 0, 0, 0, 0, Duration.ZERO, 10),
            Clock.systemUTC(),
            Duration.ofHours(1),
            Duration.ofHours(1));
    pools.sync("n1");
    assertThat(nodeEni("n1").getSpec().enis)
        .extracting(e -> e.pool)
        .containsExactlyInAnyOrder("", "team-a", "team-b");
  }

  @Test
  void anExhaustedSubnetIsAConditionOnTheNodeEniAndAnEventOnTheNode() {
    node("n1");
    pools.sync("n1");
    demand("n1", Map.of("team-b", 20)); // a /28 has not 23 free addresses
    assertThatThrownBy(() -> pools.sync("n1"))
        .isInstanceOfSatisfying(
            CloudException.class,
            e -> assertThat(e.reason()).isEqualTo(CloudException.Reason.INSUFFICIENT_ADDRESSES));
    List<NodeEniSpec.PoolCondition> conditions = nodeEni("n1").getSpec().conditions;
    assertThat(conditions)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.pool).isEqualTo("team-b");
              assertThat(c.reason).isEqualTo("SubnetExhausted");
              assertThat(c.message).contains("team-b", "n1", "add a subnet");
              assertThat(c.since).isNotNull();
            });
    List<Event> events = client.v1().events().inNamespace("default").list().getItems();
    assertThat(events)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getReason()).isEqualTo("SubnetExhausted");
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getInvolvedObject().getKind()).isEqualTo("Node");
              assertThat(e.getInvolvedObject().getName()).isEqualTo("n1");
            });
    // retried syncs make a series, not an Event each
    for (int i = 0; i < 5; i++) {
      assertThatThrownBy(() -> pools.sync("n1")).isInstanceOf(CloudException.class);
    }
    assertThat(client.v1().events().inNamespace("default").list().getItems()).hasSize(1);

    // the pods go away: the condition goes with them
    demand("n1", Map.of());
    pools.sync("n1");
    assertThat(nodeEni("n1").getSpec().conditions).isEmpty();
  }

  @Test
  void cloudThrottlingIsSaidAsSuch() {
    node("n1");
    pools.sync("n1");
    demand("n1", Map.of("team-a", 1));
    cloud.faults().failNext(1, CloudException.Reason.THROTTLED, CloudOperation.CREATE_ENI);
    assertThatThrownBy(() -> pools.sync("n1")).isInstanceOf(CloudException.class);
    assertThat(nodeEni("n1").getSpec().conditions)
        .extracting(c -> c.pool + ":" + c.reason)
        .containsExactly("team-a:CloudThrottled");
    pools.sync("n1");
    assertThat(nodeEni("n1").getSpec().conditions).isEmpty();
    assertThat(nodeEni("n1").getSpec().enis).extracting(e -> e.pool).contains("team-a");
  }

  @Test
  void poolsShareTheNodesEniSlots() {
    node("n2"); // m5.large: 2 secondary ENIs
    pools.sync("n2");
    demand("n2", Map.of("team-a", 1, "team-b", 1));
    pools.sync("n2");
    NodeEni n = nodeEni("n2");
    assertThat(n.getSpec().enis).extracting(e -> e.pool).containsExactly("", "team-a");
    assertThat(n.getSpec().conditions)
        .extracting(c -> c.pool + ":" + c.reason)
        .containsExactly("team-b:EniQuotaReached");
    assertThat(client.v1().events().inNamespace("default").list().getItems())
        .extracting(Event::getReason)
        .containsExactly("EniQuotaReached");
  }

  @Test
  void demandForAMissingPoolIsSubnetPoolNotFoundAndCreatesNothing() {
    node("n1");
    pools.sync("n1");
    int before = cloud.allEnis().size();
    demand("n1", Map.of("nope", 2));
    pools.sync("n1");
    assertThat(cloud.allEnis()).hasSize(before);
    assertThat(nodeEni("n1").getSpec().conditions)
        .extracting(c -> c.pool + ":" + c.reason)
        .containsExactly("nope:SubnetPoolNotFound");
  }

  @Test
  void subnetPoolStatusSaysCidrAndFreeAddressesPerSubnet() {
    SubnetPoolStatusWriter writer = new SubnetPoolStatusWriter(client, chooser, Clock.systemUTC());
    assertThat(writer.refresh()).isEqualTo(2);
    SubnetPool a = client.resources(SubnetPool.class).withName("team-a").get();
    assertThat(a.getStatus().subnets)
        .extracting(s -> s.id + " " + s.cidr + " " + s.zone)
        .containsExactly("a-small 10.1.0.0/26 z1", "a-big 10.2.0.0/24 z1", "a-far 10.3.0.0/16 z2");
    assertThat(a.getStatus().subnets.get(1).free).isGreaterThan(200);
    assertThat(a.getStatus().conditions)
        .extracting(c -> c.getType() + "=" + c.getStatus())
        .containsExactly("Ready=True", "Exhausted=False");
    assertThat(writer.refresh()).as("nothing changed: nothing written").isZero();
  }
}
