package io.vpccni.controller.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vpccni.cloud.CallObserver;
import io.vpccni.cloud.CloudException;
import io.vpccni.cloud.CloudOperation;
import io.vpccni.controller.plan.PoolPlan;
import io.vpccni.controller.pools.PoolListener;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The controller's Prometheus metrics, served at {@code http://<metricsAddress>/metrics}: cloud
 * calls as they reach the cloud (each retry is a call), pool syncs and what they did, GC and
 * leadership. Names and labels are listed in docs/metrics.md.
 */
public final class ControllerMetrics
    implements PoolListener,
        io.vpccni.controller.reservations.ReservationController.Listener,
        AutoCloseable {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter cloudCalls;
  private final Histogram cloudDuration;
  private final Counter syncs;
  private final Histogram syncDuration;
  private final Counter ipsAssigned;
  private final Counter ipsUnassigned;
  private final Counter enisCreated;
  private final Counter enisDeleted;
  private final Counter gcDeleted;
  private final Gauge leader;
  private final Counter fixedIpMoves;
  private final Counter fixedIpExpired;
  private final Gauge nodes;
  private HTTPServer server;

  public ControllerMetrics() {
    cloudCalls =
        Counter.builder()
            .name("vpccni_controller_cloud_calls_total")
            .help("Cloud API calls by operation and result (ok, or the failure's reason)")
            .labelNames("operation", "result")
            .register(registry);
    cloudDuration =
        Histogram.builder()
            .name("vpccni_controller_cloud_call_duration_seconds")
            .help("Duration of one cloud API call (one attempt)")
            .labelNames("operation")
            .classicUpperBounds(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
            .register(registry);
    syncs =
        Counter.builder()
            .name("vpccni_controller_syncs_total")
            .help("Reconciliations of one node's pool by result (ok, error)")
            .labelNames("result")
            .register(registry);
    syncDuration =
        Histogram.builder()
            .name("vpccni_controller_sync_duration_seconds")
            .help("Duration of one node's reconciliation, cloud calls included")
            .classicUpperBounds(0.001, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30)
            .register(registry);
    ipsAssigned =
        Counter.builder()
            .name("vpccni_controller_ips_assigned_total")
            .help("Secondary IPs requested from the cloud (assigns and new ENIs)")
            .register(registry);
    ipsUnassigned =
        Counter.builder()
            .name("vpccni_controller_ips_unassigned_total")
            .help("Secondary IPs given back to the cloud after the agent released them")
            .register(registry);
    enisCreated =
        Counter.builder()
            .name("vpccni_controller_enis_created_total")
            .help("ENIs created and attached as one unit")
            .register(registry);
    enisDeleted =
        Counter.builder()
            .name("vpccni_controller_enis_deleted_total")
            .help("ENIs detached and deleted by the pool loop (released, or their node is gone)")
            .register(registry);
    gcDeleted =
        Counter.builder()
            .name("vpccni_controller_gc_enis_deleted_total")
            .help("Leaked ENIs deleted by garbage collection")
            .register(registry);
    fixedIpMoves =
        Counter.builder()
            .name("vpccni_controller_fixed_ip_moves_total")
            .help("Fixed IPs (IPReservations) moved to another node, by result (ok, failed)")
            .labelNames("result")
            .register(registry);
    fixedIpExpired =
        Counter.builder()
            .name("vpccni_controller_fixed_ip_expired_total")
            .help("IPReservations deleted because their pod was gone for longer than their TTL")
            .register(registry);
    leader =
        Gauge.builder()
            .name("vpccni_controller_leader")
            .help("1 while this replica holds the Lease and acts, else 0")
            .register(registry);
    nodes =
        Gauge.builder()
            .name("vpccni_controller_nodes")
            .help("Nodes whose pools this replica keeps")
            .register(registry);
  }

  /** Counts each call it is told of; wrap the provider itself so that each retry is a call. */
  public CallObserver cloudCalls() {
    return this::called;
  }

  private void called(
      CloudOperation operation, Duration duration, Optional<CloudException.Reason> failure) {
    String op = operation.name().toLowerCase(Locale.ROOT);
    cloudCalls
        .labelValues(op, failure.map(r -> r.name().toLowerCase(Locale.ROOT)).orElse("ok"))
        .inc();
    cloudDuration.labelValues(op).observe(duration.toNanos() / 1e9);
  }

  @Override
  public void synced(String node, boolean ok, long nanos) {
    syncs.labelValues(ok ? "ok" : "error").inc();
    syncDuration.observe(nanos / 1e9);
  }

  @Override
  public void applied(String node, PoolPlan plan) {
    ipsAssigned.inc(plan.ipsAdded());
    enisCreated.inc(plan.create().size());
  }

  @Override
  public void eniDeleted(String node) {
    enisDeleted.inc();
  }

  @Override
  public void ipsUnassigned(String node, int count) {
    ipsUnassigned.inc(count);
  }

  @Override
  public void nodes(int count) {
    nodes.set(count);
  }

  @Override
  public void fixedIpMove(String result) {
    fixedIpMoves.labelValues(result).inc();
  }

  @Override
  public void fixedIpExpired() {
    fixedIpExpired.inc();
  }

  public void gcDeleted(int count) {
    gcDeleted.inc(count);
  }

  public void leader(boolean leading) {
    leader.set(leading ? 1 : 0);
  }

  public PrometheusRegistry registry() {
    return registry;
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
