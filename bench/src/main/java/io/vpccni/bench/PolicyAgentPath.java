package io.vpccni.bench;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.vpccni.agent.policy.Nft;
import io.vpccni.agent.policy.PolicyEnforcer;
import io.vpccni.agent.policy.PolicyListener;
import io.vpccni.cli.local.ApiServerStandIn;
import io.vpccni.netaddr.IpAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent's whole NetworkPolicy path, API write → rules in force: the agent's real {@link
 * PolicyEnforcer} with the real fabric8 client, watching the API server stand-in (fabric8's mock
 * server in CRUD mode, which serves real watches), applying with nft in the node namespace. A
 * change is written to the API and {@link VerdictProbe} times, with real packets from the client
 * pod's namespace to the server pod's, the moment the verdict flips; the enforcer's {@link
 * PolicyListener} and a second watch of the bench's own say where the time went.
 *
 * <p>Over 400 lines: the cluster's setup, the four kinds of change, the enforcer's reports and the
 * report's section share one set of objects; the packets are {@link VerdictProbe}'s.
 */
final class PolicyAgentPath {
  /** The agent's setting. */
  static final Duration DEBOUNCE = PolicyEnforcer.AGENT_DEBOUNCE;

  static final int WARMUP = 2;
  static final int REPS = 10;
  static final int PROBE_PORT = 7000;
  static final String NS = "prod";

  /** One kind of change at one size: ms after the write started. */
  record Row(
      String change, int policies, Stats flip, double watchMs, double computedMs, double nftMs) {}

  private record Sample(long flip, long watch, long computed, long nft) {}

  private record Seen(long at, String key) {}

  /** The enforcer's reports, with when they came. */
  private static final class Recorder implements PolicyListener {
    record Event(long at, String kind, long nanos) {}

    final List<Event> events = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void computed(int policies, int selectedLocalPods) {
      events.add(new Event(System.nanoTime(), "computed", 0));
    }

    @Override
    public void unchanged() {
      events.add(new Event(System.nanoTime(), "unchanged", 0));
    }

    @Override
    public void applied(boolean ok, long nanos) {
      events.add(new Event(System.nanoTime(), ok ? "applied" : "failed", nanos));
    }

    List<Event> since(long t0) {
      synchronized (events) {
        return events.stream().filter(e -> e.at() >= t0).toList();
      }
    }

    long last() {
      synchronized (events) {
        return events.isEmpty() ? 0 : events.getLast().at();
      }
    }
  }

  private final KubernetesClient kube;
  private final PolicyEnforcer enforcer;
  private final Recorder recorder;
  private final VerdictProbe probe;
  private final List<Seen> seen;
  private final ExecutorService prober =
      Executors.newSingleThreadExecutor(
          r -> Thread.ofPlatform().name("prober").daemon(true).unstarted(r));
  private final KubernetesSerialization yaml = new KubernetesSerialization();

  private PolicyAgentPath(
      KubernetesClient kube,
      PolicyEnforcer enforcer,
      Recorder recorder,
      VerdictProbe probe,
      List<Seen> seen) {
    this.kube = kube;
    this.enforcer = enforcer;
    this.recorder = recorder;
    this.probe = probe;
    this.seen = seen;
  }

  /**
   * Runs every size; the server pod is 10.0.1.10 in {@code server}, the client 10.0.1.12 in {@code
   * client}, both local pods of the node whose rules {@code nft} applies.
   */
  static List<Row> measure(Nft nft, String server, String client, int[] sizes) throws Exception {
    List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
    List<Row> rows = new ArrayList<>();
    ApiServerStandIn.quietRequestLog();
    try (ApiServerStandIn api = ApiServerStandIn.start(0);
        KubernetesClient kube = api.client()) {
      kube.namespaces()
          .resource(
              new NamespaceBuilder()
                  .withNewMetadata()
                  .withName(NS)
                  .addToLabels("env", "prod")
                  .endMetadata()
                  .build())
          .create();
      createPod(kube, "web", "10.0.1.10", Map.of("app", "web"));
      createPod(kube, "client", "10.0.1.12", Map.of("app", "client"));
      for (int i = 0; i < PolicyBench.OTHER_PODS; i++) {
        createPod(
            kube,
            "other-" + i,
            IpAddress.ofV4(0x0a020000 + i + 1).toString(),
            Map.of("g100", "g" + (i % 100), "g1000", "g" + (i % 1000)));
      }
      Recorder recorder = new Recorder();
      List<PolicyEnforcer.LocalPod> local =
          List.of(
              new PolicyEnforcer.LocalPod(NS + "/web", IpAddress.parse("10.0.1.10")),
              new PolicyEnforcer.LocalPod(NS + "/client", IpAddress.parse("10.0.1.12")));
      try (PolicyEnforcer enforcer =
              new PolicyEnforcer(kube, () -> local, nft, DEBOUNCE, recorder);
          Watch policyWatch =
              kube.network()
                  .v1()
                  .networkPolicies()
                  .inNamespace(NS)
                  .watch(recording(seen, "policy"));
          Watch podWatch = kube.pods().inNamespace(NS).watch(recording(seen, "pod"));
          VerdictProbe probe =
              new VerdictProbe(server, client, new InetSocketAddress("10.0.1.10", PROBE_PORT))) {
        enforcer.start(Duration.ofSeconds(60));
        PolicyAgentPath path = new PolicyAgentPath(kube, enforcer, recorder, probe, seen);
        try {
          for (int n : sizes) {
            rows.addAll(path.size(n));
          }
        } finally {
          path.prober.shutdownNow();
        }
      }
    }
    return rows;
  }

  private static <T extends io.fabric8.kubernetes.api.model.HasMetadata> Watcher<T> recording(
      List<Seen> seen, String kind) {
    return new Watcher<>() {
      @Override
      public void eventReceived(Action action, T o) {
        seen.add(new Seen(System.nanoTime(), kind + "/" + o.getMetadata().getName()));
      }

      @Override
      public void onClose(WatcherException cause) {}
    };
  }

  private static void createPod(
      KubernetesClient kube, String name, String ip, Map<String, String> labels) {
    Pod p =
        new PodBuilder()
            .withNewMetadata()
            .withNamespace(NS)
            .withName(name)
            .withLabels(labels)
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("c")
            .withImage("x")
            .endContainer()
            .endSpec()
            .withStatus(new PodStatusBuilder().withPodIP(ip).build())
            .build();
    Pod created = kube.pods().resource(p).create();
    if (created.getStatus() == null || !ip.equals(created.getStatus().getPodIP())) {
      created.setStatus(p.getStatus());
      kube.pods().resource(created).updateStatus();
    }
  }

  /**
   * {@code n} policies select the server as in {@link PolicyBench#measure}, plus (n > 0) one
   * admitting the client on the probe's port; then: a policy that denies the client's egress is
   * created and deleted, and the client is labelled and unlabelled for a standing policy that
   * denies egress of pods so labelled.
   */
  private List<Row> size(int n) throws Exception {
    kube.network().v1().networkPolicies().inNamespace(NS).delete();
    for (int i = 0; i < n; i++) {
      create(
          "metadata: {name: p"
              + i
              + "}\nspec:\n  podSelector: {matchLabels: {app: web}}\n"
              + "  ingress:\n  - from: [{podSelector: {matchLabels: {g"
              + n
              + ": g"
              + i
              + "}}}]\n    ports: [{port: "
              + (8000 + i)
              + "}]");
    }
    if (n > 0) {
      create(
          "metadata: {name: probe}\nspec:\n  podSelector: {matchLabels: {app: web}}\n"
              + "  ingress:\n  - from: [{podSelector: {matchLabels: {app: client}}}]\n"
              + "    ports: [{port: "
              + PROBE_PORT
              + "}]");
    }
    int policies = n + (n > 0 ? 1 : 0);
    settle(policies);
    String seal =
        "metadata: {name: seal}\nspec:\n  podSelector: {matchLabels: {app: client}}\n"
            + "  policyTypes: [Egress]";
    List<Sample> created = new ArrayList<>();
    List<Sample> deleted = new ArrayList<>();
    for (int r = 0; r < WARMUP + REPS; r++) {
      Sample c = sample(false, "policy/seal", () -> () -> create(seal));
      Sample d =
          sample(
              true,
              "policy/seal",
              () ->
                  () ->
                      kube.network()
                          .v1()
                          .networkPolicies()
                          .inNamespace(NS)
                          .withName("seal")
                          .delete());
      if (r >= WARMUP) {
        created.add(c);
        deleted.add(d);
      }
    }
    create(
        "metadata: {name: sealed}\nspec:\n  podSelector: {matchLabels: {sealed: \"yes\"}}\n"
            + "  policyTypes: [Egress]");
    settle(policies + 1);
    List<Sample> labelled = new ArrayList<>();
    List<Sample> unlabelled = new ArrayList<>();
    for (int r = 0; r < WARMUP + REPS; r++) {
      Sample l = sample(false, "pod/client", () -> labelWrite("yes"));
      Sample u = sample(true, "pod/client", () -> labelWrite(null));
      if (r >= WARMUP) {
        labelled.add(l);
        unlabelled.add(u);
      }
    }
    return List.of(
        row("policy created: client's egress denied", n, created),
        row("that policy deleted", n, deleted),
        row("pod labelled: a policy selects the client", n, labelled),
        row("label removed: the policy deselects it", n, unlabelled));
  }

  private void create(String yamlBody) {
    kube.resource(
            yaml.unmarshal(
                "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
                    + yamlBody.replace(
                        "metadata: {name: ", "metadata: {namespace: " + NS + ", name: "),
                NetworkPolicy.class))
        .create();
  }

  /** Reads the client pod first, so that the timed write is the update alone. */
  private Runnable labelWrite(String value) {
    Pod p = kube.pods().inNamespace(NS).withName("client").get();
    Map<String, String> labels = new HashMap<>(p.getMetadata().getLabels());
    if (value == null) {
      labels.remove("sealed");
    } else {
      labels.put("sealed", value);
    }
    p.getMetadata().setLabels(labels);
    return () -> kube.pods().resource(p).update();
  }

  /** Writes, then waits for the verdict to become {@code passes} and for the enforcer's report. */
  private Sample sample(boolean passes, String watchKey, Write prepare) throws Exception {
    Runnable write = prepare.prepare();
    AtomicLong since = new AtomicLong(Long.MAX_VALUE);
    CountDownLatch started = new CountDownLatch(1);
    Future<Long> flip =
        prober.submit(() -> probe.awaitVerdict(passes, since, started, Duration.ofSeconds(10)));
    if (!started.await(5, TimeUnit.SECONDS)) {
      throw new IOException("failed to start probing: no attempt within 5 s");
    }
    long t0 = System.nanoTime();
    since.set(t0);
    write.run();
    long flipAt = flip.get(15, TimeUnit.SECONDS);
    // the enforcer's report of this change: the first transaction after the write
    Recorder.Event applied = null;
    Recorder.Event computed = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (applied == null && System.nanoTime() < deadline) {
      for (Recorder.Event e : recorder.since(t0)) {
        if (e.kind().equals("computed")) {
          computed = e;
        } else if (e.kind().equals("applied") || e.kind().equals("failed")) {
          applied = e;
          break;
        }
      }
      if (applied == null) {
        Thread.sleep(5);
      }
    }
    if (applied == null || computed == null || !applied.kind().equals("applied")) {
      throw new IOException("failed to see the enforcer apply the change within 10 s: " + applied);
    }
    long watchAt = -1;
    synchronized (seen) {
      for (Seen s : seen) {
        if (s.at() >= t0 && s.key().equals(watchKey)) {
          watchAt = s.at();
          break;
        }
      }
    }
    settleQuiet();
    return new Sample(
        flipAt - t0, watchAt < 0 ? -1 : watchAt - t0, computed.at() - t0, applied.nanos());
  }

  /** A write, prepared (reads done) before the clock starts. */
  @FunctionalInterface
  private interface Write {
    Runnable prepare() throws Exception;
  }

  /** Until the enforcer knows {@code policies} and has been quiet a while, at most 2 minutes. */
  private void settle(int policies) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (enforcer.state().policies() != policies || enforcer.state().lastError().isPresent()) {
      if (System.nanoTime() > deadline) {
        throw new IOException(
            "failed to settle: the enforcer knows "
                + enforcer.state().policies()
                + " policies, not "
                + policies
                + "; "
                + enforcer.state().lastError().orElse(""));
      }
      Thread.sleep(50);
    }
    settleQuiet();
  }

  /** Until the enforcer has reported nothing for 300 ms (at most 30 s). */
  private void settleQuiet() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() - recorder.last() < TimeUnit.MILLISECONDS.toNanos(300)
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  private static Row row(String change, int n, List<Sample> samples) {
    return new Row(
        change,
        n,
        Stats.of(samples.stream().map(Sample::flip).toList()),
        medianMs(samples.stream().map(Sample::watch).toList()),
        medianMs(samples.stream().map(Sample::computed).toList()),
        medianMs(samples.stream().map(Sample::nft).toList()));
  }

  private static double medianMs(List<Long> nanos) {
    return Stats.median(nanos.stream().mapToLong(Long::longValue).toArray()) / 1e6;
  }

  /** The report's section: method, table, and where the time went. */
  static String report(List<Row> rows) {
    StringBuilder b = new StringBuilder();
    b.append("\n## The agent's path: API write → rules in force\n\n");
    b.append(
        String.format(
            "The agent's `PolicyEnforcer` (debounce %d ms, the agent's setting) with the real"
                + " fabric8 client watching the API server stand-in (fabric8's mock server in CRUD"
                + " mode on loopback, as `ApiServerStandIn`: real watches, no kube-apiserver), the"
                + " same %d other pods as peers, the server and client pods as this node's pods, and"
                + " nft in the node namespace. A change is written to the API; from the client pod's"
                + " namespace a new TCP connection to the server pod starts every %d ms (each"
                + " abandoned after %d ms, before any SYN retransmission), and the time is the start"
                + " of the first attempt, after the write began, with the new verdict (the next one"
                + " agreeing). The policies are those of the table above (N, plus one admitting the"
                + " client on the probe's port when N > 0); the pod rows add one standing policy"
                + " denying egress of pods labelled `sealed=yes`. %d changes of each kind per size"
                + " after %d unmeasured; every change is a full recompute and one nft transaction."
                + " Beside the verdict, medians of: the same change seen by a second watch of the"
                + " bench's own, the enforcer's `PolicyListener.computed` (rules rendered:"
                + " debounce + compile + render), and its `applied` duration (the nft"
                + " transaction).%n%n",
            DEBOUNCE.toMillis(),
            PolicyBench.OTHER_PODS,
            VerdictProbe.INTERVAL_NANOS / 1_000_000,
            VerdictProbe.TIMEOUT_NANOS / 1_000_000,
            REPS,
            WARMUP));
    b.append(
        "| change written to the API | policies | watch event (ms) | rules computed (ms) | nft"
            + " transaction (ms) | verdict flips p50 (ms) | p90 | max |\n");
    b.append("|---|---|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      b.append(
          String.format(
              "| %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |%n",
              r.change(),
              r.policies(),
              r.watchMs(),
              r.computedMs(),
              r.nftMs(),
              r.flip().p50(),
              r.flip().p90(),
              r.flip().max()));
    }
    b.append("\nWhere the median time of a policy created went:");
    String sep = " ";
    for (Row r : rows) {
      if (r.change().startsWith("policy created")) {
        double compute = r.computedMs() - r.watchMs() - DEBOUNCE.toMillis();
        b.append(
            String.format(
                "%s%d policies: %.1f ms to the watch event, %d ms debounce, %.1f ms compile +"
                    + " render (and reading the stores, scheduling), %.1f ms nft; the verdict"
                    + " flipped at %.1f ms (rules computed + nft = %.1f ms: nft commits before its"
                    + " process ends)",
                sep,
                r.policies(),
                r.watchMs(),
                DEBOUNCE.toMillis(),
                compute,
                r.nftMs(),
                r.flip().p50(),
                r.computedMs() + r.nftMs()));
        sep = "; ";
      }
    }
    b.append(
        ". Every change, of a policy or of a pod's labels, is a full recompute and one transaction"
            + " of the whole rule set, so the four kinds cost about the same at one size: a fixed"
            + " part (watch delivery and the debounce) and a part that grows with the policies and"
            + " peers (compile, render, nft). The watch here is the stand-in's on loopback; a"
            + " kube-apiserver adds its own write and watch-cache latency, not measured here.\n");
    return b.toString();
  }
}
