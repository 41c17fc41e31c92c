package io.vpccni.agent.node;

import static io.vpccni.agent.k8s.NodeEniFixtures.eni;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vpccni.agent.k8s.NodeEniFixtures;
import io.vpccni.testkit.kube.MockKubeApi;
import io.vpccni.testkit.vpc.Cmd;
import io.vpccni.testkit.vpc.StandInVpc;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The real agent with {@code networkPolicy: true}, its NodeENI, pods and policies on the API server
 * stand-in, pods added through the real CNI binary: a pod's rules are in force when its ADD returns
 * (an allowed peer pings it, another does not), a pod the API does not know is refused with
 * TRY_AGAIN, and the rules follow DEL.
 */
@Tag("netns")
@MockKubeApi
class PrivilegedNetworkPolicyAgentTest {
  static KubernetesClient client;

  static void pod(String name, String app) {
    client
        .pods()
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withNamespace("default")
                .withName(name)
                .addToLabels("app", app)
                .endMetadata()
                .build())
        .create();
  }

  @Test
  void rulesAreInForceWhenAddReturns() throws Exception {
    NodeHarness.assumePrivileged();
    NodeHarness.binary();
    NodeEniFixtures.installCrd(client);
    try (NodeHarness h = new NodeHarness(1, 4)) {
      client.resource(NodeEniFixtures.nodeEni("node1", List.of(eni(1, 1, 4, "Attached")))).create();
      client
          .namespaces()
          .resource(
              new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                  .withNewMetadata()
                  .withName("default")
                  .endMetadata()
                  .build())
          .create();
      client
          .resource(
              new io.fabric8.kubernetes.client.utils.KubernetesSerialization()
                  .unmarshal(
                      "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web, namespace: default}\nspec:\n  podSelector: {matchLabels:"
                          + " {app: web}}\n  ingress:\n  - from: [{podSelector: {matchLabels: {app:"
                          + " client}}}]",
                      io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class))
          .create();
      pod("pa", "client");
      pod("pb", "web");
      pod("pc", "other");
      Files.writeString(
          h.work.resolve("kubeconfig"),
          NodeEniFixtures.kubeconfig(client.getMasterUrl().toString()));
      h.eniSource = "kubernetes";
      h.extraConfig = ",\"networkPolicy\":true";
      h.startAgent(Map.of());

      String a = h.podNs("pa");
      String b = h.podNs("pb");
      String c = h.podNs("pc");
      // the first ADDs may meet an agent still syncing its watches: TRY_AGAIN, then it works
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> h.cni("ADD", "pa", a, h.netconf("1.0.0")).exit() == 0);
      String ipB = h.add("pb", b).ip();
      h.add("pc", c);

      assertThat(StandInVpc.ping(a, ipB)).as("client → web: allowed").isTrue();
      assertThat(StandInVpc.ping(c, ipB)).as("other → web: denied").isFalse();
      String table =
          Cmd.ok(
              "ip",
              "netns",
              "exec",
              h.node.netns(),
              "nft",
              "list",
              "table",
              "inet",
              "vpccni_policy");
      assertThat(table).contains(ipB + " : jump in_");

      String d = h.podNs("pd");
      var refused = h.cni("ADD", "pd", d, h.netconf("1.0.0"));
      assertThat(refused.code()).as(refused.stdout()).isEqualTo(11);
      assertThat(refused.json().string("msg")).contains("default/pd is unknown to the API server");
      // the enforcer reports to the agent's metrics (docs/metrics.md)
      assertThat(PrivilegedSharedVethNodeTest.scrape(h.introspect().integer("metricsPort")))
          .containsPattern("vpccni_policy_applies_total\\{result=\"ok\"} [1-9]")
          .contains("vpccni_policy_admit_refused_total{reason=\"pod_unknown\"} 1.0")
          .contains("vpccni_policy_policies 1.0")
          .contains("vpccni_policy_local_pods_selected 1.0");
      // and to INTROSPECT, which `vpc-cni-cli policy` shows
      var policy = h.introspect().object("policy");
      assertThat(policy.bool("enabled", false)).isTrue();
      assertThat(policy.bool("synced", false)).isTrue();
      assertThat(policy.integer("policies")).isOne();
      assertThat(policy.has("lastError")).as(policy.toString()).isFalse();
      var byPod = new java.util.HashMap<String, io.vpccni.agentapi.JsonObject>();
      policy.objects("pods").forEach(p -> byPod.put(p.string("pod"), p));
      assertThat(byPod).containsOnlyKeys("default/pa", "default/pb", "default/pc");
      assertThat(byPod.get("default/pb").string("ip")).isEqualTo(ipB);
      assertThat(byPod.get("default/pb").object("ingress").bool("isolated", false)).isTrue();
      assertThat(byPod.get("default/pb").object("ingress").strings("policies"))
          .containsExactly("default/web");
      assertThat(byPod.get("default/pb").object("egress").bool("isolated", true)).isFalse();
      assertThat(byPod.get("default/pa").object("ingress").bool("isolated", true)).isFalse();

      h.del("pb", b);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  !Cmd.ok(
                          "ip",
                          "netns",
                          "exec",
                          h.node.netns(),
                          "nft",
                          "list",
                          "table",
                          "inet",
                          "vpccni_policy")
                      .contains(ipB + " : jump"));
      h.del("pa", a);
      h.del("pc", c);
    }
  }
}
