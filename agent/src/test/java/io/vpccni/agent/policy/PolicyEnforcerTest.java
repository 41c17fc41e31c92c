package io.vpccni.agent.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vpccni.netaddr.IpAddress;
import io.vpccni.testkit.kube.MockKubeApi;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The enforcer against fabric8's mock API server (CRUD mode), with the applied scripts recorded.
 */
@MockKubeApi
class PolicyEnforcerTest {
  static KubernetesClient client;
  final List<String> applied = new CopyOnWriteArrayList<>();
  final List<PolicyEnforcer.LocalPod> local = new CopyOnWriteArrayList<>();
  PolicyEnforcer enforcer;

  @BeforeEach
  void up() {
    client.pods().inAnyNamespace().delete();
    client.network().v1().networkPolicies().inAnyNamespace().delete();
    client.namespaces().delete();
    for (String ns : List.of("prod", "dev")) {
      client
          .namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .create();
    }
    enforcer =
        new PolicyEnforcer(client, () -> List.copyOf(local), applied::add, Duration.ofMillis(20));
  }

  @AfterEach
  void down() {
    enforcer.close();
  }

  static Pod pod(String ns, String name, String app) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace(ns)
        .withName(name)
        .addToLabels("app", app)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("c")
        .withImage("x")
        .addNewPort()
        .withName("http")
        .withContainerPort(8080)
        .endPort()
        .endContainer()
        .endSpec()
        .build();
  }

  /** prod/deny: default deny of ingress for pods labelled app=web. */
  void denyIngressToWeb() {
    client
        .resource(
            PolicyCompilerTest.policy(
                "metadata: {name: deny, namespace: prod}\nspec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress]}"))
        .create();
  }

  @Test
  void aNewPodsRulesAreInForceBeforeAdmitReturns() throws Exception {
    denyIngressToWeb();
    enforcer.start(Duration.ofSeconds(10));
    assertThat(applied).singleElement().satisfies(s -> assertThat(s).doesNotContain("jump in_"));
    client.pods().resource(pod("prod", "web-0", "web")).create();
    enforcer.admit("prod/web-0", IpAddress.parse("10.0.1.10"));
    assertThat(applied.getLast())
        .contains("ip daddr vmap { 10.0.1.10 : jump in_0 }")
        .contains("default deny: ingress of prod/web-0");
  }

  /** The shutdown hook closed the enforcer while its start thread was still on the way. */
  @Test
  void aStartAfterCloseEndsAtOnceWithoutWatchingOrApplying() {
    enforcer.close();
    assertThatThrownBy(() -> enforcer.start(Duration.ofSeconds(30)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("closed while starting");
    enforcer.enforceSoon(); // a late watch event: nothing is scheduled on the stopped worker
    assertThat(applied).isEmpty();
  }

  @Test
  void admitBeforeTheWatchesSyncedRefuses() {
    assertThatThrownBy(() -> enforcer.admit("prod/web-0", IpAddress.parse("10.0.1.10")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not in force yet");
    assertThat(applied).isEmpty();
  }

  @Test
  void aPodTheApiDoesNotKnowIsRefusedAndNothingChanges() throws Exception {
    enforcer.start(Duration.ofSeconds(10));
    int before = applied.size();
    assertThatThrownBy(() -> enforcer.admit("prod/ghost", IpAddress.parse("10.0.1.99")))
        .hasMessageContaining("prod/ghost is unknown to the API server");
    assertThat(applied).hasSize(before);
  }

  @Test
  void aPodTheAddAlreadyReadIsAdmittedBeforeTheWatchDeliversIt() throws Exception {
    denyIngressToWeb();
    enforcer.start(Duration.ofSeconds(10));
    // not in the API (so neither in the watch's cache nor readable): only the ADD's copy knows it
    Pod readByAdd = pod("prod", "web-7", "web");
    enforcer.admit("prod/web-7", IpAddress.parse("10.0.1.17"), readByAdd);
    assertThat(applied.getLast())
        .contains("10.0.1.17 : jump in_")
        .contains("default deny: ingress of prod/web-7");
    // a copy of another pod is no evidence for this one
    assertThatThrownBy(() -> enforcer.admit("prod/web-8", IpAddress.parse("10.0.1.18"), readByAdd))
        .hasMessageContaining("prod/web-8 is unknown to the API server");
    assertThat(enforcer.podsKnownOutsideTheWatch()).isEqualTo(1);

    // the watch sees the pod come and go: the ADD's copy goes with it, nothing is left behind
    client.pods().resource(pod("prod", "web-7", "web")).create();
    client.pods().inNamespace("prod").withName("web-7").delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> enforcer.podsKnownOutsideTheWatch() == 0);
  }

  @Test
  void policyChangesAreAppliedAndUnchangedRulesAreNot() throws Exception {
    client.pods().resource(pod("prod", "web-0", "web")).create();
    client.pods().resource(pod("dev", "client-0", "client")).create();
    local.add(new PolicyEnforcer.LocalPod("prod/web-0", IpAddress.parse("10.0.1.10")));
    enforcer.start(Duration.ofSeconds(10));
    int before = applied.size();
    client
        .resource(
            PolicyCompilerTest.policy(
                "metadata: {name: p, namespace: prod}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from: [{namespaceSelector: {}, podSelector: {matchLabels: {app: client}}}]\n    ports: [{port: http}]"))
        .create();
    await().atMost(Duration.ofSeconds(5)).until(() -> applied.size() > before);
    // web is isolated; its only peer has no address yet, so nothing is allowed in
    assertThat(applied.getLast()).contains("jump in_0").doesNotContain("return\n");
    // the client pod gets its address: it becomes a peer
    Pod c = client.pods().inNamespace("dev").withName("client-0").get();
    c.setStatus(
        new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPodIP("10.0.2.12").build());
    client.pods().resource(c).updateStatus();
    await().atMost(Duration.ofSeconds(5)).until(() -> applied.getLast().contains("10.0.2.12"));
    assertThat(applied.getLast()).contains("meta l4proto tcp th dport { 8080 } return");
    int now = applied.size();
    // a label change nobody selects on: same rules, no transaction
    Pod w = client.pods().inNamespace("prod").withName("web-0").get();
    w.getMetadata().getLabels().put("unrelated", "x");
    client.pods().resource(w).update();
    Thread.sleep(300);
    assertThat(applied).hasSize(now);
  }

  @Test
  void aPodAlreadyInThePoolIsAdmittedOnce() throws Exception {
    client
        .resource(
            PolicyCompilerTest.policy(
                "metadata: {name: deny, namespace: prod}\nspec: {podSelector: {}, policyTypes: [Ingress]}"))
        .create();
    client.pods().resource(pod("prod", "web-0", "web")).create();
    // the ADD path reserves the IP (so the pool lists the pod) before it calls admit
    local.add(new PolicyEnforcer.LocalPod("prod/web-0", IpAddress.parse("10.0.1.10")));
    enforcer.start(Duration.ofSeconds(10));
    enforcer.admit("prod/web-0", IpAddress.parse("10.0.1.10"));
    assertThat(applied.getLast()).contains("ip daddr vmap { 10.0.1.10 : jump in_0 }");
  }

  @Test
  void aChangeThatComesWhileRulesAreBeingAppliedIsAppliedNext() throws Exception {
    CountDownLatch inApply = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean holdNext = new AtomicBoolean();
    PolicyEnforcer slow =
        new PolicyEnforcer(
            client,
            () -> List.copyOf(local),
            script -> {
              if (holdNext.getAndSet(false)) {
                inApply.countDown();
                try {
                  release.await(10, TimeUnit.SECONDS); // an nft run that takes its time
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
              applied.add(script);
            },
            Duration.ofMillis(20));
    try {
      client.pods().resource(pod("prod", "web-0", "web")).create();
      local.add(new PolicyEnforcer.LocalPod("prod/web-0", IpAddress.parse("10.0.1.10")));
      slow.start(Duration.ofSeconds(10));
      holdNext.set(true);
      client
          .resource(
              PolicyCompilerTest.policy(
                  "metadata: {name: in, namespace: prod}\nspec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress]}"))
          .create();
      assertThat(inApply.await(5, TimeUnit.SECONDS))
          .as("the first policy is being applied")
          .isTrue();
      // a second policy arrives while the first one's rules are still being applied
      client
          .resource(
              PolicyCompilerTest.policy(
                  "metadata: {name: out, namespace: prod}\nspec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Egress]}"))
          .create();
      Thread.sleep(300); // its watch event comes and goes while the apply is held
      release.countDown();
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  assertThat(applied.getLast())
                      .as("the rules in force at the end")
                      .contains("ip saddr vmap { 10.0.1.10 : jump eg_0 }")
                      .contains("ip daddr vmap { 10.0.1.10 : jump in_0 }"));
    } finally {
      release.countDown();
      slow.close();
    }
  }
}
