package io.vpccni.agent.policy;

import static io.vpccni.agent.policy.PolicyEnforcerTest.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vpccni.netaddr.IpAddress;
import io.vpccni.testkit.kube.MockKubeApi;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PolicyEnforcer#state()}, what {@code vpc-cni-cli policy} shows: the enforcer against
 * fabric8's mock API server and an applier that fails on demand. The debounce is an hour, so only
 * {@code start} and {@code admit} recompute and every value below is exact.
 */
@MockKubeApi
class PolicyEnforcerStateTest {
  static KubernetesClient client;
  final List<String> applied = new CopyOnWriteArrayList<>();
  final List<PolicyEnforcer.LocalPod> local = new CopyOnWriteArrayList<>();
  final AtomicBoolean failApply = new AtomicBoolean();
  PolicyEnforcer enforcer;

  @BeforeEach
  void up() {
    client.pods().inAnyNamespace().delete();
    client.network().v1().networkPolicies().inAnyNamespace().delete();
    client.namespaces().delete();
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("prod").endMetadata().build())
        .create();
    enforcer =
        new PolicyEnforcer(
            client,
            () -> List.copyOf(local),
            script -> {
              if (failApply.get()) {
                throw new IOException("failed to run nft -f - (exit 1): injected");
              }
              applied.add(script);
            },
            Duration.ofHours(1));
  }

  @AfterEach
  void down() {
    enforcer.close();
  }

  void policy(String name, String yamlSpec) {
    client
        .resource(
            PolicyCompilerTest.policy(
                "metadata: {name: " + name + ", namespace: prod}\nspec: " + yamlSpec))
        .create();
  }

  void add(String podRef, String ip) throws IOException {
    local.add(new PolicyEnforcer.LocalPod(podRef, IpAddress.parse(ip)));
    enforcer.admit(podRef, IpAddress.parse(ip));
  }

  @Test
  void eachLocalPodShowsItsIsolationAndThePoliciesSelectingIt() throws Exception {
    policy("deny", "{podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress]}");
    policy(
        "from-client",
        "{podSelector: {matchLabels: {app: web}}, ingress: [{from: [{podSelector: {matchLabels: {app: client}}}]}]}");
    policy("lock-out", "{podSelector: {matchLabels: {app: web}}, policyTypes: [Egress]}");
    client.pods().resource(pod("prod", "web-0", "web")).create();
    client.pods().resource(pod("prod", "db-0", "db")).create();

    PolicyState before = enforcer.state();
    assertThat(before.synced()).isFalse();
    assertThat(before.lastApply()).isEmpty();
    assertThat(before.pods()).isEmpty();

    Instant t0 = Instant.now();
    enforcer.start(Duration.ofSeconds(10));
    add("prod/web-0", "10.0.1.10");
    add("prod/db-0", "10.0.1.11");
    Instant t1 = Instant.now();

    PolicyState s = enforcer.state();
    assertThat(s.synced()).isTrue();
    assertThat(s.policies()).isEqualTo(3);
    assertThat(s.applies()).isEqualTo(2).isEqualTo(applied.size()); // db-0 changed no rule
    assertThat(s.lastApply()).get().satisfies(t -> assertThat(t).isBetween(t0, t1));
    assertThat(s.lastError()).isEmpty();
    assertThat(s.pods())
        .extracting(PolicyState.Pod::podRef)
        .containsExactly("prod/web-0", "prod/db-0");
    PolicyState.Pod web = s.pods().get(0);
    assertThat(web.ip()).isEqualTo(IpAddress.parse("10.0.1.10"));
    assertThat(web.ingressIsolated()).isTrue();
    assertThat(web.ingressPolicies()).containsExactly("prod/deny", "prod/from-client");
    assertThat(web.egressIsolated()).isTrue();
    assertThat(web.egressPolicies()).containsExactly("prod/lock-out");
    PolicyState.Pod db = s.pods().get(1);
    assertThat(db.ingressIsolated()).isFalse();
    assertThat(db.egressIsolated()).isFalse();
    assertThat(db.ingressPolicies()).isEmpty();
  }

  @Test
  void aFailedApplyIsTheLastErrorAndTheRulesInForceStay() throws Exception {
    policy("deny", "{podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress]}");
    client.pods().resource(pod("prod", "web-0", "web")).create();
    client.pods().resource(pod("prod", "web-1", "web")).create();
    enforcer.start(Duration.ofSeconds(10));
    add("prod/web-0", "10.0.1.10");
    PolicyState ok = enforcer.state();

    failApply.set(true);
    Instant t0 = Instant.now();
    assertThatThrownBy(() -> add("prod/web-1", "10.0.1.11")).hasMessageContaining("injected");
    PolicyState s = enforcer.state();
    assertThat(s.lastError()).contains("failed to run nft -f - (exit 1): injected");
    assertThat(s.lastErrorAt()).get().satisfies(t -> assertThat(t).isAfterOrEqualTo(t0));
    assertThat(s.applies()).isEqualTo(2);
    assertThat(s.lastApply()).isEqualTo(ok.lastApply());
    // web-1's rules never reached the kernel: only web-0 is shown
    assertThat(s.pods()).extracting(PolicyState.Pod::podRef).containsExactly("prod/web-0");

    failApply.set(false); // the runtime retries the ADD
    enforcer.admit("prod/web-1", IpAddress.parse("10.0.1.11"));
    s = enforcer.state();
    assertThat(s.lastError()).isEmpty();
    assertThat(s.lastErrorAt()).isEmpty();
    assertThat(s.applies()).isEqualTo(3);
    assertThat(s.pods())
        .extracting(PolicyState.Pod::podRef)
        .containsExactly("prod/web-0", "prod/web-1");
    assertThat(s.pods())
        .allSatisfy(p -> assertThat(p.ingressPolicies()).containsExactly("prod/deny"));
  }
}
