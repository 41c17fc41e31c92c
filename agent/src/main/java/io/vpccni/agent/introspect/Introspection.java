package io.vpccni.agent.introspect;

import io.vpccni.agent.config.AgentConfig;
import io.vpccni.agent.config.EniSpec;
import io.vpccni.agent.metrics.Timings;
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

/**
 * The agent's state for operators ({@code vpc-cni-cli pool}, {@code vpc-cni-cli pods}): served on
 * the agent socket as the non-CNI verb {@value #VERB}, never sent by the CNI binary.
 */
public final class Introspection {
  public static final String VERB = "INTROSPECT";

  private final AgentConfig config;
  private final IpPool pool;

  private final Timings timings;
  private volatile int metricsPort;

  public Introspection(AgentConfig config, IpPool pool, Timings timings) {
    this.config = config;
    this.pool = pool;
    this.timings = timings;
  }

  /** The port /metrics is served on (0 if disabled), for operators and tests. */
  public void setMetricsPort(int port) {
    metricsPort = port;
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
            .put("timings", timings.summary()));
  }
}
