package io.vpccni.controller.reservations;

import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.vpccni.controller.pools.FixedIpMove;
import io.vpccni.controller.pools.PoolController;
import io.vpccni.crd.Durations;
import io.vpccni.crd.IpReservation;
import io.vpccni.crd.IpReservationStatus;
import io.vpccni.crd.NodeEni;
import io.vpccni.crd.events.EventRecorder;
import io.vpccni.crd.informers.InformerGroup;
import io.vpccni.crd.informers.OnAnyChange;
import io.vpccni.netaddr.IpAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Keeps the IPReservations (docs/fixed-ips.md), on every reservation event and every {@code
 * resync}:
 *
 * <ol>
 *   <li>a reservation Released for longer than its TTL (counted from its release, or from the last
 *       request for it if later) is deleted; the agent holding its address then offers it to any
 *       pod;
 *   <li>a reservation that a node's agent asked for ({@code status.wantedNode}) while its address
 *       is elsewhere is moved there, once no pod uses it: it is Released (or Moving, left by a
 *       controller that stopped mid-move), or Bound to a pod that is gone (its node is gone, or the
 *       pod's name has a new uid whose request is older than {@link #TAKEOVER}). The controller
 *       first claims it (phase Moving, at its resourceVersion, so an agent binding it at the same
 *       moment wins or loses cleanly), then moves the address ({@link PoolController#moveIp}), then
 *       records where it went (phase Released on the new node, for the pod's next ADD to bind).
 * </ol>
 *
 * A failed move is recorded in {@code status.message}, posted as a Warning Event on the pod and
 * retried at the next pass.
 */
public final class ReservationController implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(ReservationController.class);

  /** How long a pod bound elsewhere is given to let go after its name has a new pod. */
  public static final Duration TAKEOVER = Duration.ofSeconds(60);

  /** The TTL used when a reservation's own cannot be read (the CRD's schema prevents most). */
  static final Duration FALLBACK_TTL = Duration.ofHours(1);

  public static final String MOVE_FAILED = "FixedIpMoveFailed";

  /** What the controller's metrics count. */
  public interface Listener {
    Listener NONE = new Listener() {};

    /** A move ended: {@code result} is {@code ok} or {@code failed}. */
    default void fixedIpMove(String result) {}

    /** A reservation's TTL passed and it was deleted. */
    default void fixedIpExpired() {}
  }

  private final KubernetesClient kube;
  private final PoolController pools;
  private final Clock clock;
  private final Duration resync;
  private final Listener listener;
  private final EventRecorder events;
  private final AtomicBoolean kicked = new AtomicBoolean();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> Thread.ofPlatform().name("fixed-ips").daemon(true).unstarted(r));
  private final InformerGroup informers = new InformerGroup();
  private volatile SharedIndexInformer<IpReservation> informer;

  public ReservationController(
      KubernetesClient kube,
      PoolController pools,
      Clock clock,
      Duration resync,
      Listener listener) {
    this.kube = kube;
    this.pools = pools;
    this.clock = clock;
    this.resync = resync;
    this.listener = listener;
    this.events = new EventRecorder(kube, "vpc-cni-controller", "", clock, Duration.ofMinutes(1));
  }

  /** Watches reservations and passes over all of them on each change and every resync. */
  public void start() {
    try {
      informer =
          informers.add(
              kube.resources(IpReservation.class)
                  .inAnyNamespace()
                  .inform(new OnAnyChange<>(this::kick)));
    } catch (KubernetesClientException e) {
      logger.warn(
          "cannot watch IPReservations ({}): fixed IPs are not moved or expired; install the CRD {}",
          e.getMessage(),
          IpReservation.CRD_NAME);
      return;
    }
    synchronized (this) {
      if (informers.closed()) {
        return; // closed while the watch started (SIGTERM during leader election's start)
      }
      timer.scheduleWithFixedDelay(
          this::safePass, resync.toMillis(), resync.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void kick() {
    synchronized (this) {
      if (informers.closed() || !kicked.compareAndSet(false, true)) {
        return;
      }
      timer.schedule(
          () -> {
            kicked.set(false);
            safePass();
          },
          100,
          TimeUnit.MILLISECONDS);
    }
  }

  private void safePass() {
    try {
      pass();
    } catch (RuntimeException e) {
      logger.warn("fixed-IP pass failed: {}", e.toString());
    }
  }

  /** One pass over every reservation. Public for tests. */
  public synchronized void pass() {
    for (IpReservation r : kube.resources(IpReservation.class).inAnyNamespace().list().getItems()) {
      String ref = r.getMetadata().getNamespace() + "/" + r.getMetadata().getName();
      MDC.put("pod", ref);
      try {
        sync(r);
      } catch (RuntimeException e) {
        logger.warn("fixed IP of {}: {}", ref, e.toString());
      } finally {
        MDC.remove("pod");
      }
    }
  }

  private void sync(IpReservation r) {
    IpReservationStatus s = r.getStatus() == null ? new IpReservationStatus() : r.getStatus();
    r.setStatus(s);
    Instant now = clock.instant();
    if (IpReservation.RELEASED.equals(s.phase) && expired(r, now)) {
      IpReservation latest = get(r);
      if (latest != null
          && latest
              .getMetadata()
              .getResourceVersion()
              .equals(r.getMetadata().getResourceVersion())) {
        kube.resource(latest).lockResourceVersion().delete();
        listener.fixedIpExpired();
        logger.info(
            "fixed IP {} of {}/{} expired (released at {}, ttl {}); deleted",
            r.getSpec().ip,
            r.getMetadata().getNamespace(),
            r.getMetadata().getName(),
            s.releasedAt,
            r.getSpec().ttl);
      }
      return;
    }
    String want = s.wantedNode;
    if (want == null || want.isEmpty()) {
      return;
    }
    if (kube.nodes().withName(want).get() == null) {
      return; // asked for by a node that is gone since
    }
    String why;
    if (want.equals(s.node)) {
      why = missingFrom(r, s, now); // the agent there asked although it is said to be there
    } else {
      why = movable(r, s, now);
    }
    if (why == null) {
      return;
    }
    String from = s.node == null ? "" : s.node;
    IpAddress ip = IpAddress.parse(r.getSpec().ip);
    s.phase = IpReservation.MOVING;
    s.message =
        "moving from "
            + (from.isEmpty() ? "no node" : "node " + from)
            + " to node "
            + want
            + ": "
            + why;
    IpReservation claimed;
    try {
      claimed = kube.resource(r).update();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return; // an agent or a newer pass wrote it first: look again next time
      }
      throw e;
    }
    logger.info("moving fixed IP {} to node {}: {}", ip, want, s.message);
    try {
      FixedIpMove.Moved m =
          pools.moveIp(
              from,
              want,
              ip,
              r.getSpec().subnetId,
              r.getSpec().pool == null ? "" : r.getSpec().pool);
      String message =
          "moved from "
              + (from.isEmpty() ? "no node" : "node " + from)
              + " to ENI "
              + m.eniId()
              + " of node "
              + want
              + " at "
              + now;
      record(
          claimed,
          x -> {
            x.getStatus().node = want;
            x.getStatus().eniId = m.eniId();
            x.getStatus().phase = IpReservation.RELEASED;
            if (x.getStatus().releasedAt == null) {
              x.getStatus().releasedAt = now.toString();
            }
            x.getStatus().message = message;
          });
      listener.fixedIpMove("ok");
      logger.info("fixed IP {} {}", ip, message);
    } catch (RuntimeException e) {
      boolean gone = e instanceof FixedIpMove.MoveFailedException f && f.unassigned();
      String message =
          e instanceof FixedIpMove.MoveFailedException
              ? e.getMessage()
              : "failed to move fixed IP " + ip + " to node " + want + ": " + e.getMessage();
      record(
          claimed,
          x -> {
            if (gone) {
              x.getStatus().node = "";
              x.getStatus().eniId = null;
            }
            x.getStatus().phase = IpReservation.RELEASED;
            if (x.getStatus().releasedAt == null) {
              x.getStatus().releasedAt = now.toString();
            }
            x.getStatus().message = message;
          });
      listener.fixedIpMove("failed");
      logger.warn("{}", message);
      podEvent(claimed, message + "; retried at the next pass");
    }
  }

  /** How long a request for an address said to be on the asking node waits for its spec. */
  static final Duration REPAIR_AFTER = Duration.ofSeconds(30);

  /**
   * Why an address said to be on node {@code s.node}, and asked for by that node's agent, should be
   * put back on an ENI of that node: it is not in the node's NodeENI spec although the request is
   * older than {@link #REPAIR_AFTER} (longer than a move's spec takes to arrive). Null otherwise.
   */
  private String missingFrom(IpReservation r, IpReservationStatus s, Instant now) {
    Instant asked = time(s.wantedAt);
    if (IpReservation.BOUND.equals(s.phase)
        || asked == null
        || now.isBefore(asked.plus(REPAIR_AFTER))) {
      return null;
    }
    NodeEni ne = kube.resources(NodeEni.class).withName(s.node).get();
    boolean listed =
        ne != null
            && ne.getSpec() != null
            && ne.getSpec().enis.stream().anyMatch(e -> e.ips.contains(r.getSpec().ip));
    return listed ? null : "no ENI of node " + s.node + " holds it";
  }

  /** Why the address may move now, or null while a pod may still use it where it is. */
  private String movable(IpReservation r, IpReservationStatus s, Instant now) {
    String from = s.node == null ? "" : s.node;
    boolean fromGone = from.isEmpty() || kube.nodes().withName(from).get() == null;
    if (IpReservation.BOUND.equals(s.phase)) {
      if (fromGone) {
        return "its node " + from + " is gone";
      }
      Instant asked = time(s.wantedAt);
      boolean newPod =
          s.wantedByUid != null && !s.wantedByUid.isEmpty() && !s.wantedByUid.equals(s.podUid);
      if (newPod && asked != null && !now.isBefore(asked.plus(TAKEOVER))) {
        return "the pod that bound it is gone (its name has a new pod since "
            + s.wantedAt
            + ") and node "
            + from
            + " did not release it";
      }
      return null;
    }
    if (!fromGone) {
      NodeEni ne = kube.resources(NodeEni.class).withName(from).get();
      if (ne != null
          && ne.getStatus() != null
          && ne.getStatus().inUse != null
          && ne.getStatus().inUse.contains(r.getSpec().ip)) {
        return null; // the agent there still lists it in use: wait for its DEL
      }
    }
    return "its pod released it";
  }

  private boolean expired(IpReservation r, Instant now) {
    IpReservationStatus s = r.getStatus();
    Instant released = time(s.releasedAt);
    if (released == null) {
      return false;
    }
    Instant asked = time(s.wantedAt);
    Instant last = asked != null && asked.isAfter(released) ? asked : released;
    return !now.isBefore(last.plus(ttlOf(r)));
  }

  static Duration ttlOf(IpReservation r) {
    try {
      return Durations.parse(r.getSpec().ttl);
    } catch (IllegalArgumentException e) {
      logger.warn(
          "IPReservation {}/{} spec.ttl: {}; using {}",
          r.getMetadata().getNamespace(),
          r.getMetadata().getName(),
          e.getMessage(),
          Durations.format(FALLBACK_TTL));
      return FALLBACK_TTL;
    }
  }

  private static Instant time(String s) {
    if (s == null || s.isEmpty()) {
      return null;
    }
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private IpReservation get(IpReservation r) {
    return kube.resources(IpReservation.class)
        .inNamespace(r.getMetadata().getNamespace())
        .withName(r.getMetadata().getName())
        .get();
  }

  /** Writes the move's outcome, re-reading on a conflict (only the controller writes Moving). */
  private void record(IpReservation claimed, Consumer<IpReservation> change) {
    IpReservation x = claimed;
    for (int i = 0; i < 5 && x != null; i++) {
      if (x.getStatus() == null) {
        x.setStatus(new IpReservationStatus());
      }
      change.accept(x);
      try {
        kube.resource(x).update();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
        x = get(x);
      }
    }
    logger.warn("cannot record the move of {}: conflicts", claimed.getMetadata().getName());
  }

  private void podEvent(IpReservation r, String message) {
    var ref =
        new ObjectReferenceBuilder()
            .withApiVersion("v1")
            .withKind("Pod")
            .withNamespace(r.getMetadata().getNamespace())
            .withName(r.getMetadata().getName())
            .withUid(
                r.getStatus().wantedByUid == null || r.getStatus().wantedByUid.isEmpty()
                    ? null
                    : r.getStatus().wantedByUid)
            .build();
    if (events.warning(ref, MOVE_FAILED, message) == EventRecorder.Outcome.FAILED) {
      logger.warn("cannot post Event {} on pod {}", MOVE_FAILED, r.getMetadata().getName());
    }
  }

  @Override
  public void close() {
    informers.close(); // not under the lock: a watch callback (kick) may be waiting for it
    synchronized (this) {
      timer.shutdownNow(); // after this nothing schedules: start and kick see the group closed
    }
  }
}
