package io.vpccni.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.vpccni.agentapi.Json;
import io.vpccni.agentapi.JsonObject;
import io.vpccni.cli.local.LocalCluster;
import io.vpccni.crd.NodeEni;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The whole system on one machine: the VPC emulator (Neutron/Compute on loopback, namespace data
 * plane), the API server stand-in, the controller with the OpenStack provider, one agent per node,
 * and pods through the real CNI binary. 2 nodes × 40 pods is more than the first warm pool, so the
 * pools must grow through the controller; deleting the pods shrinks them after the release delay; a
 * node deleted from the API loses its ENIs; an ENI leaked on purpose is collected after the GC
 * grace period.
 */
@Tag("e2e")
class PrivilegedLocalClusterTest {
  static final int PODS_PER_NODE = 40;

  @Test
  void podsGrowThePoolReachEachOtherAndEverythingIsGivenBack() throws Exception {
    Assumptions.assumeTrue(
        "root".equals(System.getProperty("user.name")),
        "the local cluster needs root (namespaces)");
    Path dist = Path.of(System.getProperty("vpccni.root", "."), "dist");
    if (!Files.isExecutable(dist.resolve("bin/vpc-cni-controller"))) {
      throw new IllegalStateException(dist + " is not built: run make build first");
    }
    Path dir = Files.createTempDirectory("vpccni-e2e-cluster");
    Files.delete(dir);
    LocalCluster cluster = new LocalCluster(dir, dist);
    JsonObject d = cluster.up(new LocalCluster.Options(2, "c5.xlarge", 2, 5, 5, 3, 8), msg -> {});
    try (KubernetesClient kube =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(Files.readString(Path.of(d.string("kubeconfig")))))
            .build()) {
      String prefix = d.string("prefix");
      List<String> ips = new ArrayList<>();
      for (int node = 1; node <= 2; node++) {
        for (int i = 0; i < PODS_PER_NODE; i++) {
          ips.add(addWithRetry(cluster, "n" + node + "p" + i, node));
        }
      }
      assertThat(new HashSet<>(ips)).as("every pod has its own address").hasSize(2 * PODS_PER_NODE);
      assertThat(nodeEni(kube, "node1").getSpec().enis.size())
          .as("the pool grew past one ENI")
          .isGreaterThan(1);

      String host = d.object("vpcHost").string("ip");
      for (int i = 0; i < PODS_PER_NODE; i += 7) {
        String from = prefix + "-pod-n1p" + i;
        assertThat(ping(from, ips.get(PODS_PER_NODE + i)))
            .as("node1 pod %d -> node2 pod", i)
            .isTrue();
        assertThat(ping(from, host)).as("node1 pod %d -> VPC host", i).isTrue();
        assertThat(ping(prefix + "-pod-n2p" + i, d.objects("nodes").get(1).string("ip")))
            .as("pod -> its node")
            .isTrue();
      }

      for (int node = 1; node <= 2; node++) {
        for (int i = 0; i < PODS_PER_NODE; i++) {
          cluster.pod("DEL", "n" + node + "p" + i, node);
        }
      }
      // cooldown 2 s, release delay 5 s, warm 5 + high-water 5: the pool shrinks back
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> totalIps(nodeEni(kube, "node1")) <= 10);

      String vpc = d.string("vpcUrl");
      String node2Instance = d.objects("nodes").get(1).string("instanceId");
      assertThat(portsOf(vpc, node2Instance)).as("node2 has secondary ENIs").hasSizeGreaterThan(1);
      kube.nodes().withName("node2").delete();
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> portsOf(vpc, node2Instance).size() == 1); // only its primary port is left

      String leaked = leakEni(vpc, d.string("networkId"), d.string("clusterId"));
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> status(vpc + "/v2.0/ports/" + leaked) == 404);
    } finally {
      cluster.down(msg -> {});
    }
  }

  static String addWithRetry(LocalCluster cluster, String name, int node) throws Exception {
    Exception last = null;
    for (int attempt = 0; attempt < 60; attempt++) {
      try {
        String out = cluster.pod("ADD", name, node);
        String a = Json.parseObject(out).objects("ips").get(0).string("address");
        return a.substring(0, a.indexOf('/'));
      } catch (IllegalStateException e) {
        last = e; // no free IP yet: the controller is growing the pool (code 11)
        cluster.pod("DEL", name, node);
        Thread.sleep(1000);
      }
    }
    throw new AssertionError("pod " + name + " never got an address", last);
  }

  static NodeEni nodeEni(KubernetesClient kube, String node) {
    return kube.resources(NodeEni.class).withName(node).get();
  }

  static int totalIps(NodeEni n) {
    return n.getSpec().enis.stream().mapToInt(e -> e.ips.size()).sum();
  }

  static boolean ping(String ns, String ip) throws Exception {
    Process p =
        new ProcessBuilder("ip", "netns", "exec", ns, "ping", "-c1", "-W2", "-q", ip)
            .redirectErrorStream(true)
            .start();
    p.getInputStream().readAllBytes();
    return p.waitFor() == 0;
  }

  static final HttpClient HTTP = HttpClient.newHttpClient();

  static List<JsonObject> portsOf(String vpc, String instance) throws Exception {
    String body =
        HTTP.send(
                HttpRequest.newBuilder(URI.create(vpc + "/v2.0/ports?device_id=" + instance))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    return Json.parseObject(body).objects("ports");
  }

  static int status(String url) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  /** A port with our ownership tags that nobody attaches, as a controller crash would leave. */
  static String leakEni(String vpc, String network, String clusterId) throws Exception {
    String body =
        "{\"port\":{\"network_id\":\""
            + network
            + "\",\"name\":\"leaked\",\"tags\":[\"vpc-cni:cluster="
            + clusterId
            + "\",\"vpc-cni:node=node1\",\"vpc-cni:created-at="
            + Instant.now().toString()
            + "\"]}}";
    String resp =
        HTTP.send(
                HttpRequest.newBuilder(URI.create(vpc + "/v2.0/ports"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    return Json.parseObject(resp).object("port").string("id");
  }
}
