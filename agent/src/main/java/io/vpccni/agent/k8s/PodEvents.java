package io.vpccni.agent.k8s;

import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vpccni.crd.NodeEniSpec;
import io.vpccni.crd.SubnetPool;
import io.vpccni.crd.events.EventRecorder;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warning Events on pods that cannot get an address, saying why (docs/events.md): the controller's
 * reason for the pod's pool on this node (the NodeENI's {@code spec.conditions}) when it gave one,
 * else {@code WaitingForIp}; {@code SubnetPoolNotFound} for an annotation naming a missing pool.
 * One Event series per pod and reason ({@link EventRecorder}), not one per kubelet retry.
 */
public final class PodEvents {
  private static final Logger logger = LoggerFactory.getLogger(PodEvents.class);

  public static final String WAITING_FOR_IP = "WaitingForIp";
  public static final String SUBNET_POOL_NOT_FOUND = "SubnetPoolNotFound";
  public static final String FIXED_IP_MOVING = "FixedIpMoving";
  public static final String INVALID_FIXED_IP = "InvalidFixedIp";

  private final EventRecorder recorder;
  private final String node;
  private final Supplier<List<NodeEniSpec.PoolCondition>> conditions;

  /**
   * @param conditions the controller's reasons per pool for this node, as last applied
   */
  public PodEvents(
      KubernetesClient kube,
      String node,
      Supplier<List<NodeEniSpec.PoolCondition>> conditions,
      Clock clock,
      Duration interval) {
    this.recorder = new EventRecorder(kube, "vpc-cni-agent", node, clock, interval);
    this.node = node;
    this.conditions = conditions;
  }

  /** The pod waits for an IP of {@code pool}; returns the reason posted. */
  public String waiting(String namespace, String pod, String uid, String pool, String detail) {
    String p = SubnetPool.display(pool);
    String reason = WAITING_FOR_IP;
    String message =
        "no free IP of pool "
            + p
            + " on node "
            + node
            + " ("
            + detail
            + "); the controller is adding IPs, the kubelet retries: nothing to do unless this lasts";
    for (NodeEniSpec.PoolCondition c : conditions.get()) {
      if (c != null && pool.equals(c.pool == null ? "" : c.pool) && c.reason != null) {
        reason = c.reason;
        message = "no free IP of pool " + p + " on node " + node + ": " + c.message;
        if (!"EniAttaching".equals(c.reason)) {
          break; // a lasting cause outranks an ENI on its way
        }
      }
    }
    post(namespace, pod, uid, reason, message);
    return reason;
  }

  /** The pod's annotation names a SubnetPool that does not exist. */
  public void poolNotFound(String namespace, String pod, String uid, String message) {
    post(
        namespace,
        pod,
        uid,
        SUBNET_POOL_NOT_FOUND,
        message
            + " (node "
            + node
            + "); create the SubnetPool or fix the pod's annotation "
            + SubnetPool.POD_ANNOTATION);
  }

  /** The pod's fixed IP is on another node (or none): the controller moves it here. */
  public void fixedIpMoving(String namespace, String pod, String uid, String message) {
    post(namespace, pod, uid, FIXED_IP_MOVING, message);
  }

  /** A fixed-IP annotation of the pod (or its StatefulSet) has a value the agent cannot use. */
  public void invalidFixedIp(String namespace, String pod, String uid, String message) {
    post(namespace, pod, uid, INVALID_FIXED_IP, message + " (node " + node + ")");
  }

  private void post(String namespace, String pod, String uid, String reason, String message) {
    if (namespace == null || namespace.isEmpty() || pod == null || pod.isEmpty()) {
      return;
    }
    var ref =
        new ObjectReferenceBuilder()
            .withApiVersion("v1")
            .withKind("Pod")
            .withNamespace(namespace)
            .withName(pod)
            .withUid(uid == null || uid.isEmpty() ? null : uid)
            .build();
    if (recorder.warning(ref, reason, message) == EventRecorder.Outcome.FAILED) {
      logger.warn("cannot post Event {} on pod {}/{}", reason, namespace, pod);
    }
  }
}
