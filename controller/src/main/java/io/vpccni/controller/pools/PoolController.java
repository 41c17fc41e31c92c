package io.vpccni.controller.pools;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.vpccni.controller.plan.NodePoolState;
import io.vpccni.controller.plan.PoolPlan;
import io.vpccni.controller.plan.PoolPlanner;
import io.vpccni.controller.plan.WarmPoolConfig;
import io.vpccni.crd.NodeEni;
import io.vpccni.crd.NodeEniSpec;
import io.vpccni.crd.NodeEniStatus;
import io.vpccni.crd.SubnetPool;
import io.vpccni.crd.events.EventRecorder;
import io.vpccni.crd.informers.InformerGroup;
import io.vpccni.netaddr.IpAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Keeps every node's pool at its warm-pool target. One worker drains a de-duplicated queue of node
 * names, fed by Node and NodeENI events and a periodic resync; each sync of a node:
 *
 * <ol>
 *   <li>finishes releases the agent acknowledged ({@code status.releaseReady}): unassigns those
 *       IPs, deletes ENIs marked Detaching once all their IPs are released, and cancels the release
 *       of any IP a pod took meanwhile;
 *   <li>plans from the cloud's view of the ENIs and the agent's status ({@link PoolPlanner}), once
 *       per pool (the default pool, then each SubnetPool the node's ENIs or demand name), the pools
 *       sharing the node's ENI slots; logs each plan whole, and applies it: assigns and
 *       create-attach at once, a SubnetPool's ENIs in its subnet with the most free addresses; IPs
 *       and ENIs to give back only enter the release handshake ({@code spec.releaseIps}, ENI state
 *       Detaching);
 *   <li>writes the spec from the cloud's view, with the reasons a pool is short ({@code
 *       spec.conditions}: plan limits, cloud failures, ENIs attaching; {@link PoolConditions}),
 *       only when it differs from what is there; posts those reasons as Events on the Node while
 *       pods wait.
 * </ol>
 *
 * The cloud's view is a {@link CloudRecord} per node: listed once, then kept from the results of
 * the controller's own calls and listed again every {@code cloudResync}, after a failed call, or
 * while an ENI is attaching. A sync that changes nothing (most of them: pods come and go within the
 * warm pool) makes no cloud call at all.
 *
 * <p>A node that is gone from the API gets its ENIs deleted and its NodeENI removed.
 */
public final class PoolController implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(PoolController.class);

  private final KubernetesClient kube;
  private final NodeOperations ops;
  private final WarmPoolConfig warm;
  private final PoolPlanner planner = new PoolPlanner();
  private final Clock clock;
  private final Duration resync;
  private final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
  private final Set<String> queued = ConcurrentHashMap.newKeySet();
  private final Map<String, Instant> excessSince = new ConcurrentHashMap<>();
  private final Map<String, CloudRecord> records = new ConcurrentHashMap<>();
  private final Duration cloudResync;
  private final PoolListener listener;
  private final EventRecorder nodeEvents;

  /** The least time between two writes of one Event series on a Node. */
  static final Duration NODE_EVENT_INTERVAL = Duration.ofMinutes(1);

  /** How long an ENI we created is kept in the record while a listing does not show it yet. */
  static final Duration VISIBILITY_GRACE = Duration.ofSeconds(60);

  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> Thread.ofPlatform().name("pool-resync").daemon(true).unstarted(r));
  private final InformerGroup informers = new InformerGroup();
  private volatile Thread worker;
  private volatile boolean stopped;
  // SubnetPools as watched (null before start, or without the CRD: then each sync reads them)
  private volatile SharedIndexInformer<SubnetPool> subnetPools;

  public PoolController(
      KubernetesClient kube,
      NodeOperations ops,
      WarmPoolConfig warm,
      Clock clock,
      Duration resync,
      Duration cloudResync) {
    this(kube, ops, warm, clock, resync, cloudResync, PoolListener.NONE);
  }

  public PoolController(
      KubernetesClient kube,
      NodeOperations ops,
      WarmPoolConfig warm,
      Clock clock,
      Duration resync,
      Duration cloudResync,
      PoolListener listener) {
    this.kube = kube;
    this.cloudResync = cloudResync;
    this.listener = listener;
    this.ops = ops;
    this.warm = warm;
    this.clock = clock;
    this.resync = resync;
    this.nodeEvents = new EventRecorder(kube, "vpc-cni-controller", "", clock, NODE_EVENT_INTERVAL);
  }

  /**
   * Starts the watches, the worker and the resync. Runs on the leader-election thread, so {@link
   * #close()} (SIGTERM, a lost lease) may come at any point of it: what starts after the close is
   * stopped at once and the worker never starts.
   */
  public void start() {
    informers.add(kube.nodes().inform(handler(Node::getMetadata)));
    informers.add(kube.resources(NodeEni.class).inform(handler(NodeEni::getMetadata)));
    try {
      subnetPools = informers.add(kube.resources(SubnetPool.class).inform(subnetPoolHandler()));
    } catch (KubernetesClientException e) {
      logger.warn(
          "cannot watch SubnetPools ({}); reading them on each sync instead", e.getMessage());
    }
    synchronized (this) {
      if (stopped) {
        return;
      }
      worker = Thread.ofPlatform().name("pool-worker").daemon(true).start(this::work);
      timer.scheduleWithFixedDelay(
          this::enqueueAll, resync.toMillis(), resync.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** Whether any of its watches runs (tests: none may after {@link #close()}). */
  boolean watching() {
    return informers.informers().stream().anyMatch(SharedIndexInformer::isRunning);
  }

  private <T> ResourceEventHandler<T> handler(
      java.util.function.Function<T, io.fabric8.kubernetes.api.model.ObjectMeta> meta) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        enqueue(meta.apply(obj).getName());
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        enqueue(meta.apply(newObj).getName());
      }

      @Override
      public void onDelete(T obj, boolean unknown) {
        enqueue(meta.apply(obj).getName());
      }
    };
  }

  /** A SubnetPool added, deleted or with a new spec may change any node's plan: sync them all. */
  private ResourceEventHandler<SubnetPool> subnetPoolHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(SubnetPool p) {
        resyncSoon();
      }

      @Override
      public void onUpdate(SubnetPool before, SubnetPool after) {
        var json = kube.getKubernetesSerialization();
        if (!json.asJson(before.getSpec()).equals(json.asJson(after.getSpec()))) {
          resyncSoon(); // not on our own status writes
        }
      }

      @Override
      public void onDelete(SubnetPool p, boolean unknown) {
        resyncSoon();
      }
    };
  }

  private void resyncSoon() {
    try {
      if (!stopped) {
        timer.execute(this::enqueueAll);
      }
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closing
    }
  }

  /** The SubnetPool named, from the watch once started, else read; null if there is none. */
  SubnetPool subnetPool(String name) {
    SharedIndexInformer<SubnetPool> watched = subnetPools;
    if (watched != null) {
      return watched.getStore().getByKey(name);
    }
    return kube.resources(SubnetPool.class).withName(name).get();
  }

  public void enqueue(String node) {
    if (queued.add(node)) {
      queue.add(node);
    }
  }

  /**
   * Every node and NodeENI name, from the watches' caches (a resync costs the API server nothing;
   * each sync still reads its node and NodeENI fresh).
   */
  private void enqueueAll() {
    informers
        .informers()
        .forEach(
            i -> {
              if (i != subnetPools) {
                i.getStore()
                    .listKeys()
                    .forEach(this::enqueue); // cluster-scoped: the key is the name
              }
            });
  }

  private void work() {
    while (!stopped) {
      String node;
      try {
        node = queue.poll(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (node == null) {
        continue;
      }
      queued.remove(node);
      MDC.put("node", node);
      long start = System.nanoTime();
      try {
        sync(node);
        listener.synced(node, true, System.nanoTime() - start);
      } catch (RuntimeException e) {
        listener.synced(node, false, System.nanoTime() - start);
        logger.warn("sync of node {} failed, retrying in 2 s: {}", node, e.toString());
        timer.schedule(() -> enqueue(node), 2, TimeUnit.SECONDS);
      } finally {
        MDC.remove("node");
      }
    }
  }

  /** One reconciliation of one node. Public for tests. */
  public synchronized void sync(String name) {
    Node node = kube.nodes().withName(name).get();
    NodeEni ne = kube.resources(NodeEni.class).withName(name).get();
    if (node == null) {
      nodeGone(name, ne);
      return;
    }
    Optional<NodeOperations.Instance> inst = ops.instance(name);
    if (inst.isEmpty()) {
      logger.warn("node {} has no instance in the cloud; skipping", name);
      return;
    }
    if (ne == null) {
      ne = create(name, inst.get());
    }
    CloudRecord record =
        records.computeIfAbsent(
            name, n -> new CloudRecord(() -> ops.enis(n), clock, cloudResync, VISIBILITY_GRACE));
    listener.nodes(records.size());
    try {
      evented.clear();
      reconcile(node, ne, inst.get(), record);
    } catch (RuntimeException e) {
      record.invalidate(); // a call failed: what it did is unknown until the cloud is listed
      throw e;
    }
    if (record.needsListing()) {
      // an ENI is still attaching: look again soon rather than at the next resync
      timer.schedule(() -> enqueue(name), 1, TimeUnit.SECONDS);
    }
  }

  private void reconcile(Node node, NodeEni ne, NodeOperations.Instance inst, CloudRecord record) {
    String name = node.getMetadata().getName();
    NodeEniSpec spec = ne.getSpec();
    NodeEniStatus status = ne.getStatus() == null ? new NodeEniStatus() : ne.getStatus();
    Set<String> detaching = new HashSet<>();
    spec.enis.stream().filter(e -> "Detaching".equals(e.state)).forEach(e -> detaching.add(e.id));
    Set<String> releasing = new LinkedHashSet<>(spec.releaseIps);

    // 1. finish acknowledged releases
    Set<String> ready = new HashSet<>(status.releaseReady);
    ready.retainAll(releasing);
    List<NodeEniSpec.Eni> cloud = record.enis();
    for (NodeEniSpec.Eni e : cloud) {
      List<String> acked = e.ips.stream().filter(ready::contains).toList();
      if (detaching.contains(e.id) && ready.containsAll(e.ips)) {
        logger.info("deleting ENI {} of node {}: all its IPs released", e.id, name);
        ops.deleteEni(name, e.id);
        listener.eniDeleted(name);
        record.deleted(e.id);
        releasing.removeAll(e.ips);
        detaching.remove(e.id);
      } else if (!acked.isEmpty() && !detaching.contains(e.id)) {
        ops.unassignIps(name, e.id, acked.stream().map(IpAddress::parse).toList());
        record.unassigned(e.id, acked);
        listener.ipsUnassigned(name, acked.size());
        releasing.removeAll(acked);
      }
    }
    releasing.removeAll(status.inUse); // a pod took it before the agent saw the request: keep it
    releasing.removeAll(status.reserved); // a fixed IP (IPReservation): only a move takes it
    cloud = record.enis();

    // 2. plan and apply, one pool at a time (the default pool first), sharing the node's ENI slots
    Set<IpAddress> inUse = parse(status.inUse);
    Set<IpAddress> cooling = parse(status.cooling);
    cooling.addAll(parse(status.reserved)); // held like a cooling IP: never excess
    Map<String, List<NodePoolState.Eni>> byPool = new java.util.TreeMap<>();
    byPool.put(SubnetPool.DEFAULT_POOL, new ArrayList<>());
    Set<Integer> usedIndexes = new HashSet<>();
    for (NodeEniSpec.Eni e : cloud) {
      if (detaching.contains(e.id)) {
        continue;
      }
      List<IpAddress> ips =
          e.ips.stream().filter(ip -> !releasing.contains(ip)).map(IpAddress::parse).toList();
      byPool
          .computeIfAbsent(poolOf(e), k -> new ArrayList<>())
          .add(new NodePoolState.Eni(e.id, e.deviceIndex, ips, "Attached".equals(e.state)));
      usedIndexes.add(e.deviceIndex);
    }
    Map<String, Integer> demand = demandByPool(status);
    demand.forEach((p, d) -> byPool.computeIfAbsent(p, k -> new ArrayList<>()));
    int freeSlots = inst.maxEnis() - 1 - byPool.values().stream().mapToInt(List::size).sum();
    PoolConditions conditions = new PoolConditions(name);
    RuntimeException failed = null;
    for (Map.Entry<String, List<NodePoolState.Eni>> entry : byPool.entrySet()) {
      String pool = entry.getKey();
      List<NodePoolState.Eni> enis = entry.getValue();
      int poolDemand = demand.getOrDefault(pool, 0);
      if (!pool.isEmpty() && enis.isEmpty() && poolDemand == 0) {
        continue; // a pool this node does not use
      }
      PoolTarget target = PoolTarget.DEFAULT;
      if (!pool.isEmpty()) {
        SubnetPool sp = subnetPool(pool);
        if (sp == null || sp.getSpec() == null) {
          target = null; // no new ENIs for it; its ENIs still serve their pods and drain
          if (poolDemand > 0) {
            conditions.notFound(pool);
          }
        } else {
          target = new PoolTarget(pool, sp.getSpec().subnets, sp.getSpec().securityGroups);
        }
      }
      NodePoolState state =
          new NodePoolState(
              name,
              1 + enis.size() + Math.max(0, freeSlots),
              inst.ipsPerEni(),
              enis,
              inUse,
              cooling,
              target == null ? 0 : poolDemand);
      String key = pool.isEmpty() ? name : name + "/" + pool;
      Instant now = clock.instant();
      if (PoolPlanner.excess(state, warm) > 0) {
        excessSince.putIfAbsent(key, now);
      } else {
        excessSince.remove(key);
      }
      Duration excessAge =
          excessSince.containsKey(key)
              ? Duration.between(excessSince.get(key), now)
              : Duration.ZERO;
      PoolPlan plan = withFreeIndexes(planner.plan(state, warm, excessAge), usedIndexes);
      if (target == null) {
        plan =
            new PoolPlan(
                plan.node(),
                plan.assign(),
                List.of(),
                plan.unassign(),
                plan.deleteEnis(),
                plan.limit(),
                plan.reason());
      }
      freeSlots -= plan.create().size();
      if (!plan.isEmpty()) {
        logger.info(
            "plan for node {} pool {}: {}; {}",
            name,
            SubnetPool.display(pool),
            plan.reason(),
            plan);
      }
      conditions.limit(pool, plan);
      if (enis.stream().anyMatch(e -> !e.ready())) {
        conditions.attaching(pool);
      }
      try {
        apply(name, plan, record, target == null ? PoolTarget.DEFAULT : target);
      } catch (RuntimeException e) {
        logger.warn(
            "applying the plan of node {} pool {} failed: {}",
            name,
            SubnetPool.display(pool),
            e.getMessage());
        conditions.failure(pool, e);
        failed = failed == null ? e : failed;
      }
      if (!plan.assign().isEmpty() || !plan.create().isEmpty()) {
        listener.applied(name, plan);
      }
      for (PoolPlan.Unassign u : plan.unassign()) {
        u.ips().forEach(ip -> releasing.add(ip.toString()));
      }
      for (String id : plan.deleteEnis()) {
        detaching.add(id);
        cloud.stream().filter(e -> e.id.equals(id)).forEach(e -> releasing.addAll(e.ips));
      }
      if (!plan.unassign().isEmpty() || !plan.deleteEnis().isEmpty()) {
        excessSince.remove(key);
      }
      if (poolDemand > 0 && plan.limit() != PoolPlan.Limit.NONE) {
        nodeEvent(node, conditions, pool);
      }
    }
    List<NodeEniSpec.PoolCondition> newConditions =
        conditions.merged(spec.conditions, clock.instant().toString());
    for (NodeEniSpec.PoolCondition c : newConditions) {
      if (!PoolConditions.ENI_ATTACHING.equals(c.reason)
          && (failed != null || demand.getOrDefault(c.pool, 0) > 0)) {
        nodeEvent(node, c);
      }
    }

    // 3. write the spec from the record (the cloud's view plus our own calls' results)
    List<NodeEniSpec.Eni> fresh = record.enis();
    for (NodeEniSpec.Eni e : fresh) {
      if (detaching.contains(e.id)) {
        e.state = "Detaching";
      }
    }
    NodeEniSpec wanted = copySpec(spec);
    wanted.enis = fresh;
    wanted.releaseIps = new ArrayList<>(releasing);
    wanted.warmPool = warmPool();
    wanted.subnets = subnetFacts(subnetIds(inst, fresh));
    wanted.conditions = newConditions;
    var json = kube.getKubernetesSerialization();
    if (!json.asJson(wanted).equals(json.asJson(spec))) {
      NodeEni latest = kube.resources(NodeEni.class).withName(name).get();
      latest.getSpec().enis = fresh;
      latest.getSpec().releaseIps = new ArrayList<>(releasing);
      latest.getSpec().warmPool = warmPool();
      latest.getSpec().conditions = newConditions;
      latest.getSpec().subnets = wanted.subnets;
      kube.resources(NodeEni.class).resource(latest).update();
    } // else nothing new: an update would only wake every watcher
    if (failed != null) {
      throw failed; // after the spec is written: other pools' new IPs reach the agent meanwhile
    }
  }

  /**
   * Runs {@code work} with the cloud records of {@code nodes}, under the pool loop's lock, so that
   * a fixed-IP move's cloud calls and the records stay in step with the pool loop; then syncs those
   * nodes (which writes their NodeENI specs from the records). A failure invalidates the records.
   */
  synchronized <T> T withRecords(
      List<String> nodes, java.util.function.Function<Map<String, CloudRecord>, T> work) {
    Map<String, CloudRecord> rs = new java.util.LinkedHashMap<>();
    for (String n : nodes) {
      rs.put(
          n,
          records.computeIfAbsent(
              n, x -> new CloudRecord(() -> ops.enis(x), clock, cloudResync, VISIBILITY_GRACE)));
    }
    try {
      return work.apply(rs);
    } catch (RuntimeException e) {
      rs.values().forEach(CloudRecord::invalidate);
      throw e;
    } finally {
      nodes.forEach(this::enqueue);
    }
  }

  /**
   * Moves the secondary IP {@code ip} from the ENI of node {@code from} that holds it (if any) to
   * an ENI of node {@code to} in {@code subnetId} and {@code pool} with a free slot, creating and
   * attaching one if the node has a free ENI slot ({@link FixedIpMove}); both nodes' NodeENI specs
   * follow in their next sync, which this starts. The caller has made sure no pod uses the IP.
   */
  public FixedIpMove.Moved moveIp(
      String from, String to, IpAddress ip, String subnetId, String pool) {
    List<String> nodes =
        from == null || from.isEmpty() || from.equals(to) ? List.of(to) : List.of(from, to);
    return withRecords(
        nodes,
        rs ->
            new FixedIpMove(ops, kube).run(from, rs.get(from), to, rs.get(to), ip, subnetId, pool));
  }

  private static String poolOf(NodeEniSpec.Eni e) {
    return e.pool == null ? SubnetPool.DEFAULT_POOL : e.pool;
  }

  /**
   * Demand by pool from the agent's status; an agent that reports no {@code demandByPool} (older
   * than SubnetPools) has all its demand in the default pool.
   */
  private static Map<String, Integer> demandByPool(NodeEniStatus status) {
    Map<String, Integer> out = new java.util.TreeMap<>();
    if (status.demandByPool == null || status.demandByPool.isEmpty()) {
      if (status.demand > 0) {
        out.put(SubnetPool.DEFAULT_POOL, status.demand);
      }
      return out;
    }
    status.demandByPool.forEach(
        (p, d) -> {
          if (p != null && d != null && d > 0) {
            out.put(p, d);
          }
        });
    return out;
  }

  /**
   * The planner, called once per pool, numbers new ENIs after that pool's own ENIs only: give each
   * new ENI the lowest device index no ENI of the node (of any pool, or planned before) holds. For
   * the default pool alone this changes nothing.
   */
  private static PoolPlan withFreeIndexes(PoolPlan plan, Set<Integer> used) {
    if (plan.create().isEmpty()) {
      return plan;
    }
    List<PoolPlan.CreateEni> create = new ArrayList<>();
    for (PoolPlan.CreateEni c : plan.create()) {
      int i = c.deviceIndex();
      if (used.contains(i)) {
        i = 1;
        while (used.contains(i)) {
          i++;
        }
      }
      used.add(i);
      create.add(new PoolPlan.CreateEni(i, c.ips()));
    }
    return new PoolPlan(
        plan.node(),
        plan.assign(),
        create,
        plan.unassign(),
        plan.deleteEnis(),
        plan.limit(),
        plan.reason());
  }

  private void nodeEvent(Node node, PoolConditions conditions, String pool) {
    for (NodeEniSpec.PoolCondition c : conditions.list()) {
      if (c.pool.equals(pool)) {
        nodeEvent(node, c);
      }
    }
  }

  private final Set<String> evented = new HashSet<>();

  /** One Event per node, pool and reason and sync at most; the recorder makes it a series. */
  private void nodeEvent(Node node, NodeEniSpec.PoolCondition c) {
    if (!evented.add(node.getMetadata().getName() + "/" + c.pool + "/" + c.reason)) {
      return;
    }
    var ref =
        new io.fabric8.kubernetes.api.model.ObjectReferenceBuilder()
            .withApiVersion("v1")
            .withKind("Node")
            .withName(node.getMetadata().getName())
            .withUid(node.getMetadata().getUid())
            .build();
    if (nodeEvents.warning(ref, c.reason, c.message) == EventRecorder.Outcome.FAILED) {
      logger.warn("cannot post Event {} on node {}", c.reason, node.getMetadata().getName());
    }
  }

  /**
   * Performs the plan's assigns and create-and-attaches. Calls for different ENIs run at once (each
   * ENI's own calls in order), so a node that needs three ENIs waits for one round trip of create
   * and attach, not three; the shared rate limit still bounds the controller as a whole. Every
   * result goes into the record; the first failure is rethrown after all calls ended.
   */
  private void apply(String name, PoolPlan plan, CloudRecord record, PoolTarget target) {
    Map<String, List<PoolPlan.Assign>> byEni = new java.util.LinkedHashMap<>();
    plan.assign().forEach(a -> byEni.computeIfAbsent(a.eniId(), k -> new ArrayList<>()).add(a));
    List<java.util.concurrent.Callable<Runnable>> calls = new ArrayList<>();
    byEni.forEach(
        (eniId, assigns) ->
            calls.add(
                () -> {
                  List<IpAddress> got = new ArrayList<>();
                  RuntimeException failed = null;
                  for (PoolPlan.Assign a : assigns) {
                    try {
                      got.addAll(ops.assignIps(name, eniId, a.count()));
                    } catch (RuntimeException e) {
                      failed = e;
                      break;
                    }
                  }
                  RuntimeException f = failed;
                  return () -> {
                    record.assigned(eniId, got);
                    if (f != null) {
                      throw f;
                    }
                  };
                }));
    for (PoolPlan.CreateEni c : plan.create()) {
      calls.add(
          () -> {
            NodeEniSpec.Eni eni =
                target.isDefault()
                    ? ops.createAndAttachEni(name, c.deviceIndex(), c.ips())
                    : ops.createAndAttachEni(name, c.deviceIndex(), c.ips(), target);
            eni.pool = target.pool();
            return () -> record.added(eni);
          });
    }
    if (calls.isEmpty()) {
      return;
    }
    RuntimeException first = null;
    try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      var futures = new ArrayList<java.util.concurrent.Future<Runnable>>();
      for (var call : calls) {
        futures.add(pool.submit(call));
      }
      for (var f : futures) {
        try {
          f.get().run(); // record the result on this thread (the record is not thread-safe)
        } catch (java.util.concurrent.ExecutionException e) {
          RuntimeException cause =
              e.getCause() instanceof RuntimeException r
                  ? r
                  : new IllegalStateException(e.getCause());
          first = first == null ? cause : first;
        } catch (RuntimeException e) {
          first = first == null ? e : first;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while applying the plan of " + name, e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private static NodeEniSpec copySpec(NodeEniSpec s) {
    NodeEniSpec c = new NodeEniSpec();
    c.nodeName = s.nodeName;
    c.instanceId = s.instanceId;
    c.instanceType = s.instanceType;
    c.maxEnis = s.maxEnis;
    c.ipsPerEni = s.ipsPerEni;
    c.enis = s.enis;
    c.warmPool = s.warmPool;
    c.releaseIps = s.releaseIps;
    c.subnets = s.subnets;
    c.conditions = s.conditions;
    return c;
  }

  /** The instance's subnet (where new ENIs go) first, then those of its ENIs. */
  private static List<String> subnetIds(NodeOperations.Instance inst, List<NodeEniSpec.Eni> enis) {
    Set<String> ids = new LinkedHashSet<>();
    if (inst.subnetId() != null) {
      ids.add(inst.subnetId());
    }
    enis.stream().map(e -> e.subnetId).filter(java.util.Objects::nonNull).forEach(ids::add);
    return List.copyOf(ids);
  }

  private NodeEni create(String name, NodeOperations.Instance i) {
    NodeEni n = new NodeEni();
    n.setMetadata(new ObjectMetaBuilder().withName(name).build());
    NodeEniSpec spec = new NodeEniSpec();
    spec.nodeName = name;
    spec.instanceId = i.instanceId();
    spec.instanceType = i.instanceType();
    spec.maxEnis = i.maxEnis();
    spec.ipsPerEni = i.ipsPerEni();
    spec.warmPool = warmPool();
    n.setSpec(spec);
    logger.info("creating NodeENI for node {} ({} {})", name, i.instanceId(), i.instanceType());
    return kube.resources(NodeEni.class).resource(n).create();
  }

  private void nodeGone(String name, NodeEni ne) {
    if (ne == null) {
      return;
    }
    for (NodeEniSpec.Eni e : ops.enis(name)) {
      logger.info("node {} is gone: deleting its ENI {}", name, e.id);
      ops.deleteEni(name, e.id);
      listener.eniDeleted(name);
    }
    kube.resources(NodeEni.class).withName(name).delete();
    excessSince.keySet().removeIf(k -> k.equals(name) || k.startsWith(name + "/"));
    records.remove(name);
    listener.nodes(records.size());
  }

  /**
   * The free counts of these subnets for {@code spec.subnets}, in order, omitting those the cloud
   * does not know or cannot describe now; the node operations cache them (one describe per subnet
   * per {@code subnetCacheSeconds}, see {@link SubnetCache}).
   */
  private List<NodeEniSpec.Subnet> subnetFacts(java.util.Collection<String> ids) {
    List<NodeEniSpec.Subnet> out = new ArrayList<>();
    for (String id : ids) {
      try {
        ops.subnet(id).ifPresent(out::add);
      } catch (RuntimeException e) {
        logger.warn(
            "failed to describe subnet {}: {}; leaving it out of spec.subnets", id, e.toString());
      }
    }
    return out;
  }

  private NodeEniSpec.WarmPool warmPool() {
    NodeEniSpec.WarmPool w = new NodeEniSpec.WarmPool();
    w.warmIps = warm.warmIps();
    w.minIps = warm.minIps();
    w.maxIps = warm.maxIps();
    w.warmEnis = warm.warmEnis();
    return w;
  }

  private static Set<IpAddress> parse(List<String> ips) {
    Set<IpAddress> out = new HashSet<>();
    for (String s : ips == null ? List.<String>of() : ips) {
      out.add(IpAddress.parse(s));
    }
    return out;
  }

  @Override
  public void close() {
    Thread worker;
    synchronized (this) {
      stopped = true;
      worker = this.worker;
    }
    timer.shutdownNow();
    informers.close();
    if (worker != null) {
      worker.interrupt();
      if (Thread.currentThread() != worker) {
        try {
          worker.join(10_000); // let an in-flight sync end before the Lease is released
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
