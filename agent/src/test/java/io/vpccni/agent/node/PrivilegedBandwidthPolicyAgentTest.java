package io.vpccni.agent.node;

import static io.vpccni.agent.k8s.NodeEniFixtures.eni;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vpccni.agent.k8s.NodeEniFixtures;
import io.vpccni.testkit.kube.MockKubeApi;
import io.vpccni.testkit.netns.Iperf3;
import io.vpccni.testkit.vpc.Cmd;
import io.vpccni.testkit.vpc.StandInVpc;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * NetworkPolicy and bandwidth limits on one pod at once: the agent with {@code networkPolicy:
 * true}, a policy that lets only the VPC host's TCP to port 5201 into the pod, and the pod's
 * bandwidth annotations. The VPC host's iperf3 client reaches the pod's server (the policy lets it
 * in) and each direction holds its rate within ±10 %; the VPC host's ping, which the policy does
 * not allow, is dropped.
 */
@Tag("netns")
@MockKubeApi
class PrivilegedBandwidthPolicyAgentTest {
  static KubernetesClient client;

  @Test
  void policyAndBandwidthHoldTogether() throws Exception {
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
                      "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: bw,"
                          + " namespace: default}\nspec:\n  podSelector: {matchLabels: {app: bw}}\n"
                          + "  ingress:\n  - from: [{ipBlock: {cidr: "
                          + StandInVpc.HOST_IP
                          + "/32}}]\n    ports: [{protocol: TCP, port: 5201}]",
                      io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class))
          .create();
      client
          .pods()
          .resource(
              new PodBuilder()
                  .withNewMetadata()
                  .withNamespace("default")
                  .withName("bwp")
                  .addToLabels("app", "bw")
                  .addToAnnotations("vpc-cni.io/ingress-bandwidth", "20M")
                  .addToAnnotations("vpc-cni.io/egress-bandwidth", "30M")
                  .endMetadata()
                  .build())
          .create();
      Files.writeString(
          h.work.resolve("kubeconfig"),
          NodeEniFixtures.kubeconfig(client.getMasterUrl().toString()));
      h.eniSource = "kubernetes";
      h.extraConfig = ",\"networkPolicy\":true";
      h.startAgent(Map.of());

      String pod = h.podNs("bwp");
      // the first ADDs may meet an agent still syncing its watches: TRY_AGAIN, then it works
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> h.cni("ADD", "bwp", pod, h.netconf("1.0.0")).exit() == 0);
      String ip =
          h.cni("ADD", "bwp", pod, h.netconf("1.0.0")).ip(); // repeated ADD: same attachment
      String host = h.vpc.hostNetns();
      assertThat(StandInVpc.ping(host, ip))
          .as("VPC host ping: not allowed by the policy")
          .isFalse();

      Process server =
          new ProcessBuilder("ip", "netns", "exec", pod, "iperf3", "-s", "-B", ip, "-p", "5201")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      try {
        Thread.sleep(400);
        double ingress = iperfFromHost(host, ip, false); // host sends: into the pod
        double egress = iperfFromHost(host, ip, true); // pod sends
        System.out.printf(
            "bandwidth under NetworkPolicy: ingress %.1f Mbit/s (20), egress %.1f Mbit/s (30)%n",
            ingress, egress);
        assertThat(ingress).as("VPC host → pod, Mbit/s (ingress 20)").isBetween(18.0, 22.0);
        assertThat(egress).as("pod → VPC host, Mbit/s (egress 30)").isBetween(27.0, 33.0);
      } finally {
        server.destroy();
      }
      h.del("bwp", pod);
    }
  }

  /** Mbit/s received, the VPC host the client; {@code reverse}: the pod's server sends. */
  static double iperfFromHost(String host, String podIp, boolean reverse) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "ip", "netns", "exec", host, "iperf3", "-c", podIp, "-p", "5201", "-t", "4", "-J"));
    if (reverse) {
      cmd.add("-R");
    }
    String json = Cmd.run(cmd, 30).stdout();
    return Iperf3.receivedBitsPerSecond(json) / 1e6;
  }
}
