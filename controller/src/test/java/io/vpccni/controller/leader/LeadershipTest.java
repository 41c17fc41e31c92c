package io.vpccni.controller.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.vpccni.testkit.kube.MockKubeApi;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Two replicas, one leader; the second takes over within about one lease period. */
@MockKubeApi
class LeadershipTest {
  static KubernetesClient client;

  @Test
  void secondReplicaTakesOverWhenTheLeaderStops() {
    AtomicInteger aLeads = new AtomicInteger();
    AtomicInteger bLeads = new AtomicInteger();
    Duration lease = Duration.ofSeconds(4); // renew deadline 2.7 s: room for a loaded machine
    Leadership a =
        new Leadership(
            client,
            "kube-system",
            "vpc-cni-controller",
            "a",
            lease,
            aLeads::incrementAndGet,
            () -> {});
    Leadership b =
        new Leadership(
            client,
            "kube-system",
            "vpc-cni-controller",
            "b",
            lease,
            bLeads::incrementAndGet,
            () -> {});
    a.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> aLeads.get() == 1);
    b.start();
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(6))
        .until(() -> bLeads.get() == 0);
    a.close(); // releases the lease on cancel
    await().atMost(Duration.ofSeconds(15)).until(() -> bLeads.get() == 1);
    assertThat(aLeads.get()).isEqualTo(1);
    b.close();
  }
}
