package io.vpccni.agent.node;

import static io.vpccni.agent.k8s.NodeEniFixtures.eni;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.vpccni.agent.deviceplugin.FakeKubelet;
import io.vpccni.agent.k8s.NodeEniFixtures;
import io.vpccni.crd.NodeEni;
import io.vpccni.testkit.kube.MockKubeApi;
import io.vpccni.testkit.vpc.StandInVpc;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The real agent process, its ENIs taken from its NodeENI on an API server stand-in (fabric8's mock
 * server, CRUD mode): an exhausted pool shows as demand in the status, and when the "controller"
 * attaches a second ENI in the spec, the agent routes it and the waiting pod starts.
 */
@Tag("netns")
@MockKubeApi
class PrivilegedNodeEniAgentTest {
  static KubernetesClient client;
  FakeKubelet closeAfter;

  @org.junit.jupiter.api.AfterEach
  void closeKubelet() throws Exception {
    if (closeAfter != null) {
      closeAfter.close();
    }
  }

  @Test
  void agentFollowsItsNodeEniAndReportsDemand() throws Exception {
    NodeHarness.assumePrivileged();
    NodeHarness.binary();
    NodeEniFixtures.installCrd(client);
    try (NodeHarness h = new NodeHarness(2, 2)) {
      // The controller has attached only the first ENI so far (the second exists in the VPC).
      NodeEni created =
          NodeEniFixtures.nodeEni(
              "node1", List.of(eni(1, 1, 2, "Attached"), eni(1, 2, 2, "Attaching")));
      created.getSpec().maxEnis = 3;
      created.getSpec().ipsPerEni = 3;
      client.resource(created).create();
      Files.createDirectories(h.work.resolve("device-plugins"));
      FakeKubelet kubelet = new FakeKubelet(h.work.resolve("device-plugins"));
      closeAfter = kubelet;
      Files.writeString(
          h.work.resolve("kubeconfig"),
          NodeEniFixtures.kubeconfig(client.getMasterUrl().toString()));
      h.eniSource = "kubernetes";
      h.startAgent(Map.of());
      // the device plugin registers and advertises (3-1) × (3-1) = 4 eni-ip devices
      var registered = kubelet.registrations.poll(15, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(registered).as("the agent's Register call").isNotNull();
      assertThat(registered.getResourceName()).isEqualTo("vpc-cni.io/eni-ip");
      await().atMost(Duration.ofSeconds(15)).until(() -> kubelet.drainCounts().contains(4));

      String a = h.podNs("ka");
      String b = h.podNs("kb");
      String c = h.podNs("kc");
      h.add("ka", a);
      h.add("kb", b);
      var waiting = h.cni("ADD", "kc", c, h.netconf("1.0.0"));
      assertThat(waiting.code()).isEqualTo(11);
      await()
          .atMost(Duration.ofSeconds(15))
          .until(
              () -> {
                var st = client.resources(NodeEni.class).withName("node1").get().getStatus();
                return st != null && st.demand == 1 && st.inUse.size() == 2;
              });

      NodeEni n = client.resources(NodeEni.class).withName("node1").get();
      n.getSpec().enis.get(1).state = "Attached";
      client.resource(n).update();
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> h.introspect().object("pool").integer("total") == 4);

      String ip = h.add("kc", c).ip();
      assertThat(ip).startsWith("10.1.2.");
      assertThat(StandInVpc.ping(c, StandInVpc.HOST_IP))
          .as("egress through the new ENI's table")
          .isTrue();
      assertThat(StandInVpc.ping(a, ip)).isTrue();
      await()
          .atMost(Duration.ofSeconds(15))
          .until(
              () -> {
                var st = client.resources(NodeEni.class).withName("node1").get().getStatus();
                return st.demand == 0 && st.inUse.size() == 3;
              });
      for (String[] p : new String[][] {{"ka", a}, {"kb", b}, {"kc", c}}) {
        h.del(p[0], p[1]);
      }
    }
  }
}
