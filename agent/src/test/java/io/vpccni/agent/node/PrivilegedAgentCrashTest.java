package io.vpccni.agent.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.agentapi.JsonObject;
import io.vpccni.testkit.vpc.Cmd;
import io.vpccni.testkit.vpc.StandInVpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The agent killed with SIGKILL between any two steps of an ADD: after a restart there is no
 * duplicate IP, no leaked IP, and no leftover interface or rule, whether the runtime then calls DEL
 * (as it does after a failed ADD) or the pod's ADD is retried.
 */
@Tag("netns")
class PrivilegedAgentCrashTest {
  static NodeHarness h;
  static String basePodIp;

  @BeforeAll
  static void up() throws Exception {
    NodeHarness.assumePrivileged();
    NodeHarness.binary();
    h = new NodeHarness(2, 12);
    h.startAgent(Map.of());
    // A pod that lives through every crash: its address must never be handed out again.
    basePodIp = h.add("survivor", h.podNs("survivor")).ip();
  }

  @AfterAll
  static void down() {
    if (h != null) {
      h.close();
    }
  }

  @ParameterizedTest(name = "killed after step {0}")
  @ValueSource(
      strings = {
        "reserved",
        "prepared",
        "veth-created",
        "pod-configured",
        "host-route",
        "rules",
        "committed"
      })
  void crashBetweenAddStepsLosesNothing(String step) throws Exception {
    Path marker = h.work.resolve("paused-" + step);
    h.agent.close();
    h.startAgent(Map.of("VPCCNI_TEST_PAUSE_AT", step, "VPCCNI_TEST_PAUSE_FILE", marker.toString()));
    String ns = h.podNs("crash-" + step);
    String cid = "crash-" + step;
    CompletableFuture<NodeHarness.CniResult> add =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return h.cni("ADD", cid, ns, h.netconf("1.0.0"));
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!Files.exists(marker) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(marker).as("agent reached step %s; log:\n%s", step, h.agent.log()).exists();
    h.agent.kill9();
    NodeHarness.CniResult failed = add.get();
    assertThat(failed.exit()).as("ADD whose agent died must fail: %s", failed.stdout()).isNotZero();

    h.startAgent(Map.of());
    // Reconcile must have removed the interrupted attachment, or kept it only if it was complete.
    List<JsonObject> live = h.introspect().objects("attachments");
    assertThat(live.stream().filter(a -> a.string("state").equals("PENDING"))).isEmpty();

    // The runtime calls DEL after a failed ADD; then nothing of the pod may remain.
    h.del(cid, ns);
    assertThat(h.introspect().objects("attachments").stream().map(a -> a.string("containerId")))
        .containsExactly("survivor");
    String node = h.nodeText();
    assertThat(
            Cmd.ok("ip", "-n", h.node.netns(), "-br", "link")
                .lines()
                .filter(l -> l.startsWith("vpc"))
                .count())
        .as("only the survivor's veth remains:\n%s", node)
        .isEqualTo(1);
    assertThat(
            Cmd.ok("ip", "-n", h.node.netns(), "rule")
                .lines()
                .filter(l -> l.startsWith("512:") || l.startsWith("1536:"))
                .count())
        .as("only the survivor's two rules remain:\n%s", node)
        .isEqualTo(2);

    // The retried ADD gets an address that nobody else holds, and the survivor still works.
    String retriedIp = h.add(cid, ns).ip();
    assertThat(retriedIp).isNotEqualTo(basePodIp);
    List<String> ips =
        h.introspect().objects("attachments").stream().map(a -> a.string("ip")).toList();
    assertThat(new HashSet<>(ips)).hasSameSizeAs(ips);
    assertThat(StandInVpc.ping(ns, basePodIp)).isTrue();
    assertThat(StandInVpc.ping(ns, StandInVpc.HOST_IP)).isTrue();
    h.del(cid, ns);
  }

  @ParameterizedTest(name = "killed after step {0}, no DEL")
  @ValueSource(strings = {"veth-created", "rules"})
  void restartAloneCleansAnInterruptedAdd(String step) throws Exception {
    Path marker = h.work.resolve("paused2-" + step);
    h.agent.close();
    h.startAgent(Map.of("VPCCNI_TEST_PAUSE_AT", step, "VPCCNI_TEST_PAUSE_FILE", marker.toString()));
    String ns = h.podNs("norun-" + step);
    CompletableFuture<NodeHarness.CniResult> add =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return h.cni("ADD", "norun-" + step, ns, h.netconf("1.0.0"));
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!Files.exists(marker) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(marker).exists();
    h.agent.kill9();
    add.get();
    h.startAgent(Map.of());
    assertThat(h.introspect().objects("attachments").stream().map(a -> a.string("containerId")))
        .containsExactly("survivor");
    assertThat(Cmd.ok("ip", "-n", ns, "-br", "link")).doesNotContain("eth0");
    assertThat(
            Cmd.ok("ip", "-n", h.node.netns(), "-br", "link")
                .lines()
                .filter(l -> l.startsWith("vpc"))
                .count())
        .isEqualTo(1);
  }
}
