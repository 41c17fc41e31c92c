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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Bandwidth limits from the pod's annotations, which the agent reads from the API server (the pod
 * it already reads for its SubnetPool): the real binary and agent, the pod on the mock API server,
 * iperf3 between the pod and a VPC host within ±10 % of each direction's rate. The precedence is
 * exercised end to end: {@code vpc-cni.io/egress-bandwidth} beats the runtimeConfig's egress rate,
 * and {@code kubernetes.io/ingress-bandwidth} applies where the runtimeConfig has no ingress rate.
 */
@Tag("netns")
@MockKubeApi
class PrivilegedBandwidthAnnotationTest {
  static KubernetesClient client;
  static NodeHarness h;

  @BeforeAll
  static void up() throws Exception {
    NodeHarness.assumePrivileged();
    NodeHarness.binary();
    NodeEniFixtures.installCrd(client);
    h = new NodeHarness(1, 4);
    client.resource(NodeEniFixtures.nodeEni("node1", List.of(eni(1, 1, 4, "Attached")))).create();
    Files.writeString(
        h.work.resolve("kubeconfig"), NodeEniFixtures.kubeconfig(client.getMasterUrl().toString()));
    h.eniSource = "kubernetes";
    h.startAgent(Map.of());
  }

  @AfterAll
  static void down() {
    if (h != null) {
      h.close();
    }
  }

  static void pod(String name, Map<String, String> annotations) {
    client
        .pods()
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withNamespace("default")
                .withName(name)
                .withAnnotations(annotations)
                .endMetadata()
                .build())
        .create();
  }

  @Test
  void annotationsHoldBothDirectionsToTheirRates() throws Exception {
    pod(
        "bwa",
        Map.of(
            "vpc-cni.io/egress-bandwidth", "30M",
            "kubernetes.io/ingress-bandwidth", "20M"));
    String pod = h.podNs("bwa");
    String conf = h.netconf("1.0.0");
    // the runtime's egress rate (80M) loses to the vpc-cni.io annotation
    String withRuntimeConfig =
        conf.substring(0, conf.length() - 1)
            + ",\"runtimeConfig\":{\"bandwidth\":{\"egressRate\":80000000}}}";
    // the agent's first ADD may come before its NodeENI is applied: no IP yet, then it works
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> h.cni("ADD", "bwa", pod, withRuntimeConfig).exit() == 0);
    assertThat(Cmd.ok("ip", "netns", "exec", pod, "tc", "-j", "qdisc", "show", "dev", "eth0"))
        .as("egress tbf at 30 Mbit/s = 3750000 bytes/s")
        .contains("\"kind\":\"tbf\"")
        .contains("\"rate\":3750000");
    Process server =
        new ProcessBuilder(
                "ip", "netns", "exec", h.vpc.hostNetns(), "iperf3", "-s", "-B", StandInVpc.HOST_IP)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      Thread.sleep(400);
      double egress = PrivilegedBandwidthNodeTest.iperf(pod, false);
      double ingress = PrivilegedBandwidthNodeTest.iperf(pod, true);
      System.out.printf(
          "bandwidth from annotations: egress %.1f Mbit/s (30), ingress %.1f Mbit/s (20)%n",
          egress, ingress);
      assertThat(egress).as("pod → VPC host, Mbit/s (egress 30)").isBetween(27.0, 33.0);
      assertThat(ingress).as("VPC host → pod, Mbit/s (ingress 20)").isBetween(18.0, 22.0);
    } finally {
      server.destroy();
    }
    h.del("bwa", pod);
  }

  @Test
  void aBadAnnotationFailsAddNamingItAndChangesNothing() throws Exception {
    pod("bwbad", Map.of("vpc-cni.io/ingress-bandwidth", "fast"));
    String pod = h.podNs("bwbad");
    String before = h.nodeState();
    String podBefore = Cmd.ok("ip", "-n", pod, "-j", "link", "show");
    var r = h.cni("ADD", "bwbad", pod, h.netconf("1.0.0"));
    assertThat(r.code()).as(r.stdout()).isEqualTo(7);
    assertThat(r.json().string("msg"))
        .contains("pod annotation vpc-cni.io/ingress-bandwidth")
        .contains("\"fast\"");
    assertThat(h.nodeState()).as("no veth, route or rule on the node").isEqualTo(before);
    assertThat(Cmd.ok("ip", "-n", pod, "-j", "link", "show")).isEqualTo(podBefore);
    assertThat(h.introspect().toString()).as("no IP held for it").doesNotContain("bwbad");
  }
}
