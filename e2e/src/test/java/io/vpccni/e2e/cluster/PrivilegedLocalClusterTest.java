package io.vpccni.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.vpccni.agentapi.JsonObject;
import io.vpccni.cli.local.LocalCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
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
    LocalCluster cluster = LocalClusters.create("cluster");
    JsonObject d = cluster.up(new LocalCluster.Options(2, "c5.xlarge", 2, 5, 5, 3, 8), msg -> {});
    try (KubernetesClient kube = LocalClusters.kube(d)) {
      String prefix = d.string("prefix");
      List<String> ips = new ArrayList<>();
      for (int node = 1; node <= 2; node++) {
        for (int i = 0; i < PODS_PER_NODE; i++) {
          ips.add(LocalClusterSupport.addWithRetry(cluster, "n" + node + "p" + i, node));
        }
      }
      assertThat(new HashSet<>(ips)).as("every pod has its own address").hasSize(2 * PODS_PER_NODE);
      var pod = kube.pods().inNamespace("default").withName("n2p3").get();
      assertThat(pod.getSpec().getNodeName())
          .as("the Pod object names its node")
          .isEqualTo("node2");
      assertThat(pod.getStatus().getPodIP())
          .as("status.podIP is the address CNI returned, as the kubelet reports it")
          .isEqualTo(ips.get(PODS_PER_NODE + 3));
      assertThat(LocalClusterSupport.nodeEni(kube, "node1").getSpec().enis.size())
          .as("the pool grew past one ENI")
          .isGreaterThan(1);

      String host = d.object("vpcHost").string("ip");
      for (int i = 0; i < PODS_PER_NODE; i += 7) {
        String from = prefix + "-pod-n1p" + i;
        assertThat(LocalClusterSupport.ping(from, ips.get(PODS_PER_NODE + i)))
            .as("node1 pod %d -> node2 pod", i)
            .isTrue();
        assertThat(LocalClusterSupport.ping(from, host)).as("node1 pod %d -> VPC host", i).isTrue();
        assertThat(
                LocalClusterSupport.ping(
                    prefix + "-pod-n2p" + i, d.objects("nodes").get(1).string("ip")))
            .as("pod -> its node")
            .isTrue();
      }

      for (int node = 1; node <= 2; node++) {
        for (int i = 0; i < PODS_PER_NODE; i++) {
          cluster.pod("DEL", "n" + node + "p" + i, node);
        }
      }
      assertThat(kube.pods().inAnyNamespace().list().getItems())
          .as("DEL deleted every Pod object")
          .isEmpty();
      // cooldown 2 s, release delay 5 s, warm 5 + high-water 5: the pool shrinks back
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofSeconds(1))
          .until(
              () -> LocalClusterSupport.totalIps(LocalClusterSupport.nodeEni(kube, "node1")) <= 10);

      String vpc = d.string("vpcUrl");
      String node2Instance = d.objects("nodes").get(1).string("instanceId");
      assertThat(LocalClusterSupport.portsOf(vpc, node2Instance))
          .as("node2 has secondary ENIs")
          .hasSizeGreaterThan(1);
      kube.nodes().withName("node2").delete();
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofSeconds(1))
          .until(
              () ->
                  LocalClusterSupport.portsOf(vpc, node2Instance).size()
                      == 1); // only its primary port is left

      String leaked =
          LocalClusterSupport.leakEni(vpc, d.string("networkId"), d.string("clusterId"));
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> LocalClusterSupport.status(vpc + "/v2.0/ports/" + leaked) == 404);
    } finally {
      cluster.down(msg -> {});
    }
  }
}
