package io.vpccni.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vpccni.agentapi.Json;
import io.vpccni.agentapi.JsonObject;
import io.vpccni.cli.local.LocalCluster;
import io.vpccni.crd.IpReservation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Fixed IPs across nodes on the local cluster (emulator, API stand-in, controller, two agents, the
 * real CNI binary): StatefulSet {@code web} asks for fixed IPs; its pod {@code web-0} starts on
 * node1, is deleted, and is recreated on node2, where its first ADD is told to wait (code 11) while
 * the controller moves the address to an ENI of node2; the kubelet's retry (here: DEL and ADD, as
 * {@link LocalClusterSupport#addWithRetry} does) gets the same address, which the VPC host and a
 * pod on node1 then reach on node2. Everything runs in namespaces with the cluster's per-run
 * prefix, removed by {@code down} in finally.
 */
@Tag("e2e")
class PrivilegedFixedIpTest {

  static Pod web0() {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace("shop")
        .withName("web-0")
        .addNewOwnerReference()
        .withApiVersion("apps/v1")
        .withKind("StatefulSet")
        .withName("web")
        .withUid("uid-web")
        .withController(true)
        .endOwnerReference()
        .endMetadata()
        .build();
  }

  /** ADD until it succeeds (bounded: 90 attempts, about 2 minutes); the errors seen meanwhile. */
  static String addUntilOk(LocalCluster cluster, Pod pod, int node, List<String> errors)
      throws Exception {
    for (int attempt = 0; attempt < 90; attempt++) {
      try {
        String out = cluster.pod("ADD", pod, node);
        String a = Json.parseObject(out).objects("ips").get(0).string("address");
        return a.substring(0, a.indexOf('/'));
      } catch (IllegalStateException e) {
        errors.add(e.getMessage());
        cluster.pod("DEL", pod, node);
        Thread.sleep(1000);
      }
    }
    throw new AssertionError(
        "pod " + pod.getMetadata().getName() + " never got an address: " + errors);
  }

  @Test
  void aStatefulSetPodKeepsItsAddressWhenItMovesToAnotherNode() throws Exception {
    LocalCluster cluster = LocalClusters.create("fixed");
    JsonObject d = cluster.up(new LocalCluster.Options(2, "c5.xlarge", 2, 3, 5, 30, 60), msg -> {});
    try (KubernetesClient kube = LocalClusters.kube(d)) {
      cluster.namespace("shop", Map.of());
      kube.apps()
          .statefulSets()
          .inNamespace("shop")
          .resource(
              new StatefulSetBuilder()
                  .withNewMetadata()
                  .withNamespace("shop")
                  .withName("web")
                  .withAnnotations(
                      Map.of(
                          IpReservation.FIXED_IP_ANNOTATION,
                          "true",
                          IpReservation.TTL_ANNOTATION,
                          "10m"))
                  .endMetadata()
                  .withNewSpec()
                  .withServiceName("web")
                  .endSpec()
                  .build())
          .create();

      // web-0 on node1: a reservation is made at its first ADD
      List<String> errors = new ArrayList<>();
      String first = addUntilOk(cluster, web0(), 1, errors);
      IpReservation r =
          kube.resources(IpReservation.class).inNamespace("shop").withName("web-0").get();
      assertThat(r.getSpec().ip).isEqualTo(first);
      assertThat(r.getSpec().ttl).isEqualTo("10m");
      assertThat(r.getStatus().phase).isEqualTo(IpReservation.BOUND);
      assertThat(r.getStatus().node).isEqualTo("node1");

      // deleted: Released, kept for it
      cluster.pod("DEL", web0(), 1);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  kube.resources(IpReservation.class)
                      .inNamespace("shop")
                      .withName("web-0")
                      .get()
                      .getStatus()
                      .phase,
              IpReservation.RELEASED::equals);

      // recreated on node2: told to wait while the address moves, then gets it
      errors.clear();
      long t0 = System.nanoTime();
      String second = addUntilOk(cluster, web0(), 2, errors);
      long movedMs = (System.nanoTime() - t0) / 1_000_000;
      // measured, for the record (the kubelet's own retry interval would add to it)
      System.out.printf(
          "fixed IP %s moved node1 -> node2: first ADD on node2 to success %d ms, %d ADDs told to wait%n",
          first, movedMs, errors.size());
      assertThat(movedMs).as("the move takes seconds, not minutes").isLessThan(60_000);
      assertThat(second).as("the same address on the other node").isEqualTo(first);
      assertThat(errors)
          .as("the first ADD on node2 waited for the move (CNI code 11)")
          .isNotEmpty()
          .first()
          .asString()
          .contains("fixed IP " + first, "moves it to node node2");
      IpReservation moved =
          kube.resources(IpReservation.class).inNamespace("shop").withName("web-0").get();
      assertThat(moved.getStatus().node).isEqualTo("node2");
      assertThat(moved.getStatus().phase).isEqualTo(IpReservation.BOUND);
      assertThat(moved.getStatus().message).contains("moved from node node1");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  LocalClusterSupport.nodeEni(kube, "node1").getSpec().enis.stream()
                      .noneMatch(e -> e.ips.contains(first)));
      assertThat(LocalClusterSupport.nodeEni(kube, "node2").getSpec().enis)
          .anySatisfy(e -> assertThat(e.ips).contains(first));
      String node2Instance = d.objects("nodes").get(1).string("instanceId");
      assertThat(LocalClusterSupport.portsOf(d.string("vpcUrl"), node2Instance))
          .as("the emulator's port of node2 holds the address")
          .anySatisfy(
              p ->
                  assertThat(
                          p.objects("fixed_ips").stream().map(f -> f.string("ip_address")).toList())
                      .contains(first));

      // reached on node2 from the VPC host and from a pod on node1
      String web0Netns = cluster.podNetns("shop", "web-0");
      String host = d.object("vpcHost").string("netns");
      await().atMost(Duration.ofSeconds(10)).until(() -> LocalClusterSupport.ping(host, first));
      String other = LocalClusterSupport.addWithRetry(cluster, "client", 1);
      assertThat(LocalClusterSupport.ping(cluster.podNetns("default", "client"), first))
          .as("a pod on node1 reaches web-0 on node2")
          .isTrue();
      assertThat(LocalClusterSupport.ping(web0Netns, other)).as("and back").isTrue();
      cluster.pod("DEL", "client", 1);
      cluster.pod("DEL", web0(), 2);
    } finally {
      cluster.down(msg -> {});
    }
  }
}
