package io.vpccni.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vpccni.agentapi.Json;
import io.vpccni.agentapi.JsonObject;
import io.vpccni.cli.local.LocalCluster;
import io.vpccni.crd.NodeEni;
import io.vpccni.crd.NodeEniSpec;
import io.vpccni.crd.SubnetPool;
import io.vpccni.crd.SubnetPoolSpec;
import io.vpccni.crd.SubnetPoolStatus;
import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.IpPrefix;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 4 end to end: the local cluster with three more subnets in its VPC network, two SubnetPools
 * selecting namespaces {@code team-a} and {@code team-b}, a pod that names its pool by annotation,
 * and a third pool whose only subnet (a /28) has two free addresses. Pods go through the real CNI
 * binary on both nodes; the controller creates the pools' ENIs (OpenStack provider → emulator) in
 * the pools' subnets with the pools' security groups; packets cross subnets on the emulator's
 * fabric; the controller writes the pools' free counts; and the exhausted pool's waiting pod gets
 * the {@code SubnetExhausted} Event, as its node's NodeENI gets the condition.
 */
@Tag("e2e")
class PrivilegedSubnetPoolClusterTest {
  static final String TEAM_A_CIDR = "10.1.0.0/24";
  static final String TEAM_B_CIDR = "10.2.0.0/24";
  static final String TINY_CIDR = "10.3.0.0/28";

  @Test
  void podsOfTwoPoolsGetAddressesOfTheirSubnetsAndAnExhaustedPoolSaysSo() throws Exception {
    LocalCluster cluster = LocalClusters.create("pools");
    // warm 2 IPs per pool: a pool's first ENI needs 1 + 1 waiting + 2 warm = 4 addresses
    JsonObject d = cluster.up(new LocalCluster.Options(2, "c5.xlarge", 2, 2, 5, 30, 60), m -> {});
    try (KubernetesClient kube = LocalClusters.kube(d)) {
      String subnetA = cluster.subnet(TEAM_A_CIDR, null, null);
      String subnetB = cluster.subnet(TEAM_B_CIDR, null, null);
      String tiny = cluster.subnet(TINY_CIDR, "10.3.0.2", "10.3.0.3"); // 2 free addresses
      cluster.namespace("team-a", Map.of("team", "a"));
      cluster.namespace("team-b", Map.of("team", "b"));
      cluster.namespace("team-c", Map.of("team", "c"));
      createPool(kube, "team-a", subnetA, "sg-team-a", "a");
      createPool(kube, "team-b", subnetB, "sg-team-b", "b");
      createPool(kube, "tiny", tiny, "sg-tiny", "c");

      // The annotated pod first: its ADD fails (code 7) until the agent's informer has the pools.
      String annotated =
          add(
              cluster,
              pod("default", "by-annotation", Map.of("vpc-cni.io/subnet-pool", "team-b")),
              2);
      String a1 = add(cluster, pod("team-a", "a1", Map.of()), 1);
      String a2 = add(cluster, pod("team-a", "a2", Map.of()), 2);
      String b2 = add(cluster, pod("team-b", "b2", Map.of()), 2);
      String plain = add(cluster, pod("default", "plain", Map.of()), 1);

      assertThat(in(TEAM_A_CIDR, a1)).as("team-a pod on node1: %s", a1).isTrue();
      assertThat(in(TEAM_A_CIDR, a2)).as("team-a pod on node2: %s", a2).isTrue();
      assertThat(in(TEAM_B_CIDR, b2)).as("team-b pod on node2: %s", b2).isTrue();
      assertThat(in(TEAM_B_CIDR, annotated)).as("annotated pod: %s", annotated).isTrue();
      assertThat(in("10.0.0.0/16", plain)).as("a pod of no pool: the node's subnet").isTrue();

      String vpc = d.string("vpcUrl");
      for (int node = 1; node <= 2; node++) {
        String instance = d.objects("nodes").get(node - 1).string("instanceId");
        List<JsonObject> ports = LocalClusterSupport.portsOf(vpc, instance);
        assertThat(poolPorts(ports, subnetA))
            .as("node%d has one team-a ENI, in team-a's subnet, with team-a's security group", node)
            .singleElement()
            .satisfies(p -> assertThat(p.list("security_groups")).containsExactly("sg-team-a"));
        if (node == 2) {
          assertThat(poolPorts(ports, subnetB))
              .as("node2 has one team-b ENI with team-b's security group (two pods share it)")
              .singleElement()
              .satisfies(p -> assertThat(p.list("security_groups")).containsExactly("sg-team-b"));
        } else {
          assertThat(poolPorts(ports, subnetB)).as("no team-b pod on node1, no ENI").isEmpty();
        }
      }
      NodeEni n2 = LocalClusterSupport.nodeEni(kube, "node2");
      assertThat(n2.getSpec().enis)
          .as("the NodeENI names each ENI's pool for the agent")
          .anySatisfy(
              e -> {
                assertThat(e.pool).isEqualTo("team-b");
                assertThat(e.subnetCidr).isEqualTo(TEAM_B_CIDR);
                assertThat(e.ips).contains(b2, annotated);
              });

      String prefix = d.string("prefix");
      String host = d.object("vpcHost").string("ip");
      String nsA1 = prefix + "-pod-team-a_a1";
      assertThat(LocalClusterSupport.ping(nsA1, b2)).as("team-a (node1) → team-b (node2)").isTrue();
      assertThat(LocalClusterSupport.ping(nsA1, a2)).as("team-a node1 → team-a node2").isTrue();
      assertThat(LocalClusterSupport.ping(nsA1, host)).as("team-a → VPC host").isTrue();
      assertThat(LocalClusterSupport.ping(prefix + "-pod-team-b_b2", plain))
          .as("team-b (node2) → a node-subnet pod (node1)")
          .isTrue();
      assertThat(LocalClusterSupport.ping(prefix + "-pod-by-annotation", host))
          .as("annotated pod → VPC host")
          .isTrue();

      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofSeconds(1))
          .untilAsserted(
              () -> {
                SubnetPoolStatus st = status(kube, "team-a");
                assertThat(st.subnets)
                    .singleElement()
                    .satisfies(
                        s -> {
                          assertThat(s.cidr).isEqualTo(TEAM_A_CIDR);
                          // 253 addresses (.1 is the gateway) less two ENIs' primary + 3 (1 pod, 2
                          // warm)
                          assertThat(s.free).isBetween(200L, 253L - 8);
                        });
                assertThat(condition(st, "Exhausted")).isEqualTo("False");
                SubnetPoolStatus t = status(kube, "tiny");
                assertThat(t.subnets)
                    .singleElement()
                    .satisfies(s -> assertThat(s.free).isEqualTo(2));
              });

      // The tiny pool: 2 free addresses, an ENI needs 4. The pod waits, and says why.
      Pod waiting = pod("team-c", "c1", Map.of());
      String lastError = "";
      boolean exhaustedEvent = false;
      for (int attempt = 0; attempt < 60 && !exhaustedEvent; attempt++) { // bounded: ~1 min
        try {
          cluster.pod("ADD", waiting, 1);
          throw new AssertionError("a pod of the exhausted pool got an address");
        } catch (IllegalStateException e) {
          lastError = e.getMessage();
        }
        exhaustedEvent =
            kube.v1().events().inNamespace("team-c").list().getItems().stream()
                .anyMatch(
                    ev ->
                        "c1".equals(ev.getInvolvedObject().getName())
                            && "SubnetExhausted".equals(ev.getReason())
                            && "Warning".equals(ev.getType()));
        if (!exhaustedEvent) {
          cluster.pod("DEL", waiting, 1);
          Thread.sleep(1000);
        }
      }
      assertThat(exhaustedEvent).as("Warning SubnetExhausted on pod team-c/c1").isTrue();
      assertThat(lastError.replace(" ", ""))
          .as("CNI says try again, naming the pod and the pool: %s", lastError)
          .contains("\"code\":11")
          .contains("team-c/c1")
          .contains("tiny");
      // The pod still waits (its last ADD failed, no DEL): the agent reports the demand and the
      // controller says why (between the retries above, a DEL could clear it for a moment).
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(
              () -> {
                List<NodeEniSpec.PoolCondition> conds =
                    LocalClusterSupport.nodeEni(kube, "node1").getSpec().conditions;
                assertThat(conds)
                    .as("node1's NodeENI says why pool tiny cannot grow")
                    .anySatisfy(
                        c -> {
                          assertThat(c.pool).isEqualTo("tiny");
                          assertThat(c.reason).isEqualTo("SubnetExhausted");
                        });
              });
      assertThat(poolPorts(LocalClusterSupport.portsOf(vpc, instance(d, 1)), tiny))
          .as("no ENI in the exhausted subnet")
          .isEmpty();
      cluster.pod("DEL", waiting, 1);
    } finally {
      cluster.down(m -> {});
    }
  }

  private static String instance(JsonObject d, int node) {
    return d.objects("nodes").get(node - 1).string("instanceId");
  }

  private static void createPool(
      KubernetesClient kube, String name, String subnet, String sg, String team) {
    SubnetPool p = new SubnetPool();
    p.setMetadata(new ObjectMetaBuilder().withName(name).build());
    SubnetPoolSpec spec = new SubnetPoolSpec();
    spec.subnets.add(subnet);
    spec.securityGroups.add(sg);
    spec.namespaceSelector = new LabelSelectorBuilder().addToMatchLabels("team", team).build();
    p.setSpec(spec);
    kube.resources(SubnetPool.class).resource(p).create();
  }

  private static Pod pod(String namespace, String name, Map<String, String> annotations) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace(namespace)
        .withName(name)
        .withAnnotations(annotations)
        .endMetadata()
        .build();
  }

  /** ADD until it succeeds (the pool's ENI is being made: code 11), DEL between tries. */
  private static String add(LocalCluster cluster, Pod pod, int node) throws Exception {
    Exception last = null;
    for (int attempt = 0; attempt < 90; attempt++) { // bounded: 90 s per pod
      try {
        String out = cluster.pod("ADD", pod, node);
        String a = Json.parseObject(out).objects("ips").get(0).string("address");
        return a.substring(0, a.indexOf('/'));
      } catch (IllegalStateException e) {
        last = e;
        cluster.pod("DEL", pod, node);
        Thread.sleep(1000);
      }
    }
    throw new AssertionError("pod " + pod.getMetadata().getName() + " never got an address", last);
  }

  private static boolean in(String cidr, String ip) {
    return IpPrefix.parse(cidr).contains(IpAddress.parse(ip));
  }

  /** The secondary ports (ENIs) whose addresses are in the subnet. */
  private static List<JsonObject> poolPorts(List<JsonObject> ports, String subnetId) {
    return ports.stream()
        .filter(
            p ->
                p.objects("fixed_ips").stream()
                    .allMatch(f -> subnetId.equals(f.string("subnet_id"))))
        .toList();
  }

  private static SubnetPoolStatus status(KubernetesClient kube, String pool) {
    SubnetPool p = kube.resources(SubnetPool.class).withName(pool).get();
    assertThat(p.getStatus()).as("SubnetPool %s has a status", pool).isNotNull();
    return p.getStatus();
  }

  private static String condition(SubnetPoolStatus st, String type) {
    return st.conditions.stream()
        .filter(c -> type.equals(c.getType()))
        .map(c -> c.getStatus())
        .findFirst()
        .orElse("(none)");
  }
}
