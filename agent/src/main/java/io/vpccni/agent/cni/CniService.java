package io.vpccni.agent.cni;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.vpccni.agent.config.EniSpec;
import io.vpccni.agent.datapath.Datapath;
import io.vpccni.agent.datapath.DatapathException;
import io.vpccni.agent.datapath.PodRequest;
import io.vpccni.agent.datapath.Steps;
import io.vpccni.agent.k8s.FixedIps;
import io.vpccni.agent.k8s.PodEvents;
import io.vpccni.agent.k8s.PodPools;
import io.vpccni.agent.k8s.SubnetPoolSelection;
import io.vpccni.agent.metrics.AgentMetrics;
import io.vpccni.agent.metrics.Timings;
import io.vpccni.agent.pool.IpPool;
import io.vpccni.agent.pool.PoolExhaustedException;
import io.vpccni.agent.pool.PoolStats;
import io.vpccni.agent.store.Allocation;
import io.vpccni.agentapi.AgentRequest;
import io.vpccni.agentapi.AgentResponse;
import io.vpccni.agentapi.FieldException;
import io.vpccni.agentapi.JsonObject;
import io.vpccni.crd.IpReservation;
import io.vpccni.crd.SubnetPool;
import io.vpccni.netaddr.IpAddress;
import io.vpccni.netlink.Netns;
import io.vpccni.netlink.NetnsGoneException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The agent's side of the CNI verbs. Requests for one container are serialized (a lock per
 * container id); different pods proceed in parallel. No cloud call happens here: the IP comes from
 * the node's pool.
 *
 * <p>ADD, in order: reserve an IP and record it PENDING (durable) → build the datapath → record it
 * READY (durable) → answer. A crash anywhere in between leaves a PENDING record (or nothing), which
 * DEL or the start-up reconcile removes together with whatever part of the datapath exists.
 */
public final class CniService {
  private static final Logger logger = LoggerFactory.getLogger(CniService.class);
  static final String VALID_ATTACHMENTS = "cni.dev/valid-attachments";

  private final IpPool pool;
  private final Datapath datapath;
  private final Function<Allocation.Key, String> hostIfName;
  private final Steps steps;
  private final Clock clock;
  private final String node;
  private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();
  private final Timings timings;
  private final AgentMetrics metrics;
  private volatile boolean ready;
  private volatile PolicyGate policy = PolicyGate.NONE;

  /**
   * NetworkPolicy's hold on the ADD path: a pod's rules go in force after its IP is reserved and
   * before its interface exists, so its first packet meets them.
   */
  @FunctionalInterface
  public interface PolicyGate {
    PolicyGate NONE = (podRef, ip, readByAdd) -> {};

    /**
     * Returns once the pod's rules are in force; throws, naming why, when they cannot be.
     *
     * @param readByAdd the pod as this ADD read it from the API, or null: spares a second read when
     *     the gate's watch has not delivered the pod yet
     */
    void admit(String podRef, IpAddress ip, Pod readByAdd) throws IOException;

    /** A pod went away: its rules should go too (soon, not necessarily now). Default: nothing. */
    default void released() {}
  }

  public void setPolicyGate(PolicyGate gate) {
    this.policy = gate;
  }

  private volatile PodPools podPools;
  private volatile PodEvents podEvents;
  private volatile FixedIps fixedIps;
  private volatile Function<String, String> subnetIdOf = eni -> "";

  public CniService(
      String node,
      IpPool pool,
      Datapath datapath,
      Function<Allocation.Key, String> hostIfName,
      Steps steps,
      Clock clock,
      Timings timings,
      AgentMetrics metrics) {
    this.node = node;
    this.metrics = metrics;
    this.timings = timings;
    this.pool = pool;
    this.datapath = datapath;
    this.hostIfName = hostIfName;
    this.steps = steps;
    this.clock = clock;
  }

  /**
   * Turns on SubnetPools (shared modes with the NodeENI source): ADD takes the pod's IP from its
   * pool's ENIs, and a pod that cannot get one gets a Warning Event saying why. Without this call
   * every pod is in the default pool and no Event is posted.
   */
  public void useSubnetPools(PodPools pools, PodEvents events) {
    this.podPools = pools;
    this.podEvents = events;
  }

  /**
   * Turns on fixed IPs (docs/fixed-ips.md; needs {@link #useSubnetPools}, which reads the pod):
   * pods that want one get the address of their IPReservation back, on any node.
   *
   * @param subnetIdOf the subnet id of an ENI (for a new reservation's {@code spec.subnetId})
   */
  public void useFixedIps(FixedIps fixed, Function<String, String> subnetIdOf) {
    this.fixedIps = fixed;
    this.subnetIdOf = subnetIdOf;
  }

  /** Marks start-up (reconcile) done; STATUS reports unavailable before. */
  public void setReady(boolean r) {
    ready = r;
  }

  public AgentResponse handle(AgentRequest req) {
    if (req.version() != AgentRequest.VERSION) {
      return AgentResponse.error(
          CniErrors.UNSUPPORTED_REQUEST,
          "unsupported agent protocol version " + req.version(),
          "this agent speaks version "
              + AgentRequest.VERSION
              + "; upgrade the vpc-cni binary and agent together");
    }
    long t0 = System.nanoTime();
    MDC.put("node", node);
    MDC.put("containerId", req.containerId());
    MDC.put("pod", req.args().getOrDefault("K8S_POD_NAME", ""));
    MDC.put("namespace", req.args().getOrDefault("K8S_POD_NAMESPACE", ""));
    AgentResponse resp = null;
    try {
      resp =
          switch (req.verb()) {
            case "ADD" -> withLock(req, () -> add(req));
            case "DEL" -> withLock(req, () -> del(req));
            case "CHECK" -> withLock(req, () -> check(req));
            case "STATUS" -> status();
            case "GC" -> gc(req);
            default ->
                AgentResponse.error(
                    CniErrors.UNSUPPORTED_REQUEST, "unknown verb \"" + req.verb() + "\"", "");
          };
      return resp;
    } catch (FieldException e) {
      resp = AgentResponse.error(CniErrors.INVALID_CONFIG, e.getMessage(), "");
      return resp;
    } catch (IOException e) {
      logger.error("store write failed", e);
      resp =
          AgentResponse.error(
              CniErrors.INTERNAL, "failed to record the allocation: " + e.getMessage(), "");
      return resp;
    } catch (RuntimeException e) {
      logger.error("unexpected failure in {}", req.verb(), e);
      resp =
          AgentResponse.error(CniErrors.INTERNAL, "internal error in the vpc-cni agent: " + e, "");
      return resp;
    } finally {
      long took = System.nanoTime() - t0;
      timings.record(req.verb(), took);
      metrics.request(
          req.verb(),
          resp == null || resp.isOk() ? "ok" : String.valueOf(resp.error().code()),
          took);
      MDC.clear();
    }
  }

  private interface Op {
    AgentResponse run() throws IOException;
  }

  private AgentResponse withLock(AgentRequest req, Op op) throws IOException {
    if (req.containerId().isEmpty()) {
      return AgentResponse.error(
          CniErrors.INVALID_ENV, "CNI_CONTAINERID is required for " + req.verb(), "");
    }
    if (req.ifName().isEmpty()) {
      return AgentResponse.error(
          CniErrors.INVALID_ENV, "CNI_IFNAME is required for " + req.verb(), "");
    }
    ReentrantLock lock = locks.computeIfAbsent(req.containerId(), k -> new ReentrantLock());
    lock.lock();
    try {
      return op.run();
    } finally {
      lock.unlock();
    }
  }

  private AgentResponse add(AgentRequest req) throws IOException {
    if (req.netns().isEmpty()) {
      return AgentResponse.error(CniErrors.INVALID_ENV, "CNI_NETNS is required for ADD", "");
    }
    if (!Files.exists(Path.of(req.netns()))) {
      return AgentResponse.error(
          CniErrors.INVALID_ENV, "CNI_NETNS " + req.netns() + " does not exist", "");
    }
    try (Netns probe = Netns.open(Path.of(req.netns()))) {
      // opened only to prove it is a network namespace before anything is reserved
    } catch (NetnsGoneException e) {
      return AgentResponse.error(
          CniErrors.INVALID_ENV,
          "CNI_NETNS " + req.netns() + " is not a network namespace",
          e.getMessage());
    }
    int mtu = (int) req.config().optInteger("mtu").orElse(0L).longValue();
    java.util.Optional<io.vpccni.agent.datapath.Bandwidth> bandwidth;
    try {
      bandwidth = io.vpccni.agent.datapath.Bandwidth.fromConfig(req.config());
    } catch (io.vpccni.agentapi.FieldException e) {
      return AgentResponse.error(CniErrors.INVALID_CONFIG, e.getMessage(), "");
    }
    Allocation.Key key = new Allocation.Key(req.containerId(), req.ifName());
    String namespace = req.args().getOrDefault("K8S_POD_NAMESPACE", "");
    String podName = req.args().getOrDefault("K8S_POD_NAME", "");
    String podUid = req.args().getOrDefault("K8S_POD_UID", "");
    String subnetPool = IpPool.DEFAULT_POOL;
    java.util.Map<String, String> podAnnotations = java.util.Map.of();
    PodPools pools = podPools;
    Pod pod = null;
    if (pools != null) {
      try {
        PodPools.Choice c = pools.poolOf(namespace, podName);
        subnetPool = c.pool();
        pod = c.pod();
        podUid = podUid.isEmpty() ? c.podUid() : podUid;
        podAnnotations = c.annotations();
      } catch (SubnetPoolSelection.UnknownSubnetPoolException e) {
        logger.warn("pod names an unknown SubnetPool: {}", e.getMessage());
        if (podEvents != null) {
          podEvents.poolNotFound(
              namespace, podName, podUid.isEmpty() ? e.podUid() : podUid, e.getMessage());
        }
        return AgentResponse.error(
            CniErrors.INVALID_CONFIG,
            "failed to allocate an IP for pod " + req.podRef() + ": " + e.getMessage(),
            "create the SubnetPool or fix the pod's annotation " + SubnetPool.POD_ANNOTATION);
      }
    }
    try {
      bandwidth = io.vpccni.agent.datapath.BandwidthAnnotations.merge(podAnnotations, bandwidth);
    } catch (io.vpccni.agent.datapath.BandwidthAnnotations.InvalidAnnotationException e) {
      return AgentResponse.error(
          CniErrors.INVALID_CONFIG,
          "failed to set up pod " + req.podRef() + " network: " + e.getMessage(),
          "fix the pod's annotation; nothing was allocated");
    }
    MDC.put("subnetPool", subnetPool);
    FixedIps fixed = fixedIps;
    java.util.Optional<Duration> fixedTtl = java.util.Optional.empty();
    IpReservation reservation = null;
    if (fixed != null && fixed.enabled() && pod != null) {
      try {
        fixedTtl = fixed.ttlFor(pod);
        reservation = fixedTtl.isPresent() ? fixed.get(namespace, podName) : null;
      } catch (FixedIps.BadAnnotationException e) {
        logger.warn("pod has an invalid fixed-IP annotation: {}", e.getMessage());
        if (podEvents != null) {
          podEvents.invalidFixedIp(namespace, podName, podUid, e.getMessage());
        }
        return AgentResponse.error(
            CniErrors.INVALID_CONFIG,
            "failed to allocate an IP for pod " + req.podRef() + ": " + e.getMessage(),
            "fix the annotation; see docs/fixed-ips.md");
      } catch (KubernetesClientException e) {
        return AgentResponse.error(
            CniErrors.TRY_AGAIN,
            "failed to read the IPReservation of pod " + req.podRef() + ": " + e.getMessage(),
            "the runtime retries");
      }
    }
    var existing = pool.find(key);
    IpAddress preferred = null;
    if (existing.isPresent()) {
      Allocation a = existing.get();
      EniSpec eni = pool.eniOf(a.ip()).orElse(null);
      if (a.state() == Allocation.State.READY && eni != null && a.netns().equals(req.netns())) {
        try {
          logger.info("ADD repeated for an existing attachment; answering with it");
          return AgentResponse.ok(withVersion(datapath.result(a, eni)));
        } catch (DatapathException e) {
          logger.warn("existing attachment is broken ({}); rebuilding it", e.getMessage());
        }
      }
      datapath.teardown(a, eni);
      pool.release(key, false);
      preferred = a.ip();
    }
    Allocation alloc = null;
    if (reservation != null) {
      FixedOutcome taken =
          takeFixedIp(req, key, fixed, reservation, fixedTtl.orElseThrow(), podUid);
      if (taken.error() != null) {
        return taken.error();
      }
      alloc = taken.alloc();
    }
    try {
      if (alloc == null) {
        alloc =
            pool.reserve(
                key, subnetPool, req.podRef(), req.netns(), hostIfName.apply(key), preferred);
        if (fixedTtl.isPresent()) {
          try {
            fixed.create(
                namespace,
                podName,
                podUid,
                alloc,
                subnetIdOf.apply(alloc.eniId()),
                pool.eniOf(alloc.ip()).map(EniSpec::pool).orElse(subnetPool),
                fixedTtl.get());
          } catch (KubernetesClientException e) {
            pool.release(key, false);
            return AgentResponse.error(
                CniErrors.TRY_AGAIN,
                "failed to create the IPReservation of pod " + req.podRef() + ": " + e.getMessage(),
                "the runtime retries");
          }
        }
      }
    } catch (PoolExhaustedException e) {
      pool.noteWaiting(key, subnetPool);
      logger.warn("no IP for the pod: {}", e.getMessage());
      String reason = PodEvents.WAITING_FOR_IP;
      if (podEvents != null) {
        reason = podEvents.waiting(namespace, podName, podUid, subnetPool, e.getMessage());
      }
      return AgentResponse.error(
          CniErrors.TRY_AGAIN,
          "failed to allocate an IP for pod " + req.podRef() + ": " + e.getMessage(),
          e.cooling()
              ? "released IPs become free after their cooldown"
              : PodEvents.WAITING_FOR_IP.equals(reason)
                  ? "the controller adds IPs when the pool runs low"
                  : reason + ": see the pod's Events");
    }
    MDC.put("ip", alloc.ip().toString());
    steps.reached("reserved");
    try {
      policy.admit(req.podRef(), alloc.ip(), pod);
    } catch (IOException e) {
      logger.warn("NetworkPolicy not in force for the pod, refusing ADD: {}", e.getMessage());
      pool.release(key, false);
      releaseFixed(fixedTtl.isPresent(), req.podRef(), alloc.ip());
      return AgentResponse.error(
          CniErrors.TRY_AGAIN,
          "failed to put NetworkPolicy in force for pod " + req.podRef() + ": " + e.getMessage(),
          "the pod starts once its policy can be applied; the runtime retries");
    }
    EniSpec eni = pool.eniOf(alloc.ip()).orElseThrow();
    MDC.put("eni", eni.id());
    try {
      Allocation prepared = datapath.prepare(alloc, eni);
      if (!prepared.equals(alloc)) {
        alloc = pool.update(prepared); // exclusive mode records the ENI's name before moving it
      }
      steps.reached("prepared");
      long d0 = System.nanoTime();
      var setup =
          datapath.setup(
              new PodRequest(
                  req.containerId(),
                  req.ifName(),
                  Path.of(req.netns()),
                  mtu,
                  req.podRef(),
                  bandwidth),
              alloc,
              eni,
              steps);
      timings.record("ADD.datapath", System.nanoTime() - d0);
      pool.update(setup.allocation().withState(Allocation.State.READY));
      steps.reached("committed");
      logger.info("pod attached: {} on ENI {}", alloc.ip(), eni.id());
      return AgentResponse.ok(withVersion(setup.result()));
    } catch (DatapathException e) {
      logger.warn("ADD failed, undoing: {}", e.getMessage());
      datapath.teardown(alloc, eni);
      pool.release(key, false);
      releaseFixed(fixedTtl.isPresent(), req.podRef(), alloc.ip());
      return AgentResponse.error(
          e.code(), "failed to set up pod " + req.podRef() + " network: " + e.getMessage(), "");
    }
  }

  private AgentResponse del(AgentRequest req) throws IOException {
    Allocation.Key key = new Allocation.Key(req.containerId(), req.ifName());
    var existing = pool.find(key);
    if (existing.isEmpty()) {
      pool.release(key, false); // forgets a container that was only waiting for an IP
      // Unknown attachment: DEL must succeed. Still remove a host interface that carries the
      // derived name, in case a crash left one behind without a record.
      datapath.teardown(
          new Allocation(
              req.containerId(),
              req.ifName(),
              IpAddress.parse("0.0.0.0"),
              "",
              "",
              "",
              hostIfName.apply(key),
              "",
              Allocation.State.PENDING,
              0),
          null);
      return AgentResponse.ok();
    }
    Allocation a = existing.get();
    MDC.put("ip", a.ip().toString());
    datapath.teardown(a, pool.eniOf(a.ip()).orElse(null));
    pool.release(key, true);
    policy.released();
    releaseFixed(true, a.podRef(), a.ip());
    logger.info("pod detached: {} released to cooldown", a.ip());
    return AgentResponse.ok();
  }

  /** Either the pod's fixed IP, reserved and bound here, or the answer to give instead. */
  private record FixedOutcome(Allocation alloc, AgentResponse error) {}

  /**
   * ADD of a pod whose IPReservation exists: takes exactly its address if it is on this node's ENIs
   * and binds the reservation; otherwise asks for it here (the controller moves it) and answers
   * "try again", with an Event on the pod.
   */
  private FixedOutcome takeFixedIp(
      AgentRequest req,
      Allocation.Key key,
      FixedIps fixed,
      IpReservation reservation,
      Duration ttl,
      String podUid)
      throws IOException {
    String namespace = req.args().getOrDefault("K8S_POD_NAMESPACE", "");
    String podName = req.args().getOrDefault("K8S_POD_NAME", "");
    Allocation alloc = null;
    IpAddress ip = IpAddress.parse(reservation.getSpec().ip);
    MDC.put("ip", ip.toString());
    String where =
        reservation.getStatus() == null || reservation.getStatus().node == null
            ? "on no node"
            : "on node " + reservation.getStatus().node;
    try {
      if (fixed.isHere(reservation) && pool.eniOf(ip).isEmpty()) {
        // said to be here, but no ENI here offers it (yet: a move's NodeENI spec is on its way;
        // or for good: it left the ENI): asking lets the controller put it back after a while
        fixed.want(reservation, podUid);
        return new FixedOutcome(
            null,
            AgentResponse.error(
                CniErrors.TRY_AGAIN,
                "failed to allocate an IP for pod "
                    + req.podRef()
                    + ": fixed IP "
                    + ip
                    + " is not on this node's ENIs yet",
                "the kubelet retries; the controller assigns it to an ENI of this node"));
      }
      if (!fixed.isHere(reservation)) {
        fixed.want(reservation, podUid);
        String msg =
            "fixed IP "
                + ip
                + " of pod "
                + req.podRef()
                + " is "
                + where
                + (reservation.getStatus() != null
                        && IpReservation.MOVING.equals(reservation.getStatus().phase)
                    ? " and moving"
                    : "")
                + "; the controller moves it to node "
                + node
                + " once no pod uses it there";
        logger.info("fixed IP is elsewhere, asked for it here: {}", msg);
        if (podEvents != null) {
          podEvents.fixedIpMoving(namespace, podName, podUid, msg);
        }
        return new FixedOutcome(
            null,
            AgentResponse.error(
                CniErrors.TRY_AGAIN,
                "failed to allocate an IP for pod " + req.podRef() + ": " + msg,
                "the kubelet retries; the pod starts when the address is on this node"));
      }
      alloc = pool.reserveExact(key, req.podRef(), req.netns(), hostIfName.apply(key), ip);
      fixed.bind(namespace, podName, podUid, alloc.eniId(), ttl);
    } catch (PoolExhaustedException e) {
      if (alloc != null) {
        pool.release(key, false);
      }
      return new FixedOutcome(
          null,
          AgentResponse.error(
              CniErrors.TRY_AGAIN,
              "failed to allocate an IP for pod "
                  + req.podRef()
                  + ": fixed IP "
                  + ip
                  + " is not free here yet: "
                  + e.getMessage(),
              "the kubelet retries"));
    } catch (KubernetesClientException | FixedIps.MovedAwayException e) {
      if (alloc != null) {
        pool.release(key, false);
      }
      return new FixedOutcome(
          null,
          AgentResponse.error(
              CniErrors.TRY_AGAIN,
              "failed to bind the fixed IP "
                  + ip
                  + " of pod "
                  + req.podRef()
                  + ": "
                  + e.getMessage(),
              "the runtime retries"));
    }
    return new FixedOutcome(alloc, null);
  }

  /** A pod let its fixed IP go on this node: its reservation is Released (if it has one). */
  private void releaseFixed(boolean wanted, String podRef, IpAddress ip) {
    FixedIps fixed = fixedIps;
    if (wanted && fixed != null) {
      fixed.release(podRef, ip);
    }
  }

  private AgentResponse check(AgentRequest req) {
    Allocation.Key key = new Allocation.Key(req.containerId(), req.ifName());
    var existing = pool.find(key);
    if (existing.isEmpty() || existing.get().state() != Allocation.State.READY) {
      return AgentResponse.error(
          CniErrors.UNKNOWN_ATTACHMENT,
          "no attachment for container " + req.containerId() + " interface " + req.ifName(),
          "");
    }
    Allocation a = existing.get();
    var prev = req.config().optObject("prevResult");
    if (prev.isPresent()) {
      List<JsonObject> ips = prev.get().objects("ips");
      boolean match =
          ips.stream()
              .anyMatch(
                  ip -> ip.optString("address").map(s -> s.startsWith(a.ip() + "/")).orElse(false));
      if (!ips.isEmpty() && !match) {
        return AgentResponse.error(
            DatapathException.CHECK_FAILED,
            "prevResult does not list the pod's address " + a.ip(),
            "");
      }
    }
    try {
      datapath.check(a, pool.eniOf(a.ip()).orElse(null));
      return AgentResponse.ok();
    } catch (DatapathException e) {
      return AgentResponse.error(
          e.code(), "check of pod " + req.podRef() + " failed: " + e.getMessage(), "");
    }
  }

  private AgentResponse status() {
    if (!ready) {
      return AgentResponse.error(
          CniErrors.NOT_AVAILABLE, "the vpc-cni agent is starting (reconciling)", "");
    }
    PoolStats s = pool.stats();
    if (s.free() == 0) {
      return AgentResponse.error(
          CniErrors.NOT_AVAILABLE,
          "no free IP in the node's pool ("
              + s.total()
              + " total, "
              + s.used()
              + " used, "
              + s.cooling()
              + " cooling down)",
          "");
    }
    return AgentResponse.ok();
  }

  private AgentResponse gc(AgentRequest req) throws IOException {
    long started = clock.millis();
    if (!req.config().has(VALID_ATTACHMENTS)) {
      // Without the list every attachment would look stale: refuse rather than release all.
      return AgentResponse.error(
          CniErrors.INVALID_CONFIG,
          "GC needs \"" + VALID_ATTACHMENTS + "\" (a list, possibly empty)",
          "");
    }
    Set<Allocation.Key> valid = new HashSet<>();
    for (JsonObject v : req.config().objects(VALID_ATTACHMENTS)) {
      valid.add(new Allocation.Key(v.string("containerID"), v.string("ifname")));
    }
    int removed = 0;
    for (Allocation a : pool.snapshot()) {
      if (valid.contains(a.key()) || a.createdMillis() >= started) {
        continue;
      }
      ReentrantLock lock = locks.computeIfAbsent(a.containerId(), k -> new ReentrantLock());
      lock.lock();
      try {
        var now = pool.find(a.key());
        if (now.isEmpty() || now.get().createdMillis() >= started) {
          continue;
        }
        MDC.put("containerId", a.containerId());
        datapath.teardown(now.get(), pool.eniOf(a.ip()).orElse(null));
        pool.release(a.key(), true);
        removed++;
        logger.info("GC released stale attachment {} ({})", a.key(), a.ip());
      } finally {
        lock.unlock();
      }
    }
    logger.info("GC done: {} valid attachments, {} stale released", valid.size(), removed);
    return AgentResponse.ok();
  }

  private static JsonObject withVersion(JsonObject result) {
    JsonObject out = JsonObject.create().put("cniVersion", "1.1.0");
    out.map().putAll(result.map());
    return out;
  }
}
