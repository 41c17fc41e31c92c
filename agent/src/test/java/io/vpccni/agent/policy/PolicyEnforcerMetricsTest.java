package io.vpccni.agent.policy;

import static io.vpccni.agent.policy.PolicyEnforcerTest.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vpccni.agent.config.Mode;
import io.vpccni.agent.metrics.AgentMetrics;
import io.vpccni.agent.pool.IpPool;
import io.vpccni.agent.store.CheckpointStore;
import io.vpccni.netaddr.IpAddress;
import io.vpccni.testkit.kube.MockKubeApi;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The enforcer's metrics as Prometheus serves them: the enforcer against fabric8's mock API server,
 * an applier that records scripts and fails on demand, and the agent's real {@link AgentMetrics}
 * scraped over HTTP. The debounce is an hour, so only {@code start} and {@code admit} recompute and
 * every value below is exact.
 */
@MockKubeApi
class PolicyEnforcerMetricsTest {
  static KubernetesClient client;
  @TempDir Path dir;
  final List<String> applied = new CopyOnWriteArrayList<>();
  final List<PolicyEnforcer.LocalPod> local = new CopyOnWriteArrayList<>();
  final AtomicBoolean failApply = new AtomicBoolean();
  AgentMetrics metrics;
  int port;
  PolicyEnforcer enforcer;

  @BeforeEach
  void up() throws IOException {
    client.pods().inAnyNamespace().delete();
    client.network().v1().networkPolicies().inAnyNamespace().delete();
    client.namespaces().delete();
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("prod").endMetadata().build())
        .create();
    IpPool pool =
        new IpPool(
            List.of(),
            Mode.SHARED,
            new CheckpointStore(dir),
            Clock.systemUTC(),
            Duration.ofSeconds(180));
    metrics = new AgentMetrics(pool);
    port = metrics.serve("127.0.0.1:0");
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
            Duration.ofHours(1),
            metrics.policy());
  }

  @AfterEach
  void down() {
    enforcer.close();
    metrics.close();
  }

  void denyIngressOfWeb() {
    client
        .resource(
            PolicyCompilerTest.policy(
                "metadata: {name: deny, namespace: prod}\nspec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress]}"))
        .create();
  }

  /** As the ADD path does: the pool lists the pod (its IP is reserved), then the gate runs. */
  void add(String podRef, String ip) throws IOException {
    local.add(new PolicyEnforcer.LocalPod(podRef, IpAddress.parse(ip)));
    enforcer.admit(podRef, IpAddress.parse(ip));
  }

  @Test
  void transactionsSkipsAndGaugesFollowTheRulesInForce() throws Exception {
    denyIngressOfWeb();
    client.pods().resource(pod("prod", "web-0", "web")).create();
    client.pods().resource(pod("prod", "db-0", "db")).create();
    double before = System.currentTimeMillis() / 1e3;
    enforcer.start(Duration.ofSeconds(10));
    Scrape s = scrape();
    assertThat(s.value("vpccni_policy_applies_total{result=\"ok\"}")).isEqualTo(1);
    assertThat(s.value("vpccni_policy_applies_total{result=\"error\"}")).isZero();
    assertThat(s.value("vpccni_policy_apply_duration_seconds_count")).isEqualTo(1);
    assertThat(s.value("vpccni_policy_skipped_total")).isZero();
    assertThat(s.value("vpccni_policy_policies")).isEqualTo(1);
    assertThat(s.value("vpccni_policy_local_pods_selected")).as("no local pods yet").isZero();
    double first = s.value("vpccni_policy_last_apply_timestamp_seconds");
    assertThat(first).isGreaterThanOrEqualTo(before);

    add("prod/web-0", "10.0.1.10");
    s = scrape();
    assertThat(s.value("vpccni_policy_applies_total{result=\"ok\"}")).isEqualTo(2);
    assertThat(s.value("vpccni_policy_local_pods_selected")).isEqualTo(1);
    assertThat(s.value("vpccni_policy_last_apply_timestamp_seconds")).isGreaterThanOrEqualTo(first);

    // db-0 is selected by no policy: its rules are the ones in force already
    add("prod/db-0", "10.0.1.11");
    s = scrape();
    assertThat(applied).hasSize(2);
    assertThat(s.value("vpccni_policy_applies_total{result=\"ok\"}")).isEqualTo(2);
    assertThat(s.value("vpccni_policy_apply_duration_seconds_count")).isEqualTo(2);
    assertThat(s.value("vpccni_policy_skipped_total")).isEqualTo(1);
    assertThat(s.value("vpccni_policy_local_pods_selected")).isEqualTo(1);
    assertThat(s.value("vpccni_policy_admit_duration_seconds_count")).isEqualTo(2);
  }

  @Test
  void aFailedTransactionIsCountedAndRefusesTheAdd() throws Exception {
    denyIngressOfWeb();
    client.pods().resource(pod("prod", "web-0", "web")).create();
    enforcer.start(Duration.ofSeconds(10));
    double stamp = scrape().value("vpccni_policy_last_apply_timestamp_seconds");
    failApply.set(true);
    Thread.sleep(20); // a successful apply now would move the timestamp
    assertThatThrownBy(() -> add("prod/web-0", "10.0.1.10")).hasMessageContaining("injected");
    Scrape s = scrape();
    assertThat(s.value("vpccni_policy_applies_total{result=\"ok\"}")).isEqualTo(1);
    assertThat(s.value("vpccni_policy_applies_total{result=\"error\"}")).isEqualTo(1);
    assertThat(s.value("vpccni_policy_apply_duration_seconds_count")).isEqualTo(2);
    assertThat(s.value("vpccni_policy_admit_refused_total{reason=\"apply_failed\"}")).isEqualTo(1);
    assertThat(s.value("vpccni_policy_last_apply_timestamp_seconds")).isEqualTo(stamp);

    failApply.set(false); // the runtime retries the ADD
    enforcer.admit("prod/web-0", IpAddress.parse("10.0.1.10"));
    s = scrape();
    assertThat(s.value("vpccni_policy_applies_total{result=\"ok\"}")).isEqualTo(2);
    assertThat(s.value("vpccni_policy_admit_refused_total{reason=\"apply_failed\"}")).isEqualTo(1);
    assertThat(s.value("vpccni_policy_last_apply_timestamp_seconds")).isGreaterThan(stamp);
  }

  @Test
  void refusalsAreCountedByReason() throws Exception {
    assertThatThrownBy(() -> enforcer.admit("prod/web-0", IpAddress.parse("10.0.1.10")))
        .hasMessageContaining("not in force yet");
    Scrape s = scrape();
    assertThat(s.value("vpccni_policy_admit_refused_total{reason=\"not_synced\"}")).isEqualTo(1);
    assertThat(s.value("vpccni_policy_admit_refused_total{reason=\"pod_unknown\"}")).isZero();
    assertThat(s.value("vpccni_policy_admit_duration_seconds_count")).isEqualTo(1);
    assertThat(s.value("vpccni_policy_applies_total{result=\"ok\"}")).isZero();

    enforcer.start(Duration.ofSeconds(10));
    assertThatThrownBy(() -> enforcer.admit("prod/ghost", IpAddress.parse("10.0.1.99")))
        .hasMessageContaining("unknown to the API server");
    s = scrape();
    assertThat(s.value("vpccni_policy_admit_refused_total{reason=\"not_synced\"}")).isEqualTo(1);
    assertThat(s.value("vpccni_policy_admit_refused_total{reason=\"pod_unknown\"}")).isEqualTo(1);
    assertThat(s.value("vpccni_policy_admit_refused_total{reason=\"api_error\"}")).isZero();
    assertThat(s.value("vpccni_policy_admit_refused_total{reason=\"apply_failed\"}")).isZero();
    assertThat(s.value("vpccni_policy_admit_duration_seconds_count")).isEqualTo(2);
    assertThat(s.value("vpccni_policy_applies_total{result=\"ok\"}")).as("start applied").isOne();
  }

  /** One scrape of /metrics in the text format. */
  record Scrape(String text) {
    /** The value of one series, written as in the text format: name{labels}. */
    double value(String series) {
      return text.lines()
          .filter(l -> l.startsWith(series + " "))
          .map(l -> Double.parseDouble(l.substring(series.length() + 1).split(" ")[0]))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no series " + series + " in\n" + text));
    }
  }

  Scrape scrape() throws Exception {
    try (var http = HttpClient.newHttpClient()) {
      var req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build();
      return new Scrape(http.send(req, HttpResponse.BodyHandlers.ofString()).body());
    }
  }
}
