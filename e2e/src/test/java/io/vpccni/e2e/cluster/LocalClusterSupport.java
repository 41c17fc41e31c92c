package io.vpccni.e2e.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.vpccni.agentapi.Json;
import io.vpccni.agentapi.JsonObject;
import io.vpccni.cli.local.LocalCluster;
import io.vpccni.crd.NodeEni;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;

/** What the local-cluster tests share: pods with retry, pings, the emulator's view. */
final class LocalClusterSupport {
  private LocalClusterSupport() {}

  static String addWithRetry(LocalCluster cluster, String name, int node) throws Exception {
    Exception last = null;
    for (int attempt = 0; attempt < 120; attempt++) { // bounded: 2 minutes per pod
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
