package io.vpccni.agent.k8s;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.vpccni.agent.pool.IpPool;
import io.vpccni.agent.store.Allocation;
import io.vpccni.crd.Durations;
import io.vpccni.crd.IpReservation;
import io.vpccni.crd.IpReservationStatus;
import io.vpccni.crd.informers.OnAnyChange;
import io.vpccni.netaddr.IpAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's side of fixed IPs (docs/fixed-ips.md): which pods want one and for how long (pod
 * annotations, else their StatefulSet's, else the config's TTL), the IPReservations (watched in
 * every namespace, so that the pool never hands a kept address to another pod), and the writes the
 * agent makes on them: create at a pod's first ADD, Bound at a later ADD on the node that holds the
 * address, Released at DEL, and "wanted on this node" when the address is elsewhere.
 *
 * <p>Every write is an update at the object's resourceVersion, re-read and retried on a conflict
 * (the controller writes the same objects), at most {@value #ATTEMPTS} times.
 */
public final class FixedIps implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(FixedIps.class);
  static final int ATTEMPTS = 5;

  private final KubernetesClient kube;
  private final String node;
  private final Duration defaultTtl;
  private final Clock clock;
  private final IpPool pool;
  private SharedIndexInformer<IpReservation> informer;

  /** A fixed-IP annotation has a value the agent cannot use; the message names it. */
  public static final class BadAnnotationException extends Exception {
    public BadAnnotationException(String message) {
      super(message);
    }
  }

  /** The reservation left this node (the controller claimed it for a move) before it was bound. */
  public static final class MovedAwayException extends RuntimeException {
    public MovedAwayException(String message) {
      super(message);
    }
  }

  public FixedIps(
      KubernetesClient kube, String node, Duration defaultTtl, IpPool pool, Clock clock) {
    this.kube = kube;
    this.node = node;
    this.defaultTtl = defaultTtl;
    this.pool = pool;
    this.clock = clock;
  }

  /**
   * Watches IPReservations in every namespace and keeps the pool's reserved set in step; returns
   * once the first list is in the pool (so no kept address is handed out after a restart). Without
   * the CRD, or the right to watch it, returns false and fixed IPs stay off, with a warning.
   */
  public boolean start() {
    try {
      informer =
          kube.resources(IpReservation.class)
              .inAnyNamespace()
              .inform(new OnAnyChange<>(this::publish));
    } catch (KubernetesClientException e) {
      logger.warn(
          "cannot watch IPReservations ({}): fixed IPs are off; install the CRD {} and restart",
          e.getMessage(),
          IpReservation.CRD_NAME);
      informer = null;
      return false;
    }
    publish();
    return true;
  }

  public boolean enabled() {
    return informer != null;
  }

  private synchronized void publish() {
    if (informer == null) {
      return;
    }
    Map<IpAddress, String> byIp = new HashMap<>();
    for (IpReservation r : informer.getStore().list()) {
      try {
        byIp.put(IpAddress.parse(r.getSpec().ip), ref(r));
      } catch (RuntimeException e) {
        logger.warn("IPReservation {} has no valid spec.ip; ignoring it", ref(r));
      }
    }
    pool.setReserved(byIp);
  }

  static String ref(IpReservation r) {
    return r.getMetadata().getNamespace() + "/" + r.getMetadata().getName();
  }

  /**
   * Whether {@code pod} wants a fixed IP and for how long after it is deleted: the pod's
   * annotations first, then those of the StatefulSet that owns it, then the config's TTL.
   *
   * @return empty for a pod without fixed IP
   * @throws BadAnnotationException an annotation is not "true"/"false" or not a duration
   */
  public Optional<Duration> ttlFor(Pod pod) throws BadAnnotationException {
    Map<String, String> own = annotations(pod.getMetadata().getAnnotations());
    Map<String, String> set = Map.of();
    String setName = statefulSetOf(pod);
    if (setName != null
        && (!own.containsKey(IpReservation.FIXED_IP_ANNOTATION)
            || !own.containsKey(IpReservation.TTL_ANNOTATION))) {
      try {
        StatefulSet s =
            kube.apps()
                .statefulSets()
                .inNamespace(pod.getMetadata().getNamespace())
                .withName(setName)
                .get();
        set = s == null ? Map.of() : annotations(s.getMetadata().getAnnotations());
      } catch (KubernetesClientException e) {
        logger.warn("cannot read StatefulSet {}: {}", setName, e.getMessage());
      }
    }
    String fixedFrom = own.containsKey(IpReservation.FIXED_IP_ANNOTATION) ? "pod" : "StatefulSet";
    String fixed =
        own.getOrDefault(
            IpReservation.FIXED_IP_ANNOTATION, set.get(IpReservation.FIXED_IP_ANNOTATION));
    if (fixed == null || fixed.equals("false")) {
      return Optional.empty();
    }
    if (!fixed.equals("true")) {
      throw new BadAnnotationException(
          fixedFrom
              + " annotation "
              + IpReservation.FIXED_IP_ANNOTATION
              + " must be \"true\" or \"false\", not \""
              + fixed
              + "\"");
    }
    String ttlFrom = own.containsKey(IpReservation.TTL_ANNOTATION) ? "pod" : "StatefulSet";
    String ttl =
        own.getOrDefault(IpReservation.TTL_ANNOTATION, set.get(IpReservation.TTL_ANNOTATION));
    if (ttl == null) {
      return Optional.of(defaultTtl);
    }
    try {
      return Optional.of(Durations.parse(ttl));
    } catch (IllegalArgumentException e) {
      throw new BadAnnotationException(
          ttlFrom + " annotation " + IpReservation.TTL_ANNOTATION + ": " + e.getMessage());
    }
  }

  private static Map<String, String> annotations(Map<String, String> a) {
    return a == null ? Map.of() : a;
  }

  private static String statefulSetOf(Pod pod) {
    List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
    if (owners == null) {
      return null;
    }
    for (OwnerReference o : owners) {
      if ("StatefulSet".equals(o.getKind())
          && o.getApiVersion() != null
          && o.getApiVersion().startsWith("apps/")) {
        return o.getName();
      }
    }
    return null;
  }

  /** The pod's reservation as the API server has it now, or null. */
  public IpReservation get(String namespace, String name) {
    return kube.resources(IpReservation.class).inNamespace(namespace).withName(name).get();
  }

  /** Whether the reservation's address is on this node's ENIs now and may be bound here. */
  public boolean isHere(IpReservation r) {
    IpReservationStatus s = r.getStatus();
    return s != null && node.equals(s.node) && !IpReservation.MOVING.equals(s.phase);
  }

  /** Records a new reservation, Bound to the pod on this node; throws if it cannot. */
  public IpReservation create(
      String namespace,
      String name,
      String podUid,
      Allocation alloc,
      String subnetId,
      String subnetPool,
      Duration ttl) {
    IpReservation r = new IpReservation();
    r.getMetadata().setNamespace(namespace);
    r.getMetadata().setName(name);
    r.getSpec().ip = alloc.ip().toString();
    r.getSpec().subnetId = subnetId;
    r.getSpec().pool = subnetPool;
    r.getSpec().ttl = Durations.format(ttl);
    r.getStatus().phase = IpReservation.BOUND;
    r.getStatus().node = node;
    r.getStatus().eniId = alloc.eniId();
    r.getStatus().podUid = podUid;
    IpReservation made = kube.resource(r).create();
    logger.info("fixed IP {} reserved for pod {}/{} (ttl {})", alloc.ip(), namespace, name, ttl);
    return made;
  }

  /**
   * Marks the reservation Bound to the pod (uid) on this node's ENI {@code eniId}.
   *
   * @throws MovedAwayException the controller claimed it for a move meanwhile (the write is at the
   *     object's resourceVersion, so either this bind or the controller's claim wins)
   */
  public void bind(String namespace, String name, String podUid, String eniId, Duration ttl) {
    modify(
        namespace,
        name,
        r -> {
          IpReservationStatus s = r.getStatus();
          if (!node.equals(s.node) || IpReservation.MOVING.equals(s.phase)) {
            throw new MovedAwayException(
                "its reservation is "
                    + (IpReservation.MOVING.equals(s.phase) ? "moving" : "on node " + s.node)
                    + " now");
          }
          r.getSpec().ttl = Durations.format(ttl);
          s.phase = IpReservation.BOUND;
          s.node = node;
          s.eniId = eniId;
          s.podUid = podUid;
          s.releasedAt = null;
          s.wantedNode = null;
          s.wantedByUid = null;
          s.wantedAt = null;
          return true;
        });
  }

  /**
   * Asks for the address on this node (the pod is scheduled here): the controller moves it once no
   * pod elsewhere uses it. Writes only when the request is new.
   */
  public void want(IpReservation current, String podUid) {
    IpReservationStatus s = current.getStatus();
    if (s != null && node.equals(s.wantedNode) && podUid.equals(nz(s.wantedByUid))) {
      return;
    }
    modify(
        current.getMetadata().getNamespace(),
        current.getMetadata().getName(),
        r -> {
          r.getStatus().wantedNode = node;
          r.getStatus().wantedByUid = podUid;
          r.getStatus().wantedAt = clock.instant().toString();
          return true;
        });
  }

  /**
   * The pod let its address go on this node (DEL, or an ADD that failed after binding): Released
   * from now, if the reservation still names this node and {@code ip}. Failures are logged, not
   * thrown (DEL must succeed); {@link #sweep} repairs them.
   */
  public void release(String podRef, IpAddress ip) {
    if (informer == null) {
      return;
    }
    IpReservation cached = informer.getStore().getByKey(podRef);
    if (cached == null || !ip.toString().equals(cached.getSpec().ip)) {
      return;
    }
    try {
      boolean wrote =
          modify(
              cached.getMetadata().getNamespace(),
              cached.getMetadata().getName(),
              r -> {
                if (ip.toString().equals(r.getSpec().ip)
                    && node.equals(r.getStatus().node)
                    && IpReservation.BOUND.equals(r.getStatus().phase)) {
                  r.getStatus().phase = IpReservation.RELEASED;
                  r.getStatus().releasedAt = clock.instant().toString();
                  return true;
                }
                return false;
              });
      if (wrote) {
        logger.info("fixed IP {} of pod {} released; kept for its TTL", ip, podRef);
      }
    } catch (KubernetesClientException e) {
      logger.warn("cannot mark the fixed IP of {} released: {}", podRef, e.getMessage());
    }
  }

  /**
   * Makes the reservations agree with the pool (at start, after a crash, and periodically): one
   * that says Bound on this node while no attachment of its pod holds its address is Released now.
   * Returns how many it changed.
   */
  public int sweep() {
    if (informer == null) {
      return 0;
    }
    Set<String> held = new HashSet<>();
    for (Allocation a : pool.snapshot()) {
      held.add(a.podRef() + "@" + a.ip());
    }
    int changed = 0;
    for (IpReservation r : informer.getStore().list()) {
      IpReservationStatus s = r.getStatus();
      if (s == null
          || !node.equals(s.node)
          || !IpReservation.BOUND.equals(s.phase)
          || held.contains(ref(r) + "@" + r.getSpec().ip)) {
        continue;
      }
      // re-check against the pool under the same rule right before the write
      IpAddress ip;
      try {
        ip = IpAddress.parse(r.getSpec().ip);
      } catch (RuntimeException e) {
        continue;
      }
      String podRef = ref(r);
      try {
        boolean wrote =
            modify(
                r.getMetadata().getNamespace(),
                r.getMetadata().getName(),
                x -> {
                  boolean stillHeld =
                      pool.snapshot().stream()
                          .anyMatch(a -> a.podRef().equals(podRef) && a.ip().equals(ip));
                  if (stillHeld
                      || !node.equals(x.getStatus().node)
                      || !IpReservation.BOUND.equals(x.getStatus().phase)) {
                    return false;
                  }
                  x.getStatus().phase = IpReservation.RELEASED;
                  x.getStatus().releasedAt = clock.instant().toString();
                  return true;
                });
        if (wrote) {
          logger.info("reconcile: fixed IP {} of {} is held by no pod here; Released", ip, podRef);
          changed++;
        }
      } catch (KubernetesClientException e) {
        logger.warn("cannot mark the fixed IP of {} released: {}", podRef, e.getMessage());
      }
    }
    return changed;
  }

  /**
   * Re-reads and updates the reservation, retrying on conflicts; {@code change} returns false to
   * write nothing. Returns whether it wrote (absent objects are skipped).
   */
  private boolean modify(String namespace, String name, Predicate<IpReservation> change) {
    KubernetesClientException last = null;
    for (int i = 0; i < ATTEMPTS; i++) {
      IpReservation r = get(namespace, name);
      if (r == null) {
        return false;
      }
      if (r.getStatus() == null) {
        r.setStatus(new IpReservationStatus());
      }
      if (!change.test(r)) {
        return false;
      }
      try {
        kube.resource(r).update();
        return true;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
        last = e;
      }
    }
    throw last;
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  @Override
  public void close() {
    if (informer != null) {
      informer.close();
    }
  }
}
