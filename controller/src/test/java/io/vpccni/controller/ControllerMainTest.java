package io.vpccni.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vpccni.controller.config.ControllerConfig;
import io.vpccni.crd.NodeEni;
import io.vpccni.testkit.kube.MockKubeApi;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.ObjectMapper;

/** The controller wired as in production, on the fake provider and the mock API server. */
@MockKubeApi
class ControllerMainTest {
  static KubernetesClient client;
  @TempDir Path dir;

  static String kubeconfig(String url) {
    return "apiVersion: v1\nkind: Config\nclusters:\n- name: m\n  cluster:\n    server: "
        + url
        + "\n    insecure-skip-tls-verify: true\ncontexts:\n- name: m\n  context:\n    cluster: m\n    user: m\ncurrent-context: m\n"
        + "users:\n- name: m\n  user:\n    token: t\n";
  }

  @Test
  void leaderFillsANewNodesPoolFromTheCloud() throws Exception {
    try (InputStream in = NodeEni.class.getResourceAsStream(NodeEni.CRD_RESOURCE)) {
      client
          .resource(
              client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class))
          .createOr(c -> c.update());
    }
    Path kc = dir.resolve("kubeconfig");
    Files.writeString(kc, kubeconfig(client.getMasterUrl().toString()));
    Path cfg = dir.resolve("controller.json");
    Files.writeString(
        cfg,
        "{\"clusterId\":\"c1\",\"provider\":\"fake\",\"kubeconfig\":\""
            + kc
            + "\",\"leaseDurationSeconds\":3,\"metricsAddress\":\"127.0.0.1:0\","
            + "\"providerSettings\":{\"subnet.subnet-a\":\"10.0.0.0/16\",\"instance.i-1\":\"m5.large@subnet-a\",\"retry.maxAttempts\":\"3\"},"
            + "\"warmPool\":{\"warmIps\":3}}");
    client
        .nodes()
        .resource(
            new NodeBuilder()
                .withNewMetadata()
                .withName("n1")
                .endMetadata()
                .withNewSpec()
                .withProviderID("fake:///z1/i-1")
                .endSpec()
                .build())
        .create();
    try (ControllerMain.Running r = ControllerMain.start(ControllerConfig.load(cfg))) {
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> {
                NodeEni n = client.resources(NodeEni.class).withName("n1").get();
                return n != null
                    && !n.getSpec().enis.isEmpty()
                    && n.getSpec().enis.get(0).ips.size() == 3;
              });
      NodeEni n = client.resources(NodeEni.class).withName("n1").get();
      assertThat(n.getSpec().instanceId).isEqualTo("i-1");
      assertThat(n.getSpec().enis.get(0).state).isEqualTo("Attached");
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> metricsShowTheFill(r));
    }
  }

  @Test
  void closingTheLeaderAsOnSigtermHandsTheLeaseToTheStandbyAtOnce() throws Exception {
    try (InputStream in = NodeEni.class.getResourceAsStream(NodeEni.CRD_RESOURCE)) {
      client
          .resource(
              client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class))
          .createOr(c -> c.update());
    }
    Path kc = dir.resolve("kubeconfig");
    Files.writeString(kc, kubeconfig(client.getMasterUrl().toString()));
    Path cfg = dir.resolve("controller.json");
    Files.writeString(
        cfg,
        "{\"clusterId\":\"c1\",\"provider\":\"fake\",\"kubeconfig\":\""
            + kc
            + "\",\"leaseName\":\"handover\",\"leaseDurationSeconds\":15,\"metricsAddress\":\"\","
            + "\"providerSettings\":{\"subnet.subnet-a\":\"10.0.0.0/16\"}}");
    ControllerConfig config = ControllerConfig.load(cfg);
    try (ControllerMain.Running a = ControllerMain.start(config, "replica-a")) {
      await().atMost(Duration.ofSeconds(20)).until(() -> "replica-a".equals(holder()));
      // b starts once a leads (started together, either could win the Lease)
      try (ControllerMain.Running b = ControllerMain.start(config, "replica-b")) {
        await()
            .during(Duration.ofSeconds(2))
            .atMost(Duration.ofSeconds(4))
            .until(() -> "replica-a".equals(holder()));
        long start = System.nanoTime();
        a.close(); // what the shutdown hook runs on SIGTERM
        assertThat(a.stopped.getCount()).as("a stopped").isZero();
        assertThat(holder()).as("released before close returns").isNotEqualTo("replica-a");
        // b retries every lease/5 (3 s) with up to 1.2 jitter: at most 6.6 s, not the 15 s lease
        await().atMost(Duration.ofSeconds(8)).until(() -> "replica-b".equals(holder()));
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(tookMs)
            .as("handover in %d ms, well under the 15 s lease", tookMs)
            .isLessThan(8000);
        a.close(); // idempotent, as main's try-with-resources closes it again
      }
    }
  }

  private static String holder() {
    var lease = client.leases().inNamespace("kube-system").withName("handover").get();
    return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
  }

  private static void metricsShowTheFill(ControllerMain.Running r) throws Exception {
    String metrics =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + r.metricsPort + "/metrics"))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString())
            .body();
    assertThat(metrics)
        .contains("vpccni_controller_leader 1.0")
        .contains("vpccni_controller_cloud_calls_total{operation=\"create_eni\",result=\"ok\"} 1.0")
        .contains("vpccni_controller_enis_created_total 1.0")
        .contains("vpccni_controller_ips_assigned_total 3.0")
        .containsPattern("vpccni_controller_syncs_total\\{result=\"ok\"} [1-9]");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{}|clusterId",
        "{\"clusterId\":\"c\",\"warmPool\":{\"warmIPs\":3}}|warmPool.warmIPs",
        "{\"clusterId\":\"c\",\"warmPool\":{\"warmIps\":-1}}|warmPool.warmIps",
        "{\"clusterId\":\"c\",\"resyncSeconds\":0}|resyncSeconds",
        "{\"clusterId\":\"c\",\"providerSettings\":{\"a\":1}}|providerSettings.a",
        "{\"clusterId\":\"c\",\"cloudCallsPerSecond\":0}|cloudCallsPerSecond",
        "{\"clusterId\":\"c\",\"provider\":7}|provider",
        "{\"clusterId\":\"c\",\"cloudResyncSeconds\":0}|cloudResyncSeconds",
        "{\"clusterId\":\"c\",\"metricsAddress\":\"localhost\"}|metricsAddress",
        "{\"clusterId\":\"c\",\"metricsAddress\":\":70000\"}|metricsAddress",
      })
  void badConfigNamesTheField(String json, String field) {
    assertThatThrownBy(() -> ControllerConfig.parse(new ObjectMapper().readTree(json)))
        .hasMessageContaining("\"" + field + "\"");
  }
}
