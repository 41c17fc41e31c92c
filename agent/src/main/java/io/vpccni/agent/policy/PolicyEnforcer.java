package io.vpccni.agent.policy;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.vpccni.crd.informers.InformerGroup;
import io.vpccni.crd.informers.OnAnyChange;
import io.vpccni.netaddr.IpAddress;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's NetworkPolicy rules in force: watches policies, namespaces and pods, and after
 * any change (coalesced over {@code debounce}) compiles, renders and applies the whole rule set in
 * one transaction, only when it differs from what is in force.
 *
 * <p>{@link #admit} is the ADD path's gate: it puts a new pod's rules in force before the pod's
 * interface exists, so its first packet already meets them (no default-allow window), and it
 * refuses while the watches have not synced (no guessing, hence no blanket deny either): the
 * runtime retries the ADD. Rules live in the kernel, not in this process: an agent restart leaves
 * them in force until the new agent, once synced, replaces them in one transaction.
 */
public final class PolicyEnforcer implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(PolicyEnforcer.class);

  /**
   * How long the agent coalesces changes before it recomputes: a burst of events (a Deployment
   * scaled, a namespace relabelled) costs one nft transaction, and a single change waits this much.
   */
  public static final Duration AGENT_DEBOUNCE = Duration.ofMillis(50);

  /** A pod of this node as the pool knows it: "namespace/name" and its address. */
  public record LocalPod(String podRef, IpAddress ip) {}

  private final KubernetesClient kube;
  private final Supplier<List<LocalPod>> localPods;
  private final RuleApplier applier;
  private final Duration debounce;
  private final PolicyListener listener;
  private final ScheduledExecutorService worker =
      Executors.newSingleThreadScheduledExecutor(
          r -> Thread.ofPlatform().name("policy").daemon(true).unstarted(r));
  private final InformerGroup informers = new InformerGroup();
  private SharedIndexInformer<NetworkPolicy> policies;
  private SharedIndexInformer<Namespace> namespaces;
  private SharedIndexInformer<Pod> pods;

  /**
   * A run is scheduled and has not read the stores yet, so it will see any change made now. Guarded
   * by {@link #scheduling}, not by {@code this}: a watch event must not wait for an nft run.
   */
  private boolean queued;

  private final Object scheduling = new Object();

  /** Pods read directly at admit because the watch had not brought them yet. */
  private final Map<String, Pod> fetched = new java.util.concurrent.ConcurrentHashMap<>();

  private String inForce;
  private volatile boolean synced;
  private long applies;
  private int policiesKnown;

  /** Replaced whole, under the lock, at the end of every recomputation; read without it. */
  private volatile PolicyState state = PolicyState.INITIAL;

  private final Clock clock = Clock.systemUTC();

  public PolicyEnforcer(
      KubernetesClient kube,
      Supplier<List<LocalPod>> localPods,
      RuleApplier applier,
      Duration debounce) {
    this(kube, localPods, applier, debounce, PolicyListener.NONE);
  }

  /** As above, reporting to {@code listener} (the agent's metrics). */
  public PolicyEnforcer(
      KubernetesClient kube,
      Supplier<List<LocalPod>> localPods,
      RuleApplier applier,
      Duration debounce,
      PolicyListener listener) {
    this.kube = kube;
    this.localPods = localPods;
    this.applier = applier;
    this.debounce = debounce;
    this.listener = listener;
  }

  /** Starts the watches, waits for them to sync (at most {@code timeout}), applies once. */
  public void start(Duration timeout) throws IOException {
    policies =
        informers.add(
            kube.network()
                .v1()
                .networkPolicies()
                .inAnyNamespace()
                .inform(new OnAnyChange<>(this::enforceSoon), 0));
    namespaces = informers.add(kube.namespaces().inform(new OnAnyChange<>(this::enforceSoon), 0));
    pods =
        informers.add(
            kube.pods()
                .inAnyNamespace()
                .inform(
                    new ResourceEventHandler<>() {
                      @Override
                      public void onAdd(Pod p) {
                        enforceSoon();
                      }

                      @Override
                      public void onUpdate(Pod a, Pod b) {
                        enforceSoon();
                      }

                      @Override
                      public void onDelete(Pod p, boolean unknown) {
                        fetched.remove(refOf(p)); // a copy read before the watch had the pod
                        enforceSoon();
                      }
                    },
                    0));
    try {
      for (SharedIndexInformer<?> i : informers.informers()) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!i.hasSynced() || informers.closed()) {
          if (informers.closed()) {
            throw new IOException("NetworkPolicy enforcement closed while starting");
          }
          if (System.nanoTime() > deadline) {
            throw new IOException(
                "failed to start NetworkPolicy enforcement: the watches did not sync within "
                    + timeout);
          }
          Thread.sleep(20);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while starting NetworkPolicy enforcement", e);
    }
    synced = true;
    enforce(Optional.empty());
  }

  /**
   * Puts the rules of a pod about to be wired in force, with the pod as one of this node's pods.
   *
   * @throws IOException when they cannot be (not synced yet, the pod unknown to the API, nft
   *     failed), naming why; the caller fails the ADD and changes nothing
   */
  public void admit(String podRef, IpAddress ip) throws IOException {
    admit(podRef, ip, null);
  }

  /**
   * As {@link #admit(String, IpAddress)}, with the pod as the ADD already read it from the API (or
   * null): used when the watch has not delivered the pod yet, instead of reading it a second time.
   */
  public void admit(String podRef, IpAddress ip, Pod readByAdd) throws IOException {
    long t0 = System.nanoTime();
    PolicyListener.Refusal reason = PolicyListener.Refusal.NOT_SYNCED; // of a failure from here on
    try {
      if (!synced) {
        throw new IOException(
            "NetworkPolicy is not in force yet on this node (the agent is still syncing its"
                + " watches); the pod cannot start before its policy does");
      }
      if (pod(podRef).isEmpty() && readByAdd != null && podRef.equals(refOf(readByAdd))) {
        fetched.put(podRef, readByAdd); // the watch will catch up; the gate must not wait for it
      }
      if (pod(podRef).isEmpty()) {
        reason = PolicyListener.Refusal.API_ERROR;
        int slash = podRef.indexOf('/');
        Pod p =
            slash < 0
                ? null
                : kube.pods()
                    .inNamespace(podRef.substring(0, slash))
                    .withName(podRef.substring(slash + 1))
                    .get();
        if (p == null) {
          reason = PolicyListener.Refusal.POD_UNKNOWN;
          throw new IOException(
              "pod "
                  + podRef
                  + " is unknown to the API server, so its NetworkPolicy cannot be computed");
        }
        fetched.put(podRef, p); // the watch will catch up; the gate must not wait for it
      }
      reason = PolicyListener.Refusal.APPLY_FAILED;
      enforce(Optional.of(new LocalPod(podRef, ip)));
    } catch (IOException | RuntimeException e) {
      listener.admitRefused(reason, System.nanoTime() - t0);
      throw e;
    }
    listener.admitted(System.nanoTime() - t0);
  }

  /**
   * Recomputes soon (a pod went away, a watch fired): coalesces bursts. A change is skipped only
   * when a queued run has not started yet (that run reads the stores after it); a change that comes
   * while a run is computing or applying queues the next run, so no change is lost.
   */
  public void enforceSoon() {
    synchronized (scheduling) {
      if (!synced || queued || informers.closed()) {
        return;
      }
      queued = true;
      // under the lock that close() takes too: the worker is never asked after its shutdown
      worker.schedule(this::runQueued, debounce.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void runQueued() {
    synchronized (scheduling) {
      queued = false; // from here on a change queues another run
    }
    try {
      enforce(Optional.empty());
    } catch (IOException | RuntimeException e) {
      logger.error("failed to apply NetworkPolicy rules, retrying: {}", e.getMessage());
      synchronized (scheduling) {
        if (!informers.closed()) {
          worker.schedule(this::enforceSoon, 1, TimeUnit.SECONDS);
        }
      }
    }
  }

  /** Recomputes and applies; publishes the outcome as {@link #state()}, failure included. */
  private synchronized void enforce(Optional<LocalPod> extra) throws IOException {
    try {
      recompute(extra);
    } catch (IOException | RuntimeException e) {
      PolicyState s = state; // its pods are still the rules in force: nft applies all or nothing
      state =
          new PolicyState(
              synced,
              policiesKnown,
              applies,
              s.lastApply(),
              s.lastApplyMillis(),
              Optional.of(e.getMessage() != null ? e.getMessage() : e.toString()),
              Optional.of(clock.instant()),
              s.pods());
      throw e;
    }
  }

  private void recompute(Optional<LocalPod> extra) throws IOException {
    Map<String, Map<String, String>> nsLabels = new HashMap<>();
    for (Namespace n : namespaces.getStore().list()) {
      nsLabels.put(n.getMetadata().getName(), labels(n.getMetadata().getLabels()));
    }
    List<PolicyPod> all = new ArrayList<>();
    Map<String, PolicyPod> byRef = new LinkedHashMap<>();
    List<Pod> known = new ArrayList<>(pods.getStore().list());
    fetched.keySet().removeIf(ref -> pods.getStore().getByKey(ref) != null);
    known.addAll(fetched.values());
    for (Pod p : known) {
      PolicyPod pp = toPolicyPod(p, podIp(p));
      all.add(pp);
      byRef.put(pp.key(), pp);
    }
    // one entry per address: the pod being admitted is usually in the pool's list already
    Map<IpAddress, LocalPod> byIp = new LinkedHashMap<>();
    localPods.get().forEach(l -> byIp.put(l.ip(), l));
    extra.ifPresent(l -> byIp.put(l.ip(), l));
    List<LocalPod> locals = new ArrayList<>(byIp.values());
    List<PolicyPod> local = new ArrayList<>();
    for (LocalPod l : locals) {
      PolicyPod found = byRef.get(l.podRef());
      if (found == null) {
        continue; // gone from the API: it has no labels any policy could select
      }
      PolicyPod withIp =
          new PolicyPod(
              found.namespace(), found.name(), Optional.of(l.ip()), found.labels(), found.ports());
      local.add(withIp);
      // the pool knows the address before the API does: peers see it at once
      all.remove(found);
      all.add(withIp);
    }
    List<NetworkPolicy> inStore = policies.getStore().list();
    policiesKnown = inStore.size();
    var result = PolicyCompiler.compile(inStore, nsLabels, all, local);
    result.errors().forEach(e -> logger.warn("NetworkPolicy ignored in part: {}", e));
    String script = NftRenderer.render(result.pods());
    listener.computed(
        inStore.size(),
        (int)
            result.pods().stream()
                .filter(r -> r.ingress().isolated() || r.egress().isolated())
                .count());
    List<PolicyState.Pod> podStates = result.pods().stream().map(PolicyState.Pod::of).toList();
    if (script.equals(inForce)) {
      listener.unchanged();
      PolicyState s = state;
      state =
          new PolicyState(
              synced,
              inStore.size(),
              applies,
              s.lastApply(),
              s.lastApplyMillis(),
              Optional.empty(),
              Optional.empty(),
              podStates);
      return;
    }
    long t0 = System.nanoTime();
    try {
      applier.apply(script);
    } catch (IOException | RuntimeException e) {
      listener.applied(false, System.nanoTime() - t0);
      throw e;
    }
    long nanos = System.nanoTime() - t0;
    listener.applied(true, nanos);
    inForce = script;
    applies++;
    state =
        new PolicyState(
            synced,
            inStore.size(),
            applies,
            Optional.of(clock.instant()),
            nanos / 1_000_000,
            Optional.empty(),
            Optional.empty(),
            podStates);
    logger.info(
        "NetworkPolicy rules applied for {} local pods ({} policies) in {} ms",
        local.size(),
        inStore.size(),
        nanos / 1_000_000);
  }

  /** How many rule sets were applied (each a transaction), for tests and metrics. */
  public synchronized long applies() {
    return applies;
  }

  /**
   * What is in force, as of the end of the last recomputation: one consistent value, safe to read
   * from any thread without waiting for a recomputation in progress.
   */
  public PolicyState state() {
    return state;
  }

  /** Pods known only from a read outside the watch (ADDs that came before the watch had them). */
  int podsKnownOutsideTheWatch() {
    return fetched.size();
  }

  private Optional<Pod> pod(String podRef) {
    return Optional.ofNullable(pods.getStore().getByKey(podRef))
        .or(() -> Optional.ofNullable(fetched.get(podRef)));
  }

  private static String refOf(Pod p) {
    return p.getMetadata() == null
        ? ""
        : p.getMetadata().getNamespace() + "/" + p.getMetadata().getName();
  }

  private static Optional<IpAddress> podIp(Pod p) {
    if (p.getStatus() == null || p.getStatus().getPodIP() == null) {
      return Optional.empty();
    }
    if (p.getSpec() != null && Boolean.TRUE.equals(p.getSpec().getHostNetwork())) {
      return Optional.empty(); // the node's address, not a pod's: never a pod peer
    }
    try {
      IpAddress ip = IpAddress.parse(p.getStatus().getPodIP());
      return ip.isV4() ? Optional.of(ip) : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static PolicyPod toPolicyPod(Pod p, Optional<IpAddress> ip) {
    List<PolicyPod.NamedPort> ports = new ArrayList<>();
    if (p.getSpec() != null && p.getSpec().getContainers() != null) {
      for (var c : p.getSpec().getContainers()) {
        for (ContainerPort cp : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
          var proto = Protocol.parse(cp.getProtocol());
          if (cp.getName() != null && cp.getContainerPort() != null && proto.isPresent()) {
            ports.add(new PolicyPod.NamedPort(cp.getName(), proto.get(), cp.getContainerPort()));
          }
        }
      }
    }
    return new PolicyPod(
        p.getMetadata().getNamespace(),
        p.getMetadata().getName(),
        ip,
        labels(p.getMetadata().getLabels()),
        ports);
  }

  private static Map<String, String> labels(Map<String, String> l) {
    return l == null ? Map.of() : l;
  }

  @Override
  public void close() {
    informers.close(); // not under the lock: a watch callback may be waiting for it
    synchronized (scheduling) {
      worker.shutdownNow(); // after this nothing schedules: enforceSoon sees the group closed
    }
  }
}
