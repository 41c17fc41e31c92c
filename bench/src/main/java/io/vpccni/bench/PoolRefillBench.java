package io.vpccni.bench;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vpccni.cli.local.ApiServerStandIn;
import io.vpccni.cloud.CallObserver;
import io.vpccni.cloud.CloudOperation;
import io.vpccni.cloud.ObservedVpcApi;
import io.vpccni.cloud.RateLimitedVpcApi;
import io.vpccni.cloud.RetryingVpcApi;
import io.vpccni.cloud.VpcApi;
import io.vpccni.cloud.VpcApis;
import io.vpccni.cloud.ratelimit.RateLimiter;
import io.vpccni.cloud.retry.RetryPolicy;
import io.vpccni.cloud.testkit.FakeVpcApi;
import io.vpccni.cloud.testkit.InstanceType;
import io.vpccni.controller.plan.WarmPoolConfig;
import io.vpccni.controller.pools.PoolController;
import io.vpccni.controller.pools.VpcApiNodeOperations;
import io.vpccni.crd.NodeEni;
import io.vpccni.crd.NodeEniSpec;
import io.vpccni.crd.NodeEniStatus;
import io.vpccni.emulator.VpcEmulator;
import io.vpccni.emulator.faults.FaultRule;
import io.vpccni.emulator.faults.Faults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What the pool costs in cloud calls: a node taken from 0 to 100 ready IPs with 200 ms of latency
 * per call, and 1000 pod create/delete churns on a warm node. The real controller (pool loop, node
 * operations, retry and rate-limit decorators) runs against the API server stand-in; the cloud is
 * either the SPI's fake with latency per SPI call, or the OpenStack provider against the VPC
 * emulator with latency per HTTP request. The agent is simulated by writing NodeENI status as the
 * real agent does (in use, demand, release acknowledgements). Writes {@code
 * bench/results/pool-refill.md}. A report, not a test.
 */
public final class PoolRefillBench {
  static final int TARGET = 100;
  static final long LATENCY_MS = 200;
  static final int CHURNS = 1000;
  static final int PODS = 20;
  static final Duration BOUND = Duration.ofSeconds(90);

  private PoolRefillBench() {}

  record Refill(
      String backend,
      String type,
      String when,
      Duration wall,
      Map<CloudOperation, Long> calls,
      long http,
      Map<String, Long> httpByOperation,
      int enis,
      int ips) {
    long total() {
      return calls.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  record Churn(
      String backend,
      String controller,
      Duration wall,
      Map<CloudOperation, Long> calls,
      long http,
      int statusWrites) {
    long total() {
      return calls.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** The controller as ControllerMain wires it, with calls counted where they reach the cloud. */
  static final class Controller implements AutoCloseable {
    final ApiServerStandIn apiServer;
    final KubernetesClient kube;
    final CallObserver.Counter counter = new CallObserver.Counter();
    final PoolController pools;
    final Map<String, String> instanceOf = new HashMap<>();

    Controller(VpcApi provider, WarmPoolConfig warm, Duration cloudResync) throws Exception {
      ApiServerStandIn.quietRequestLog();
      apiServer = ApiServerStandIn.start(0);
      kube = apiServer.client();
      VpcApi api =
          new RetryingVpcApi(
              new RateLimitedVpcApi(
                  new ObservedVpcApi(provider, counter),
                  RateLimiter.of(10, 20),
                  Duration.ofSeconds(30)),
              RetryPolicy.defaults());
      var ops =
          new VpcApiNodeOperations(
              api, "bench", n -> Optional.ofNullable(instanceOf.get(n)), Clock.systemUTC());
      pools =
          new PoolController(
              kube, ops, warm, Clock.systemUTC(), Duration.ofSeconds(30), cloudResync);
      pools.start();
    }

    void addNode(String node, String instanceId) {
      instanceOf.put(node, instanceId);
      kube.nodes()
          .resource(new NodeBuilder().withNewMetadata().withName(node).endMetadata().build())
          .create();
    }

    NodeEni nodeEni(String node) {
      return kube.resources(NodeEni.class).withName(node).get();
    }

    /** IPs on attached ENIs, not being released: what the agent may hand out. */
    List<String> readyIps(String node) {
      NodeEni n = nodeEni(node);
      if (n == null) {
        return List.of();
      }
      Set<String> releasing = new HashSet<>(n.getSpec().releaseIps);
      List<String> out = new ArrayList<>();
      for (NodeEniSpec.Eni e : n.getSpec().enis) {
        if ("Attached".equals(e.state)) {
          e.ips.stream().filter(ip -> !releasing.contains(ip)).forEach(out::add);
        }
      }
      return out;
    }

    void waitForReady(String node, int ips) throws InterruptedException {
      long deadline = System.nanoTime() + BOUND.toNanos();
      while (readyIps(node).size() < ips) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              node + " did not reach " + ips + " ready IPs within " + BOUND);
        }
        Thread.sleep(5);
      }
    }

    @Override
    public void close() {
      pools.close();
      kube.close();
      apiServer.close();
    }
  }

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args.length > 0 ? args[0] : ".");
    List<Refill> refills = new ArrayList<>();
    for (InstanceType t :
        List.of(new InstanceType("m5.24xlarge", 15, 49), new InstanceType("m5.4xlarge", 8, 29))) {
      refills.addAll(refillOnFake(t));
    }
    refills.addAll(refillOnEmulator("m5.24xlarge", 15, 50));
    List<Churn> churns = new ArrayList<>();
    churns.add(churnOnEmulator(Duration.ofMinutes(5), "this controller (cloudResyncSeconds 300)"));
    churns.add(churnOnEmulator(Duration.ZERO, "same, listing the cloud on every sync (as before)"));
    String report = report(refills, churns);
    Path out = root.resolve("bench/results/pool-refill.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, report);
    System.out.println(report);
    System.out.println("wrote " + out);
  }

  /** 0 → 100 on a fresh controller, then on a second node of the same controller. */
  static List<Refill> refillOnFake(InstanceType type) throws Exception {
    FakeVpcApi fake = new FakeVpcApi();
    fake.addSubnet("subnet-1", "10.0.0.0/16", "zone-a");
    fake.addInstance("i-1", type, "subnet-1", List.of("sg-1"));
    fake.addInstance("i-2", type, "subnet-1", List.of("sg-1"));
    fake.faults().latency(Duration.ofMillis(LATENCY_MS));
    WarmPoolConfig warm = new WarmPoolConfig(0, TARGET, 0, 0, 5, Duration.ofMinutes(5), 10);
    List<Refill> out = new ArrayList<>();
    try (Controller c = new Controller(fake, warm, Duration.ofMinutes(5))) {
      String backend = "fake cloud, " + LATENCY_MS + " ms per SPI call";
      out.add(refill(c, "n1", "i-1", backend, type.name(), "first node, new controller", Map::of));
      out.add(refill(c, "n2", "i-2", backend, type.name(), "next node (subnet known)", Map::of));
    }
    return out;
  }

  static List<Refill> refillOnEmulator(String type, int maxEnis, int ipsPerEni) throws Exception {
    try (VpcEmulator emu = VpcEmulator.start()) {
      var vpc = emu.vpc();
      var net = vpc.createNetwork("vpc", List.of());
      String subnet = vpc.createSubnet(net.id, "nodes", "10.0.0.0/16", "10.0.0.1", List.of()).id;
      String i1 = vpc.createInstance("node-1", type, subnet, null).id;
      String i2 = vpc.createInstance("node-2", type, subnet, null).id;
      emu.faults().set(Faults.ALL, FaultRule.latency(LATENCY_MS));
      String base = emu.baseUrl().toString();
      VpcApi provider =
          VpcApis.create(
              "openstack",
              Map.of(
                  "endpoint.network",
                  base + "/v2.0",
                  "endpoint.compute",
                  base + "/v2.1",
                  "network",
                  net.id,
                  "flavor." + type,
                  maxEnis + "x" + (ipsPerEni - 1)));
      WarmPoolConfig warm = new WarmPoolConfig(0, TARGET, 0, 0, 5, Duration.ofMinutes(5), 10);
      List<Refill> out = new ArrayList<>();
      Supplier<Map<String, Long>> http = () -> emu.faults().requestCounts();
      try (Controller c = new Controller(provider, warm, Duration.ofMinutes(5))) {
        String backend = "OpenStack provider → emulator, " + LATENCY_MS + " ms per HTTP request";
        out.add(refill(c, "n1", i1, backend, type, "first node, new controller", http));
        out.add(refill(c, "n2", i2, backend, type, "next node (subnet known)", http));
      } finally {
        provider.close();
      }
      return out;
    }
  }

  static Refill refill(
      Controller c,
      String node,
      String instance,
      String backend,
      String type,
      String when,
      Supplier<Map<String, Long>> http)
      throws Exception {
    var before = c.counter.snapshot();
    Map<String, Long> httpBefore = http.get();
    long t0 = System.nanoTime();
    c.addNode(node, instance);
    c.waitForReady(node, TARGET);
    Duration wall = Duration.ofNanos(System.nanoTime() - t0);
    Thread.sleep(300); // let a sync still in flight finish before counting
    var after = c.counter.snapshot();
    Map<CloudOperation, Long> calls = delta(before, after);
    Map<String, Long> httpByOp = new java.util.TreeMap<>();
    http.get()
        .forEach(
            (op, n) -> {
              long d = n - httpBefore.getOrDefault(op, 0L);
              if (d > 0) {
                httpByOp.put(op, d);
              }
            });
    NodeEni ne = c.nodeEni(node);
    return new Refill(
        backend,
        type,
        when,
        wall,
        calls,
        httpByOp.values().stream().mapToLong(Long::longValue).sum(),
        httpByOp,
        ne.getSpec().enis.size(),
        c.readyIps(node).size());
  }

  /**
   * A warm node running {@value #PODS} pods; then {@value #CHURNS} times: one pod deleted, one
   * created, each a status write as the agent makes it. The agent's reuse cooldown is off here (a
   * cooling IP counts as held, so with it on the pool grows with the churn rate; that growth is
   * what the cooldown is for, not churn cost).
   */
  static Churn churnOnEmulator(Duration cloudResync, String label) throws Exception {
    try (VpcEmulator emu = VpcEmulator.start()) {
      var vpc = emu.vpc();
      var net = vpc.createNetwork("vpc", List.of());
      String subnet = vpc.createSubnet(net.id, "nodes", "10.0.0.0/16", "10.0.0.1", List.of()).id;
      String i1 = vpc.createInstance("node-1", "c5.xlarge", subnet, null).id;
      String base = emu.baseUrl().toString();
      VpcApi provider =
          VpcApis.create(
              "openstack",
              Map.of(
                  "endpoint.network",
                  base + "/v2.0",
                  "endpoint.compute",
                  base + "/v2.1",
                  "network",
                  net.id,
                  "flavor.c5.xlarge",
                  "4x14"));
      try (Controller c = new Controller(provider, WarmPoolConfig.defaults(), cloudResync)) {
        c.addNode("n1", i1);
        Agent agent = new Agent(c, "n1");
        for (int i = 0; i < PODS; i++) {
          agent.startPod();
        }
        Thread.sleep(1000); // the pool settles
        var before = c.counter.snapshot();
        long httpBefore = emu.faults().requestCounts().values().stream().mapToLong(l -> l).sum();
        int writesBefore = agent.writes;
        long t0 = System.nanoTime();
        for (int i = 0; i < CHURNS; i++) {
          agent.stopPod();
          agent.startPod();
        }
        Duration wall = Duration.ofNanos(System.nanoTime() - t0);
        Thread.sleep(1000); // the controller drains its queue
        var after = c.counter.snapshot();
        Map<CloudOperation, Long> calls = delta(before, after);
        long http =
            emu.faults().requestCounts().values().stream().mapToLong(l -> l).sum() - httpBefore;
        return new Churn(
            "OpenStack provider → emulator", label, wall, calls, http, agent.writes - writesBefore);
      } finally {
        provider.close();
      }
    }
  }

  /** Writes NodeENI status the way the agent does: in use, demand, release acknowledgements. */
  static final class Agent {
    final Controller c;
    final String node;
    final Set<String> inUse = new LinkedHashSet<>();
    final Random random = new Random(7);
    int writes;

    Agent(Controller c, String node) {
      this.c = c;
      this.node = node;
    }

    void startPod() throws InterruptedException {
      long deadline = System.nanoTime() + BOUND.toNanos();
      while (true) {
        List<String> free = new ArrayList<>(c.readyIps(node));
        free.removeAll(inUse);
        if (!free.isEmpty()) {
          inUse.add(free.getFirst());
          report(0);
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("no IP for a pod on " + node + " within " + BOUND);
        }
        report(1);
        Thread.sleep(20);
      }
    }

    void stopPod() {
      List<String> pods = new ArrayList<>(inUse);
      inUse.remove(pods.get(random.nextInt(pods.size())));
      report(0);
    }

    private void report(int demand) {
      for (int attempt = 0; ; attempt++) {
        NodeEni n = c.nodeEni(node);
        if (n == null) {
          return; // the controller has not created it yet
        }
        NodeEniStatus s = new NodeEniStatus();
        s.inUse = new ArrayList<>(inUse);
        s.demand = demand;
        Set<String> ack = new LinkedHashSet<>(n.getSpec().releaseIps);
        ack.removeAll(inUse);
        s.releaseReady = new ArrayList<>(ack);
        n.setStatus(s);
        try {
          c.kube.resources(NodeEni.class).resource(n).updateStatus();
          writes++;
          return;
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
          if (e.getCode() != 409 || attempt >= 20) {
            throw e;
          }
        }
      }
    }
  }

  static String report(List<Refill> refills, List<Churn> churns) {
    StringBuilder b = new StringBuilder();
    b.append("# Pool refill and churn: cloud calls\n\n");
    b.append("`make bench` (PoolRefillBench), ")
        .append(java.time.LocalDate.now())
        .append(", ")
        .append(Runtime.getRuntime().availableProcessors())
        .append(
            " cores. The real controller (pool loop, node operations, rate limit 10/s burst 20,")
        .append(" retries) against the API server stand-in; the agent simulated by NodeENI status")
        .append(" writes. Targets: 0 → 100 ready IPs in ≤ 8 cloud calls and ≤ 2 s with 200 ms per")
        .append(" call; ≤ 10 cloud calls per 1000 pod churns.\n\n");
    b.append("## 0 → ")
        .append(TARGET)
        .append(" ready IPs (warmPool.minIps = ")
        .append(TARGET)
        .append(")\n\n");
    b.append("A cloud call is one call of the cloud SPI (`VpcApi`), the unit the rate limit and")
        .append(" retries count and, on AWS-style APIs, one request. The OpenStack provider makes")
        .append(" several HTTP requests for some calls (attach reads the port and the server's")
        .append(" ports and writes the port's tags before it attaches); those are counted apart,")
        .append(" by emulator operation below the table.\n\n");
    b.append("| cloud | instance type | node | wall time | cloud calls | HTTP requests | ENIs |")
        .append(" ready IPs | calls by operation |\n|---|---|---|---|---|---|---|---|---|\n");
    for (Refill r : refills) {
      b.append("| ")
          .append(r.backend())
          .append(" | ")
          .append(r.type())
          .append(" | ")
          .append(r.when())
          .append(" | ")
          .append(String.format("%.2f s", r.wall().toMillis() / 1000.0))
          .append(" | ")
          .append(r.total())
          .append(" | ")
          .append(r.http() == 0 ? "–" : Long.toString(r.http()))
          .append(" | ")
          .append(r.enis())
          .append(" | ")
          .append(r.ips())
          .append(" | ")
          .append(ops(r.calls()))
          .append(" |\n");
    }
    b.append("\nHTTP requests by emulator operation:\n\n");
    for (Refill r : refills) {
      if (!r.httpByOperation().isEmpty()) {
        b.append("- ").append(r.type()).append(", ").append(r.when()).append(": ");
        List<String> parts = new ArrayList<>();
        r.httpByOperation().forEach((op, n) -> parts.add("`" + op + "` " + n));
        b.append(String.join(", ", parts)).append("\n");
      }
    }
    b.append("\n## ")
        .append(CHURNS)
        .append(" pod create/delete churns on a warm node (")
        .append(PODS)
        .append(" pods, default warm pool: warmIps 5, releaseHighWatermark 5)\n\n");
    b.append("| cloud | controller | wall time | status writes | cloud calls | HTTP requests |")
        .append(" calls by operation |\n|---|---|---|---|---|---|---|\n");
    for (Churn c : churns) {
      b.append("| ")
          .append(c.backend())
          .append(" | ")
          .append(c.controller())
          .append(" | ")
          .append(String.format("%.1f s", c.wall().toMillis() / 1000.0))
          .append(" | ")
          .append(c.statusWrites())
          .append(" | ")
          .append(c.total())
          .append(" | ")
          .append(c.http())
          .append(" | ")
          .append(ops(c.calls()))
          .append(" |\n");
    }
    b.append("\nThe agent's IP reuse cooldown is off in the churn run: a cooling IP counts as")
        .append(" held, so with a 180 s cooldown the pool grows with the churn rate, which is what")
        .append(" the cooldown is for.\n");
    return b.toString();
  }

  /** Calls per operation made between two snapshots, operations with none left out. */
  static Map<CloudOperation, Long> delta(
      Map<CloudOperation, Long> before, Map<CloudOperation, Long> after) {
    Map<CloudOperation, Long> out = new java.util.EnumMap<>(CloudOperation.class);
    after.forEach(
        (op, n) -> {
          long d = n - before.getOrDefault(op, 0L);
          if (d > 0) {
            out.put(op, d);
          }
        });
    return out;
  }

  private static String ops(Map<CloudOperation, Long> calls) {
    if (calls.isEmpty()) {
      return "none";
    }
    List<String> parts = new ArrayList<>();
    calls.forEach((op, n) -> parts.add(op.name().toLowerCase(java.util.Locale.ROOT) + " " + n));
    return String.join(", ", parts);
  }
}
