package io.vpccni.agent.k8s;

import static io.vpccni.agent.k8s.NodeEniFixtures.eni;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vpccni.agent.config.EniSpec;
import io.vpccni.agent.config.Mode;
import io.vpccni.agent.pool.IpPool;
import io.vpccni.agent.pool.PoolExhaustedException;
import io.vpccni.agent.store.Allocation;
import io.vpccni.agent.store.CheckpointStore;
import io.vpccni.crd.NodeEni;
import io.vpccni.testkit.kube.MockKubeApi;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's NodeENI loop against fabric8's mock API server in CRUD mode. */
@MockKubeApi
class NodeEniStatusTest {
  static KubernetesClient client;
  @TempDir Path dir;

  @BeforeEach
  void crd() throws Exception {
    NodeEniFixtures.installCrd(client);
    client.resources(NodeEni.class).delete();
  }

  @Test
  void specChangesReachThePoolAndAnInvalidSpecChangesNothing() throws Exception {
    client.resource(NodeEniFixtures.nodeEni("n1", List.of(eni(1, 1, 2, "Attached")))).create();
    client.resource(NodeEniFixtures.nodeEni("n2", List.of(eni(2, 1, 9, "Attached")))).create();
    AtomicReference<List<EniSpec>> seen = new AtomicReference<>();
    try (NodeEniSource source = new NodeEniSource(client, "n1", seen::set)) {
      source.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.get() != null);
      assertThat(seen.get()).extracting(EniSpec::id).containsExactly("eni-1-1");

      NodeEni n = client.resources(NodeEni.class).withName("n1").get();
      n.getSpec().enis.add(eni(1, 2, 3, "Attached"));
      client.resource(n).update();
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.get().size() == 2);

      n = client.resources(NodeEni.class).withName("n1").get();
      n.getSpec().enis.get(1).mac = "zz";
      client.resource(n).update();
      await().atMost(Duration.ofSeconds(10)).until(() -> source.specError() != null);
      assertThat(source.specError()).contains("spec.enis[1].mac");
      assertThat(seen.get()).hasSize(2);
    }
  }

  @Test
  void statusReportsUsageDemandAndConditions() throws Exception {
    client.resource(NodeEniFixtures.nodeEni("n1", List.of(eni(1, 1, 1, "Attached")))).create();
    IpPool pool =
        new IpPool(
            List.of(),
            Mode.SHARED,
            new CheckpointStore(dir),
            Clock.systemUTC(),
            Duration.ofSeconds(180));
    try (NodeEniSource source = new NodeEniSource(client, "n1", pool::updateEnis);
        StatusReporter reporter =
            new StatusReporter(client, "n1", pool, source, Clock.systemUTC())) {
      source.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().total() == 1);
      Allocation a = pool.reserve(new Allocation.Key("c1", "eth0"), "default/p1", "/x", "h", null);
      try {
        pool.reserve(new Allocation.Key("c2", "eth0"), "default/p2", "/x", "h", null);
      } catch (PoolExhaustedException e) {
        pool.noteWaiting(new Allocation.Key("c2", "eth0"));
      }
      reporter.report();
      var st = client.resources(NodeEni.class).withName("n1").get().getStatus();
      assertThat(st.inUse).containsExactly(a.ip().toString());
      assertThat(st.free).isZero();
      assertThat(st.demand).isEqualTo(1);
      assertThat(condition(st.conditions, "PoolExhausted").getStatus()).isEqualTo("True");
      assertThat(condition(st.conditions, "PoolExhausted").getReason()).isEqualTo("PodsWaiting");
      assertThat(condition(st.conditions, "Ready").getStatus()).isEqualTo("True");

      // The controller asks for both IPs back: only the free one is ready for release.
      NodeEni n = client.resources(NodeEni.class).withName("n1").get();
      n.getSpec().enis.get(0).ips.add("10.1.1.21");
      n.getSpec().releaseIps = List.of(a.ip().toString(), "10.1.1.21");
      client.resource(n).update();
      await().atMost(Duration.ofSeconds(10)).until(() -> source.releaseIps().size() == 2);
      assertThat(reporter.report().releaseReady).containsExactly("10.1.1.21");

      pool.release(new Allocation.Key("c1", "eth0"), true);
      pool.release(new Allocation.Key("c2", "eth0"), false);
      reporter.report();
      st = client.resources(NodeEni.class).withName("n1").get().getStatus();
      assertThat(st.inUse).isEmpty();
      assertThat(st.cooling).containsExactly(a.ip().toString());
      assertThat(st.demand).isZero();
    }
  }

  static Condition condition(List<Condition> cs, String type) {
    return cs.stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
  }
}
