package io.vpccni.agent.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
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
