package io.vpccni.agent.cni;

import static io.vpccni.agent.k8s.NodeEniFixtures.eni;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vpccni.agent.config.EniSpec;
import io.vpccni.agent.config.Mode;
import io.vpccni.agent.datapath.Datapath;
import io.vpccni.agent.datapath.PodRequest;
import io.vpccni.agent.datapath.Steps;
import io.vpccni.agent.k8s.NodeEniFixtures;
import io.vpccni.agent.k8s.NodeEniSource;
import io.vpccni.agent.k8s.PodEvents;
import io.vpccni.agent.k8s.PodPools;
import io.vpccni.agent.k8s.StatusReporter;
import io.vpccni.agent.metrics.AgentMetrics;
import io.vpccni.agent.metrics.Timings;
import io.vpccni.agent.pool.IpPool;
import io.vpccni.agent.store.Allocation;
import io.vpccni.agent.store.CheckpointStore;
import io.vpccni.agentapi.AgentRequest;
import io.vpccni.agentapi.AgentResponse;
import io.vpccni.agentapi.JsonObject;
import io.vpccni.crd.NodeEni;
import io.vpccni.crd.NodeEniSpec;
import io.vpccni.crd.SubnetPool;
import io.vpccni.crd.SubnetPoolSpec;
import io.vpccni.testkit.kube.MockKubeApi;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ADD with SubnetPools against the mock API server (CRUD mode): pods of namespaces mapped to two
 * pools get IPs of their pool's ENIs, a pod that cannot is told why by an Event, and an annotation
 * naming a missing pool is a clear error that changes nothing. The datapath is a stand-in that
 * records what it was given (the real ones are covered by the Privileged* node tests).
 */
@MockKubeApi
class SubnetPoolAddTest {
  static KubernetesClient client;
  @TempDir Path dir;
  IpPool pool;
  NodeEniSource source;
  PodPools podPools;
  StatusReporter reporter;
  CniService cni;

  /** Sets nothing up; answers with the IP it was given. */
  static final class RecordingDatapath implements Datapath {
    @Override
    public Setup setup(PodRequest req, Allocation alloc, EniSpec eni, Steps steps) {
      return new Setup(result(alloc, eni), alloc);
    }

    @Override
    public void teardown(Allocation alloc, EniSpec eni) {}

    @Override
    public void check(Allocation alloc, EniSpec eni) {}

    @Override
    public JsonObject result(Allocation alloc, EniSpec eni) {
      return JsonObject.create()
          .put("ips", List.of(Map.of("address", alloc.ip() + "/32", "eni", eni.id())));
    }
  }

  @BeforeEach
  void up() throws Exception {
    NodeEniFixtures.installCrd(client);
    try (InputStream in = NodeEni.class.getResourceAsStream(SubnetPool.CRD_RESOURCE)) {
      client
          .resource(
              client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class))
          .createOr(c -> c.update());
    }
    client.resources(NodeEni.class).delete();
    client.resources(SubnetPool.class).delete();
    client.v1().events().inAnyNamespace().delete();
    client.pods().inAnyNamespace().delete();
    client.namespaces().delete();
    namespace("ns-a", Map.of("team", "a"));
    namespace("ns-b", Map.of("team", "b"));
    namespace("ns-c", Map.of());
    subnetPool("team-a", "a");
    subnetPool("team-b", "b");
    NodeEniSpec.Eni d = eni(1, 1, 2, "Attached");
    NodeEniSpec.Eni a = eni(1, 2, 2, "Attached");
    a.pool = "team-a";
    NodeEniSpec.Eni b = eni(1, 3, 1, "Attached");
    b.pool = "team-b";
    client.resource(NodeEniFixtures.nodeEni("n1", List.of(d, a, b))).create();

    pool =
        new IpPool(
            List.of(),
            Mode.SHARED,
            new CheckpointStore(dir),
            Clock.systemUTC(),
            Duration.ofSeconds(180));
    source = new NodeEniSource(client, "n1", pool::updateEnis);
    source.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().total() == 5);
    reporter = new StatusReporter(client, "n1", pool, source, Clock.systemUTC());
    podPools = new PodPools(client);
    podPools.start();
    cni =
        new CniService(
            "n1",
            pool,
            new RecordingDatapath(),
            k -> "h" + k.containerId(),
            Steps.NONE,
            Clock.systemUTC(),
            new Timings(),
            new AgentMetrics(pool));
    cni.useSubnetPools(
        podPools,
        new PodEvents(client, "n1", source::conditions, Clock.systemUTC(), Duration.ofMinutes(1)));
    pod("ns-a", "a1", Map.of());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> podPools.poolOf("ns-a", "a1").pool().equals("team-a"));
  }

  @AfterEach
  void down() {
    podPools.close();
    source.close();
    reporter.close();
  }

  void namespace(String name, Map<String, String> labels) {
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .endMetadata()
                .build())
        .create();
  }

  void subnetPool(String name, String team) {
    SubnetPool p = new SubnetPool();
    p.getMetadata().setName(name);
    p.setSpec(new SubnetPoolSpec());
    p.getSpec().subnets = List.of("subnet-" + team);
    p.getSpec().namespaceSelector =
        new io.fabric8.kubernetes.api.model.LabelSelectorBuilder()
            .withMatchLabels(Map.of("team", team))
            .build();
    client.resource(p).create();
  }

  void pod(String ns, String name, Map<String, String> annotations) {
    client
        .pods()
        .inNamespace(ns)
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(ns)
                .withAnnotations(annotations)
                .endMetadata()
                .build())
        .create();
  }

  AgentResponse add(String ns, String name) {
    return cni.handle(
        new AgentRequest(
            "ADD",
            "c-" + name,
            "/proc/self/ns/net",
            "eth0",
            Map.of("K8S_POD_NAMESPACE", ns, "K8S_POD_NAME", name),
            JsonObject.create()));
  }

  static String ipOf(AgentResponse r) {
    assertThat(r.isOk()).as(String.valueOf(r.error())).isTrue();
    return r.result().objects("ips").get(0).string("address");
  }

  List<Event> events(String ns, String pod) {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> e.getInvolvedObject().getName().equals(pod))
        .toList();
  }

  @Test
  void podsGetIpsOfTheirNamespacesPool() {
    pod("ns-b", "b1", Map.of());
    pod("ns-c", "c1", Map.of());
    pod("ns-c", "c2", Map.of(SubnetPool.POD_ANNOTATION, "team-b"));
    assertThat(ipOf(add("ns-a", "a1"))).startsWith("10.1.2.");
    assertThat(ipOf(add("ns-b", "b1"))).startsWith("10.1.3.");
    assertThat(ipOf(add("ns-c", "c1"))).startsWith("10.1.1.");
    // team-b's only IP is taken: the annotated pod waits, though the default pool has one free
    AgentResponse r = add("ns-c", "c2");
    assertThat(r.isOk()).isFalse();
    assertThat(r.error().code()).isEqualTo(CniErrors.TRY_AGAIN);
    assertThat(r.error().msg()).contains("SubnetPool team-b");
    assertThat(pool.demandByPool()).containsExactly(Map.entry("team-b", 1));
    assertThat(reporter.report().demandByPool).containsExactly(Map.entry("team-b", 1));
    assertThat(reporter.report().demand).isEqualTo(1);
  }

  @Test
  void thePolicyGateIsHandedThePodTheAddReadSoItNeedNotReadItAgain() {
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    cni.setPolicyGate(
        (podRef, ip, p) ->
            seen.add(
                podRef
                    + " "
                    + ip
                    + " "
                    + (p == null
                        ? "null"
                        : p.getMetadata().getUid() + " " + p.getMetadata().getName())));
    String ip = ipOf(add("ns-a", "a1"));
    String uid = client.pods().inNamespace("ns-a").withName("a1").get().getMetadata().getUid();
    assertThat(uid).isNotBlank();
    assertThat(seen).containsExactly("ns-a/a1 " + ip.replace("/32", "") + " " + uid + " a1");
  }

  @Test
  void aPodOfAnExhaustedPoolGetsAnEventSayingWhy() {
    pod("ns-b", "b1", Map.of());
    pod("ns-b", "b2", Map.of());
    ipOf(add("ns-b", "b1"));
    assertThat(add("ns-b", "b2").isOk()).isFalse();
    assertThat(events("ns-b", "b2"))
        .singleElement()
        .satisfies(e -> assertThat(e.getReason()).isEqualTo(PodEvents.WAITING_FOR_IP));

    // the controller says why: the pool's subnets are exhausted
    NodeEni n = client.resources(NodeEni.class).withName("n1").get();
    NodeEniSpec.PoolCondition c = new NodeEniSpec.PoolCondition();
    c.pool = "team-b";
    c.reason = "SubnetExhausted";
    c.message = "no subnet of pool team-b has free addresses for node n1; add a subnet";
    n.getSpec().conditions = List.of(c);
    client.resource(n).update();
    await().atMost(Duration.ofSeconds(10)).until(() -> !source.conditions().isEmpty());

    for (int i = 0; i < 5; i++) { // the kubelet retries
      AgentResponse r = add("ns-b", "b2");
      assertThat(r.error().code()).isEqualTo(CniErrors.TRY_AGAIN);
      assertThat(r.error().details()).contains("SubnetExhausted");
    }
    List<Event> exhausted =
        events("ns-b", "b2").stream().filter(e -> e.getReason().equals("SubnetExhausted")).toList();
    assertThat(exhausted)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getMessage()).contains("team-b", "n1", "add a subnet");
              assertThat(e.getInvolvedObject().getKind()).isEqualTo("Pod");
            });
  }

  @Test
  void anAnnotationNamingAMissingPoolIsAClearErrorAndChangesNothing() {
    pod("ns-c", "x1", Map.of(SubnetPool.POD_ANNOTATION, "nope"));
    var before = pool.stats();
    AgentResponse r = add("ns-c", "x1");
    assertThat(r.isOk()).isFalse();
    assertThat(r.error().code()).isEqualTo(CniErrors.INVALID_CONFIG);
    assertThat(r.error().msg()).contains("vpc-cni.io/subnet-pool", "\"nope\"", "does not exist");
    assertThat(pool.stats()).isEqualTo(before);
    assertThat(pool.all()).isEmpty();
    assertThat(pool.demand()).isZero();
    assertThat(events("ns-c", "x1"))
        .singleElement()
        .satisfies(e -> assertThat(e.getReason()).isEqualTo("SubnetPoolNotFound"));
  }

  @Test
  void aPodTheApiServerDoesNotKnowIsInTheDefaultPool() {
    assertThat(ipOf(add("ns-a", "not-a-pod"))).startsWith("10.1.1.");
  }
}
