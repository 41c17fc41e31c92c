package io.vpccni.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.vpccni.agentapi.Json;
import io.vpccni.agentapi.JsonObject;
import io.vpccni.cli.local.LocalCluster;
import io.vpccni.crd.NodeEni;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A hostile cloud: the emulator throttles 20 % of all calls (429 + Retry-After) and adds 200 ms to
 * every call. 80 pods still start, each with its own address, and once they are gone and the pools
 * have shrunk nothing leaks: every port in the VPC is an instance's primary port or an ENI attached
 * to a node and listed in that node's NodeENI.
 */
@Tag("e2e")
class PrivilegedLocalClusterFaultsTest {
  @Test
  void eightyPodsStartThroughThrottlingAndLatencyAndNothingLeaks() throws Exception {
    LocalCluster cluster = LocalClusters.create("faults");
    JsonObject d = cluster.up(new LocalCluster.Options(2, "c5.xlarge", 2, 5, 5, 3, 8), msg -> {});
    try (KubernetesClient kube = LocalClusters.kube(d)) {
      String vpc = d.string("vpcUrl");
      var put =
          HttpRequest.newBuilder(URI.create(vpc + "/emulator/faults"))
              .header("Content-Type", "application/json")
              .PUT(
                  HttpRequest.BodyPublishers.ofString(
                      "{\"rules\":{\"*\":{\"latency_ms\":200,\"throttle_fraction\":0.2,\"retry_after_s\":1}}}"))
              .build();
      assertThat(
              LocalClusterSupport.HTTP.send(put, HttpResponse.BodyHandlers.ofString()).statusCode())
          .isEqualTo(200);

      List<String> ips = new ArrayList<>();
      for (int node = 1; node <= 2; node++) {
        for (int i = 0; i < 40; i++) {
          ips.add(LocalClusterSupport.addWithRetry(cluster, "f" + node + "p" + i, node));
        }
      }
      assertThat(new HashSet<>(ips)).hasSize(80);
      for (int node = 1; node <= 2; node++) {
        for (int i = 0; i < 40; i++) {
          cluster.pod("DEL", "f" + node + "p" + i, node);
        }
      }
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofSeconds(2))
          .until(
              () ->
                  LocalClusterSupport.totalIps(LocalClusterSupport.nodeEni(kube, "node1")) <= 10
                      && LocalClusterSupport.totalIps(LocalClusterSupport.nodeEni(kube, "node2"))
                          <= 10);

      Set<String> known = new HashSet<>();
      for (String node : List.of("node1", "node2")) {
        NodeEni n = LocalClusterSupport.nodeEni(kube, node);
        n.getSpec().enis.forEach(e -> known.add(e.id));
      }
      List<String> instances = new ArrayList<>();
      d.objects("nodes").forEach(n -> instances.add(n.string("instanceId")));
      instances.add(d.object("vpcHost").string("instanceId"));
      String body =
          LocalClusterSupport.HTTP
              .send(
                  HttpRequest.newBuilder(URI.create(vpc + "/emulator/instances")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      Set<String> primaries = new HashSet<>();
      Json.parseObject(body)
          .objects("instances")
          .forEach(i -> primaries.add(i.string("primary_port_id")));
      for (int attempt = 0; ; attempt++) {
        try {
          String ports =
              LocalClusterSupport.HTTP
                  .send(
                      HttpRequest.newBuilder(URI.create(vpc + "/v2.0/ports")).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body();
          for (JsonObject p : Json.parseObject(ports).objects("ports")) {
            assertThat(primaries.contains(p.string("id")) || known.contains(p.string("id")))
                .as(
                    "port %s is a primary port or an ENI listed in a NodeENI (no leak)",
                    p.string("id"))
                .isTrue();
          }
          break;
        } catch (tools.jackson.core.JacksonException
            | io.vpccni.agentapi.JsonException
            | io.vpccni.agentapi.FieldException e) {
          if (attempt > 20) {
            throw e; // throttled answers are retried; 20 in a row would be a bug
          }
        }
      }
    } finally {
      cluster.down(msg -> {});
    }
  }
}
