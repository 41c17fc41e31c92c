package io.vpccni.agent.introspect;

import io.vpccni.agent.config.AgentConfig;
import io.vpccni.agent.config.EniSpec;
import io.vpccni.agent.metrics.Timings;
import io.vpccni.agent.policy.PolicyState;
import io.vpccni.agent.pool.IpPool;
import io.vpccni.agent.pool.PoolStats;
import io.vpccni.agent.store.Allocation;
import io.vpccni.agentapi.AgentResponse;
import io.vpccni.agentapi.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The agent's state for operators ({@code vpc-cni-cli pool}, {@code pods}, {@code policy}): served
 * on the agent socket as the non-CNI verb {@value #VERB}, never sent by the CNI binary.
 */
public final class Introspection {
  public static final String VERB = "INTROSPECT";

  private final AgentConfig config;
  private final IpPool pool;

  private final Timings timings;
  private volatile int metricsPort;
  private volatile Supplier<PolicyState> policy;

  public Introspection(AgentConfig config, IpPool pool, Timings timings) {
    this.config = config;
    this.pool = pool;
    this.timings = timings;
  }

  /** The port /metrics is served on (0 if disabled), for operators and tests. */
  public void setMetricsPort(int port) {
    metricsPort = port;
  }

  /** Where NetworkPolicy state comes from, when {@code networkPolicy} is on. */
  public void setPolicy(Supplier<PolicyState> policy) {
    this.policy = policy;
  }

  public AgentResponse handle() {
    PoolStats s = pool.stats();
    List<Object> enis = new ArrayList<>();
    for (Map.Entry<EniSpec, int[]> e : pool.perEni().entrySet()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", e.getKey().id());
      m.put("mac", e.getKey().mac().toString());
      m.put("deviceIndex", e.getKey().deviceIndex());
      m.put("subnet", e.getKey().subnet().toString());
      m.put("table", config.routeTableBase() + e.getKey().deviceIndex());
      m.put("ips", e.getValue()[0]);
      m.put("used", e.getValue()[1]);
      enis.add(m);
    }
    List<Object> pods = new ArrayList<>();
    pool.snapshot().stream()
        .sorted(Comparator.comparing(Allocation::ip))
        .forEach(
            a -> {
              Map<String, Object> m = new LinkedHashMap<>();
              m.put("pod", a.podRef());
              m.put("containerId", a.containerId());
              m.put("ifName", a.ifName());
              m.put("ip", a.ip().toString());
              m.put("eni", a.eniId());
              m.put("hostIf", a.hostIf());
              m.put("state", a.state().name());
              pods.add(m);
            });
    Map<String, Object> stats = new LinkedHashMap<>();
    stats.put("total", s.total());
    stats.put("used", s.used());
    stats.put("cooling", s.cooling());
    stats.put("free", s.free());
    return AgentResponse.ok(
        JsonObject.create()
            .put("node", config.node())
            .put("mode", config.mode().key())
            .put("metricsPort", metricsPort)
            .put("pool", stats)
            .put("enis", enis)
            .put("attachments", pods)
            .put("timings", timings.summary())
            .put("policy", policyJson(policy == null ? null : policy.get())));
  }

  /** {@code {"enabled": false}} for null (NetworkPolicy is off), else the enforcer's state. */
  static Map<String, Object> policyJson(PolicyState p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("enabled", p != null);
    if (p == null) {
      return m;
    }
    m.put("synced", p.synced());
    m.put("policies", p.policies());
    m.put("applies", p.applies());
    p.lastApply().ifPresent(t -> m.put("lastApply", t.toString()));
    p.lastApply().ifPresent(t -> m.put("lastApplyMillis", p.lastApplyMillis()));
    p.lastError().ifPresent(e -> m.put("lastError", e));
    p.lastErrorAt().ifPresent(t -> m.put("lastErrorAt", t.toString()));
    List<Object> pods = new ArrayList<>();
    p.pods().stream()
        .sorted(Comparator.comparing(PolicyState.Pod::ip))
        .forEach(
            pod -> {
              Map<String, Object> e = new LinkedHashMap<>();
              e.put("pod", pod.podRef());
              e.put("ip", pod.ip().toString());
              e.put("ingress", direction(pod.ingressIsolated(), pod.ingressPolicies()));
              e.put("egress", direction(pod.egressIsolated(), pod.egressPolicies()));
              pods.add(e);
            });
    m.put("pods", pods);
    return m;
  }

  private static Map<String, Object> direction(boolean isolated, List<String> policies) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("isolated", isolated);
    m.put("policies", policies);
    return m;
  }
}
