package io.vpccni.agent.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vpccni.agent.policy.PolicyListener;
import io.vpccni.agent.pool.IpPool;
import io.vpccni.agent.pool.PoolStats;
import java.io.IOException;
import java.net.InetAddress;

/**
 * The agent's Prometheus metrics, served at {@code http://<metricsAddress>/metrics}. Names and
 * labels are listed in docs/metrics.md.
 */
public final class AgentMetrics implements AutoCloseable {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter requests;
  private final Histogram duration;
  private final Counter reconciled;
  private HTTPServer server;

  public AgentMetrics(IpPool pool) {
    requests =
        Counter.builder()
            .name("vpccni_cni_requests_total")
            .help(
                "CNI requests handled by the agent, by verb and result (ok, or the CNI error code)")
            .labelNames("verb", "result")
            .register(registry);
    duration =
        Histogram.builder()
            .name("vpccni_cni_request_duration_seconds")
            .help("Agent-side handling time of CNI requests")
            .labelNames("verb")
            .classicUpperBounds(0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5)
            .register(registry);
    reconciled =
        Counter.builder()
            .name("vpccni_reconcile_removed_total")
            .help("Attachments and stray interfaces or rules removed by start-up reconcile")
            .register(registry);
    GaugeWithCallback.builder()
        .name("vpccni_pool_ips")
        .help("Pod IPs of this node's pool by state")
        .labelNames("state")
        .callback(
            cb -> {
              PoolStats s = pool.stats();
              cb.call(s.used(), "used");
              cb.call(s.free(), "free");
              cb.call(s.cooling(), "cooling");
              cb.call(s.total(), "total");
            })
        .register(registry);
  }

  /** The device plugin's gauges: devices advertised, and successful kubelet registrations. */
  public void devicePlugin(
      String resource,
      java.util.function.IntSupplier devices,
      java.util.function.IntSupplier registrations) {
    GaugeWithCallback.builder()
        .name("vpccni_device_plugin_devices")
        .help("Devices the kubelet device plugin advertises (pods the node can address)")
        .labelNames("resource")
        .callback(cb -> cb.call(devices.getAsInt(), resource))
        .register(registry);
    GaugeWithCallback.builder()
        .name("vpccni_device_plugin_registrations")
        .help("Successful registrations with the kubelet since the agent started")
        .callback(cb -> cb.call(registrations.getAsInt()))
        .register(registry);
  }

  /**
   * The NetworkPolicy enforcer's metrics, registered once when the agent enforces policy: hand the
   * returned listener to the {@link io.vpccni.agent.policy.PolicyEnforcer}.
   */
  public PolicyListener policy() {
    Counter applies =
        Counter.builder()
            .name("vpccni_policy_applies_total")
            .help("nft transactions of the NetworkPolicy rule set, by result (ok, error)")
            .labelNames("result")
            .register(registry);
    applies.initLabelValues("ok");
    applies.initLabelValues("error");
    Histogram applyDuration =
        Histogram.builder()
            .name("vpccni_policy_apply_duration_seconds")
            .help("Duration of one nft transaction of the NetworkPolicy rule set, failed ones too")
            .classicUpperBounds(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
            .register(registry);
    Counter skipped =
        Counter.builder()
            .name("vpccni_policy_skipped_total")
            .help("NetworkPolicy recomputations that rendered the rules in force (no transaction)")
            .register(registry);
    Gauge policies =
        Gauge.builder()
            .name("vpccni_policy_policies")
            .help("NetworkPolicies the agent knows (all namespaces), as of the last recomputation")
            .register(registry);
    Gauge selected =
        Gauge.builder()
            .name("vpccni_policy_local_pods_selected")
            .help("Pods of this node that some NetworkPolicy isolates for ingress or egress")
            .register(registry);
    Gauge lastApply =
        Gauge.builder()
            .name("vpccni_policy_last_apply_timestamp_seconds")
            .help("Unix time of the last successful NetworkPolicy transaction (0: none yet)")
            .register(registry);
    Histogram admitDuration =
        Histogram.builder()
            .name("vpccni_policy_admit_duration_seconds")
            .help("Time the ADD path's NetworkPolicy gate took, refusals included")
            .classicUpperBounds(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
            .register(registry);
    Counter refused =
        Counter.builder()
            .name("vpccni_policy_admit_refused_total")
            .help("ADDs the NetworkPolicy gate refused, by reason")
            .labelNames("reason")
            .register(registry);
    for (PolicyListener.Refusal r : PolicyListener.Refusal.values()) {
      refused.initLabelValues(r.label());
    }
    return new PolicyListener() {
      @Override
      public void computed(int policyCount, int selectedLocalPods) {
        policies.set(policyCount);
        selected.set(selectedLocalPods);
      }

      @Override
      public void unchanged() {
        skipped.inc();
      }

      @Override
      public void applied(boolean ok, long nanos) {
        applies.labelValues(ok ? "ok" : "error").inc();
        applyDuration.observe(nanos / 1e9);
        if (ok) {
          lastApply.set(System.currentTimeMillis() / 1e3);
        }
      }

      @Override
      public void admitted(long nanos) {
        admitDuration.observe(nanos / 1e9);
      }

      @Override
      public void admitRefused(PolicyListener.Refusal reason, long nanos) {
        admitDuration.observe(nanos / 1e9);
        refused.labelValues(reason.label()).inc();
      }
    };
  }

  public void request(String verb, String result, long nanos) {
    requests.labelValues(verb, result).inc();
    duration.labelValues(verb).observe(nanos / 1e9);
  }

  public void reconciled(int n) {
    reconciled.inc(n);
  }

  /**
   * Serves /metrics on {@code address} ("host:port"; port 0 picks a free one). Returns the port.
   */
  public int serve(String address) throws IOException {
    int colon = address.lastIndexOf(':');
    String host = address.substring(0, colon);
    int port = Integer.parseInt(address.substring(colon + 1));
    server =
        HTTPServer.builder()
            .inetAddress(InetAddress.getByName(host.isEmpty() ? "0.0.0.0" : host))
            .port(port)
            .registry(registry)
            .buildAndStart();
    return server.getPort();
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
  }
}
