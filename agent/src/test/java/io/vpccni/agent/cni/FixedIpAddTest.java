package io.vpccni.agent.cni;

import static io.vpccni.agent.k8s.NodeEniFixtures.eni;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vpccni.agent.config.Mode;
import io.vpccni.agent.datapath.Steps;
import io.vpccni.agent.k8s.FixedIps;
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
import io.vpccni.crd.IpReservation;
import io.vpccni.crd.NodeEni;
import io.vpccni.crd.NodeEniSpec;
import io.vpccni.testkit.kube.MockKubeApi;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fixed IPs on the agent's ADD and DEL against the mock API server (CRUD mode), with the recording
 * datapath of {@link SubnetPoolAddTest}: a reservation is created at the first ADD, its address
 * comes back to the pod of that name and to no other pod, an address on another node is asked for
 * (code 11 and an Event), bad annotations are refused with code 7 and change nothing, and a crash
 * between the reservation and the answer is repaired at the next start.
 */
@MockKubeApi
class FixedIpAddTest {
  static KubernetesClient client;
  @TempDir Path dir;
  final List<AutoCloseable> closing = new ArrayList<>();
  Agent agent;
  Duration cooldown = Duration.ofSeconds(180);

  /** One agent's pieces, as AgentMain wires them (n1: one ENI with two IPs, 10.1.1.20-21). */
  final class Agent {
    final IpPool pool;
    final NodeEniSource source;
    final PodPools podPools;
    final FixedIps fixed;
    final StatusReporter reporter;
    final CniService cni;

    Agent(Steps steps) throws Exception {
      pool =
          new IpPool(List.of(), Mode.SHARED, new CheckpointStore(dir), Clock.systemUTC(), cooldown);
      source = new NodeEniSource(client, "n1", pool::updateEnis);
      source.start();
      closing.add(source);
      await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().total() == 2);
      podPools = new PodPools(client);
      podPools.start();
      closing.add(podPools);
      fixed = new FixedIps(client, "n1", Duration.ofHours(1), pool, Clock.systemUTC());
      assertThat(fixed.start()).isTrue();
      closing.add(fixed);
      reporter = new StatusReporter(client, "n1", pool, source, Clock.systemUTC());
      closing.add(reporter);
      cni =
          new CniService(
              "n1",
              pool,
              new SubnetPoolAddTest.RecordingDatapath(),
              k -> "h" + k.containerId(),
              steps,
              Clock.systemUTC(),
              new Timings(),
              new AgentMetrics(pool));
      cni.useSubnetPools(
          podPools,
          new PodEvents(
              client, "n1", source::conditions, Clock.systemUTC(), Duration.ofMinutes(1)));
      cni.useFixedIps(fixed, source::subnetIdOf);
    }

    AgentResponse add(String container, String ns, String name) {
      return cni.handle(
          new AgentRequest(
              "ADD",
              container,
              "/proc/self/ns/net",
              "eth0",
              Map.of("K8S_POD_NAMESPACE", ns, "K8S_POD_NAME", name),
              JsonObject.create()));
    }

    AgentResponse del(String container, String ns, String name) {
      return cni.handle(
          new AgentRequest(
              "DEL",
              container,
              "/proc/self/ns/net",
              "eth0",
              Map.of("K8S_POD_NAMESPACE", ns, "K8S_POD_NAME", name),
              JsonObject.create()));
    }
  }

  @BeforeEach
  void up() throws Exception {
    NodeEniFixtures.installCrd(client);
    try (InputStream in = NodeEni.class.getResourceAsStream(IpReservation.CRD_RESOURCE)) {
      client
          .resource(
              client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class))
          .createOr(c -> c.update());
    }
    client.resources(NodeEni.class).delete();
    client.resources(IpReservation.class).inAnyNamespace().delete();
    client.v1().events().inAnyNamespace().delete();
    client.pods().inAnyNamespace().delete();
    client.apps().statefulSets().inAnyNamespace().delete();
    NodeEniSpec.Eni e = eni(1, 1, 2, "Attached");
    e.subnetId = "subnet-1";
    client.resource(NodeEniFixtures.nodeEni("n1", List.of(e))).create();
    agent = new Agent(Steps.NONE);
  }

  @AfterEach
  void down() throws Exception {
    for (AutoCloseable c : closing.reversed()) {
      c.close();
    }
  }

  void pod(String name, Map<String, String> annotations, String statefulSet) {
    var b =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace("shop")
            .withAnnotations(annotations)
            .endMetadata();
    if (statefulSet != null) {
      b.editMetadata()
          .withOwnerReferences(
              new OwnerReferenceBuilder()
                  .withApiVersion("apps/v1")
                  .withKind("StatefulSet")
                  .withName(statefulSet)
                  .withUid("uid-" + statefulSet)
                  .withController(true)
                  .build())
          .endMetadata();
    }
    client.pods().inNamespace("shop").resource(b.build()).create();
  }

  void deletePod(String name) {
    client.pods().inNamespace("shop").withName(name).delete();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> client.pods().inNamespace("shop").withName(name).get() == null);
  }

  String uid(String pod) {
    return client.pods().inNamespace("shop").withName(pod).get().getMetadata().getUid();
  }

  IpReservation reservation(String name) {
    return client.resources(IpReservation.class).inNamespace("shop").withName(name).get();
  }

  static String ipOf(AgentResponse r) {
    assertThat(r.isOk()).as(String.valueOf(r.error())).isTrue();
    String a = r.result().objects("ips").get(0).string("address");
    return a.substring(0, a.indexOf('/'));
  }

  List<Event> events(String pod, String reason) {
    return client.v1().events().inNamespace("shop").list().getItems().stream()
        .filter(e -> e.getInvolvedObject().getName().equals(pod))
        .filter(e -> e.getReason().equals(reason))
        .toList();
  }

  static final Map<String, String> FIXED = Map.of(IpReservation.FIXED_IP_ANNOTATION, "true");

  @Test
  void firstAddCreatesTheReservationBoundHere() {
    pod(
        "web-0",
        Map.of(IpReservation.FIXED_IP_ANNOTATION, "true", IpReservation.TTL_ANNOTATION, "10m"),
        null);
    String ip = ipOf(agent.add("c1", "shop", "web-0"));
    IpReservation r = reservation("web-0");
    assertThat(r.getSpec().ip).isEqualTo(ip);
    assertThat(r.getSpec().subnetId).isEqualTo("subnet-1");
    assertThat(r.getSpec().ttl).isEqualTo("10m");
    assertThat(r.getStatus().phase).isEqualTo(IpReservation.BOUND);
    assertThat(r.getStatus().node).isEqualTo("n1");
    assertThat(r.getStatus().eniId).isEqualTo("eni-1-1");
    assertThat(r.getStatus().podUid).isEqualTo(uid("web-0"));

    // a pod without the annotation gets no reservation
    pod("plain", Map.of(), null);
    ipOf(agent.add("c2", "shop", "plain"));
    assertThat(reservation("plain")).isNull();
  }

  @Test
  void theSamePodNameGetsItsAddressBackAndNoOtherPodEverGetsIt() {
    pod("web-0", FIXED, null);
    String ip = ipOf(agent.add("c1", "shop", "web-0"));
    assertThat(reservation("web-0").getSpec().ttl).isEqualTo("1h"); // the config's default
    assertThat(agent.del("c1", "shop", "web-0").isOk()).isTrue();
    IpReservation released = reservation("web-0");
    assertThat(released.getStatus().phase).isEqualTo(IpReservation.RELEASED);
    assertThat(released.getStatus().releasedAt).isNotNull();
    deletePod("web-0");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> agent.pool.reservedIdle().stream().map(Object::toString).toList(),
            l -> l.contains(ip));
    assertThat(agent.reporter.report().reserved).containsExactly(ip);

    // two other pods: one gets the other address; the second finds none, though ip is idle
    pod("a", Map.of(), null);
    pod("b", Map.of(), null);
    assertThat(ipOf(agent.add("ca", "shop", "a"))).isNotEqualTo(ip);
    AgentResponse b = agent.add("cb", "shop", "b");
    assertThat(b.isOk()).isFalse();
    assertThat(b.error().code()).isEqualTo(CniErrors.TRY_AGAIN);
    assertThat(b.error().msg()).contains("kept for their StatefulSet pods (1 fixed IPs)");
    assertThat(agent.pool.stats().free()).isZero();

    // web-0 comes back (new uid, new sandbox): the same address at once, despite its cooldown
    pod("web-0", FIXED, null);
    assertThat(ipOf(agent.add("c3", "shop", "web-0"))).isEqualTo(ip);
    IpReservation bound = reservation("web-0");
    assertThat(bound.getStatus().phase).isEqualTo(IpReservation.BOUND);
    assertThat(bound.getStatus().releasedAt).isNull();
    assertThat(bound.getStatus().podUid).isNotEqualTo(released.getStatus().podUid);
  }

  @Test
  void aStatefulSetTurnsItOnForItsPodsAndAPodMayTurnItOff() {
    client
        .apps()
        .statefulSets()
        .inNamespace("shop")
        .resource(
            new StatefulSetBuilder()
                .withNewMetadata()
                .withName("db")
                .withNamespace("shop")
                .withAnnotations(
                    Map.of(
                        IpReservation.FIXED_IP_ANNOTATION,
                        "true",
                        IpReservation.TTL_ANNOTATION,
                        "2h"))
                .endMetadata()
                .withNewSpec()
                .withServiceName("db")
                .endSpec()
                .build())
        .create();
    pod("db-0", Map.of(), "db");
    pod("db-1", Map.of(IpReservation.FIXED_IP_ANNOTATION, "false"), "db");
    ipOf(agent.add("c0", "shop", "db-0"));
    ipOf(agent.add("c1", "shop", "db-1"));
    assertThat(reservation("db-0").getSpec().ttl).isEqualTo("2h");
    assertThat(reservation("db-1")).isNull();
  }

  @Test
  void aBadAnnotationIsRefusedNamingItAndChangesNothing() {
    pod(
        "web-0",
        Map.of(
            IpReservation.FIXED_IP_ANNOTATION, "true", IpReservation.TTL_ANNOTATION, "ten minutes"),
        null);
    pod("web-1", Map.of(IpReservation.FIXED_IP_ANNOTATION, "yes"), null);
    var before = agent.pool.stats();
    AgentResponse r = agent.add("c1", "shop", "web-0");
    assertThat(r.isOk()).isFalse();
    assertThat(r.error().code()).isEqualTo(CniErrors.INVALID_CONFIG);
    assertThat(r.error().msg())
        .contains("shop/web-0", "pod annotation vpc-cni.io/fixed-ip-ttl", "\"ten minutes\"");
    AgentResponse r1 = agent.add("c2", "shop", "web-1");
    assertThat(r1.error().code()).isEqualTo(CniErrors.INVALID_CONFIG);
    assertThat(r1.error().msg())
        .contains("vpc-cni.io/fixed-ip must be \"true\" or \"false\", not \"yes\"");
    assertThat(agent.pool.stats()).isEqualTo(before);
    assertThat(agent.pool.all()).isEmpty();
    assertThat(client.resources(IpReservation.class).inNamespace("shop").list().getItems())
        .isEmpty();
    assertThat(events("web-0", PodEvents.INVALID_FIXED_IP)).hasSize(1);
  }

  @Test
  void anAddressOnAnotherNodeIsAskedForAndTheAddWaits() {
    IpReservation r = new IpReservation();
    r.getMetadata().setNamespace("shop");
    r.getMetadata().setName("web-0");
    r.getSpec().ip = "10.2.1.20";
    r.getSpec().subnetId = "subnet-1";
    r.getSpec().ttl = "10m";
    r.getStatus().phase = IpReservation.RELEASED;
    r.getStatus().node = "n2";
    r.getStatus().releasedAt = "2026-01-01T00:00:00Z";
    client.resource(r).create();
    pod("web-0", FIXED, null);
    for (int i = 0; i < 3; i++) { // the kubelet retries
      AgentResponse a = agent.add("c1", "shop", "web-0");
      assertThat(a.isOk()).isFalse();
      assertThat(a.error().code()).isEqualTo(CniErrors.TRY_AGAIN);
      assertThat(a.error().msg())
          .contains("fixed IP 10.2.1.20", "on node n2", "moves it to node n1");
    }
    IpReservation wanted = reservation("web-0");
    assertThat(wanted.getStatus().wantedNode).isEqualTo("n1");
    assertThat(wanted.getStatus().wantedByUid).isEqualTo(uid("web-0"));
    assertThat(wanted.getStatus().node).isEqualTo("n2");
    assertThat(agent.pool.all()).isEmpty();
    assertThat(events("web-0", PodEvents.FIXED_IP_MOVING))
        .singleElement()
        .satisfies(e -> assertThat(e.getMessage()).contains("10.2.1.20", "n1"));
  }

  /** Throws at one ADD step, as a crash there would stop the ADD. */
  record CrashAt(String step) implements Steps {
    @Override
    public void reached(String s) {
      if (s.equals(step)) {
        throw new IllegalStateException("simulated crash at " + s);
      }
    }
  }

  @Test
  void aCrashBetweenTheReservationAndTheAnswerIsRepairedAtTheNextStart() throws Exception {
    down();
    closing.clear();
    agent = new Agent(new CrashAt("reserved"));
    pod("web-0", FIXED, null);
    AgentResponse crashed = agent.add("c1", "shop", "web-0");
    assertThat(crashed.isOk()).isFalse();
    IpReservation r = reservation("web-0");
    assertThat(r.getStatus().phase).isEqualTo(IpReservation.BOUND); // half done
    String ip = r.getSpec().ip;
    down();
    closing.clear();

    // the next agent: reconcile's first step releases the PENDING record (Reconciler, which needs
    // netlink, does exactly this; its own tests cover it), then the sweep fixes the reservation
    agent = new Agent(Steps.NONE);
    for (Allocation a : agent.pool.snapshot()) {
      assertThat(a.state()).isEqualTo(Allocation.State.PENDING);
      agent.pool.release(a.key(), true);
    }
    assertThat(agent.fixed.sweep()).isEqualTo(1);
    assertThat(reservation("web-0").getStatus().phase).isEqualTo(IpReservation.RELEASED);
    assertThat(agent.fixed.sweep()).isZero();

    // the kubelet's retry gets the address, although it cools down after the crash
    assertThat(ipOf(agent.add("c1", "shop", "web-0"))).isEqualTo(ip);
    assertThat(reservation("web-0").getStatus().phase).isEqualTo(IpReservation.BOUND);
    // and a sweep now leaves the bound reservation alone
    assertThat(agent.fixed.sweep()).isZero();
  }

  @Test
  void aReservationStillHeldByTheOldSandboxMakesTheNewOneWait() {
    pod("web-0", FIXED, null);
    String ip = ipOf(agent.add("c1", "shop", "web-0"));
    // the runtime starts a new sandbox before the old one's DEL
    AgentResponse r = agent.add("c2", "shop", "web-0");
    assertThat(r.isOk()).isFalse();
    assertThat(r.error().code()).isEqualTo(CniErrors.TRY_AGAIN);
    assertThat(r.error().msg()).contains("fixed IP " + ip, "still held by shop/web-0");
    assertThat(agent.del("c1", "shop", "web-0").isOk()).isTrue();
    assertThat(ipOf(agent.add("c2", "shop", "web-0"))).isEqualTo(ip);
    Map<String, String> held = new HashMap<>();
    agent.pool.all().forEach(a -> held.put(a.containerId(), a.ip().toString()));
    assertThat(held).containsExactly(Map.entry("c2", ip));
  }

  @Test
  void anExpiredReservationGivesTheAddressBackToThePool() throws Exception {
    down();
    closing.clear();
    cooldown = Duration.ZERO;
    agent = new Agent(Steps.NONE);
    pod("web-0", FIXED, null);
    String ip = ipOf(agent.add("c1", "shop", "web-0"));
    assertThat(agent.del("c1", "shop", "web-0").isOk()).isTrue();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> agent.pool.reservedIdle().stream().map(Object::toString).toList(),
            l -> l.contains(ip));
    assertThat(agent.pool.stats().free()).isEqualTo(1);

    // the controller deletes it when its TTL has passed
    client.resources(IpReservation.class).inNamespace("shop").withName("web-0").delete();
    await().atMost(Duration.ofSeconds(5)).until(() -> agent.pool.reservedIdle().isEmpty());
    assertThat(agent.pool.stats().free()).isEqualTo(2);
    assertThat(agent.reporter.report().reserved).isEmpty();
    pod("a", Map.of(), null);
    pod("b", Map.of(), null);
    assertThat(List.of(ipOf(agent.add("ca", "shop", "a")), ipOf(agent.add("cb", "shop", "b"))))
        .contains(ip);
  }

  @Test
  void aBindLosesToTheControllersClaimForAMove() {
    IpReservation r = new IpReservation();
    r.getMetadata().setNamespace("shop");
    r.getMetadata().setName("web-0");
    r.getSpec().ip = "10.1.1.20";
    r.getSpec().subnetId = "subnet-1";
    r.getSpec().ttl = "10m";
    r.getStatus().phase = IpReservation.MOVING;
    r.getStatus().node = "n1";
    client.resource(r).create();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> agent.fixed.bind("shop", "web-0", "uid", "eni-1-1", Duration.ofMinutes(10)))
        .isInstanceOf(FixedIps.MovedAwayException.class)
        .hasMessageContaining("moving");
    assertThat(reservation("web-0").getStatus().phase).isEqualTo(IpReservation.MOVING);
  }

  @Test
  void aKeptAddressIsNeverAcknowledgedForRelease() throws Exception {
    down();
    closing.clear();
    cooldown = Duration.ZERO; // so that only the reservation keeps it
    agent = new Agent(Steps.NONE);
    pod("web-0", FIXED, null);
    String ip = ipOf(agent.add("c1", "shop", "web-0"));
    assertThat(agent.del("c1", "shop", "web-0").isOk()).isTrue();
    NodeEni n = client.resources(NodeEni.class).withName("n1").get();
    String other =
        n.getSpec().enis.get(0).ips.stream().filter(x -> !x.equals(ip)).findFirst().get();
    n.getSpec().releaseIps = List.of(ip, other); // a controller that does not know status.reserved
    client.resource(n).update();
    await().atMost(Duration.ofSeconds(10)).until(() -> agent.source.releaseIps().size() == 2);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> agent.pool.isReserved(io.vpccni.netaddr.IpAddress.parse(ip)));
    assertThat(agent.reporter.report().releaseReady).containsExactly(other);
  }

  @Test
  void anAddressSaidToBeHereButOnNoEniHereIsAskedForToo() {
    IpReservation r = new IpReservation();
    r.getMetadata().setNamespace("shop");
    r.getMetadata().setName("web-0");
    r.getSpec().ip = "10.1.1.99";
    r.getSpec().subnetId = "subnet-1";
    r.getSpec().ttl = "10m";
    r.getStatus().phase = IpReservation.RELEASED;
    r.getStatus().node = "n1";
    client.resource(r).create();
    pod("web-0", FIXED, null);
    AgentResponse a = agent.add("c1", "shop", "web-0");
    assertThat(a.error().code()).isEqualTo(CniErrors.TRY_AGAIN);
    assertThat(a.error().msg()).contains("fixed IP 10.1.1.99 is not on this node's ENIs yet");
    assertThat(reservation("web-0").getStatus().wantedNode).isEqualTo("n1");
    assertThat(agent.pool.all()).isEmpty();
  }
}
