package io.vpccni.agent.k8s;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.vpccni.agent.pool.IpPool;
import io.vpccni.agent.pool.PoolStats;
import io.vpccni.crd.NodeEni;
import io.vpccni.crd.NodeEniStatus;
import io.vpccni.netaddr.IpAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the node's usage into its NodeENI status (the controller sizes the pool from it): IPs in
 * use and cooling (never to be unassigned), free count, demand (in total and by SubnetPool), and
 * the conditions {@code Ready} and {@code PoolExhausted}. Writes only when something changed, at
 * most every {@code period}.
 */
public final class StatusReporter implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(StatusReporter.class);

  private final KubernetesClient client;
  private final String node;
  private final IpPool pool;
  private final NodeEniSource source;
  private final Clock clock;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> Thread.ofPlatform().name("nodeeni-status").daemon(true).unstarted(r));
  private NodeEniStatus last;

  public StatusReporter(
      KubernetesClient client, String node, IpPool pool, NodeEniSource source, Clock clock) {
    this.client = client;
    this.node = node;
    this.pool = pool;
    this.source = source;
    this.clock = clock;
  }

  public void start(long periodMillis) {
    timer.scheduleWithFixedDelay(this::reportQuietly, 0, periodMillis, TimeUnit.MILLISECONDS);
  }

  private void reportQuietly() {
    try {
      report();
    } catch (RuntimeException e) {
      logger.warn("cannot write NodeENI {} status: {}", node, e.getMessage());
    }
  }

  /** Computes the status and writes it if it changed; returns what was computed. */
  public synchronized NodeEniStatus report() {
    NodeEniStatus s = compute();
    if (last != null && sameContent(last, s)) {
      return s;
    }
    NodeEni current = client.resources(NodeEni.class).withName(node).get();
    if (current == null) {
      return s; // the controller has not created it yet
    }
    keepTransitionTimes(current.getStatus(), s);
    current.setStatus(s);
    try {
      client.resources(NodeEni.class).resource(current).updateStatus();
      last = s;
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      // a concurrent spec update: the next round writes again
    }
    return s;
  }

  NodeEniStatus compute() {
    // Read the release list before the pool: a list seen here was applied to the pool already,
    // so the in-use set read next cannot miss an IP handed out from it.
    List<String> releasing = source == null ? List.of() : source.releaseIps();
    PoolStats stats = pool.stats();
    NodeEniStatus s = new NodeEniStatus();
    s.inUse = strings(pool.inUse());
    s.cooling = strings(pool.cooling());
    s.free = stats.free();
    s.reserved = strings(pool.reservedIdle());
    s.demand = pool.demand();
    s.demandByPool = new java.util.TreeMap<>(pool.demandByPool());
    for (String ip : releasing) {
      if (!s.inUse.contains(ip)
          && !s.cooling.contains(ip)
          && !s.reserved.contains(ip)
          && !reservedAnywhere(ip)) {
        s.releaseReady.add(ip);
      }
    }
    s.observedGeneration = source == null ? null : source.appliedGeneration();
    String now = Instant.now(clock).toString();
    String specError = source == null ? null : source.specError();
    s.conditions.add(
        specError == null
            ? condition("Ready", "True", "SpecApplied", "the agent applies the NodeENI spec", now)
            : condition("Ready", "False", "InvalidSpec", specError, now));
    s.conditions.add(
        stats.free() == 0
            ? condition(
                "PoolExhausted",
                "True",
                s.demand > 0 ? "PodsWaiting" : "NoFreeIP",
                "no free IP: "
                    + stats.used()
                    + " in use, "
                    + stats.cooling()
                    + " cooling, "
                    + s.demand
                    + " pods waiting",
                now)
            : condition("PoolExhausted", "False", "FreeIPs", stats.free() + " free IPs", now));
    return s;
  }

  private static Condition condition(
      String type, String status, String reason, String message, String now) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withLastTransitionTime(now)
        .build();
  }

  /** A condition whose status did not change keeps its lastTransitionTime. */
  private static void keepTransitionTimes(NodeEniStatus old, NodeEniStatus now) {
    if (old == null || old.conditions == null) {
      return;
    }
    for (Condition c : now.conditions) {
      for (Condition o : old.conditions) {
        if (o.getType().equals(c.getType()) && Objects.equals(o.getStatus(), c.getStatus())) {
          c.setLastTransitionTime(o.getLastTransitionTime());
        }
      }
    }
  }

  /** A fixed IP is never acknowledged for release: only a move of its reservation takes it. */
  private boolean reservedAnywhere(String ip) {
    try {
      return pool.isReserved(io.vpccni.netaddr.IpAddress.parse(ip));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static boolean sameContent(NodeEniStatus a, NodeEniStatus b) {
    if (!a.inUse.equals(b.inUse)
        || !a.cooling.equals(b.cooling)
        || a.free != b.free
        || !java.util.Objects.equals(a.reserved, b.reserved)
        || a.demand != b.demand
        || !a.demandByPool.equals(b.demandByPool)
        || !a.releaseReady.equals(b.releaseReady)
        || !Objects.equals(a.observedGeneration, b.observedGeneration)) {
      return false;
    }
    for (int i = 0; i < a.conditions.size(); i++) {
      Condition x = a.conditions.get(i);
      Condition y = b.conditions.get(i);
      if (!x.getStatus().equals(y.getStatus())
          || !x.getReason().equals(y.getReason())
          || !x.getMessage().equals(y.getMessage())) {
        return false;
      }
    }
    return true;
  }

  private static List<String> strings(List<IpAddress> ips) {
    List<String> out = new ArrayList<>(ips.size());
    ips.forEach(ip -> out.add(ip.toString()));
    return out;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
