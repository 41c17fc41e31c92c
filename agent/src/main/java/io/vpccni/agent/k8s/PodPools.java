package io.vpccni.agent.k8s;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.vpccni.crd.SubnetPool;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides a pod's SubnetPool at ADD ({@link SubnetPoolSelection}) from the API server: SubnetPools
 * and Namespaces come from informers (watched, so nothing is fetched per pod), the pod itself is
 * read once (its annotations and labels; the CNI arguments carry only its name). A pod the API
 * server does not know (a pod not made by a kubelet, as in the local cluster) is in the default
 * pool. The pod's annotations come back with the choice, for the rest of the ADD (bandwidth): one
 * read of the pod per ADD.
 */
public final class PodPools implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(PodPools.class);

  private final KubernetesClient kube;
  private SharedIndexInformer<SubnetPool> pools;
  private SharedIndexInformer<Namespace> namespaces;

  public PodPools(KubernetesClient kube) {
    this.kube = kube;
  }

  /**
   * Starts the watches. Without the SubnetPool CRD (or the right to list SubnetPools) the agent
   * still starts, every pod is in the default pool until it is restarted, and a warning says why.
   */
  public void start() {
    try {
      pools = kube.resources(SubnetPool.class).inform();
    } catch (KubernetesClientException e) {
      logger.warn(
          "cannot watch SubnetPools ({}): every pod uses the default pool; install the CRD {} and restart",
          e.getMessage(),
          SubnetPool.CRD_NAME);
      return;
    }
    namespaces = kube.namespaces().inform();
  }

  /**
   * A pod's pool ({@code ""}: the default pool), its uid (empty if the pod was not found), which an
   * Event needs for {@code kubectl describe pod} to show it, and the pod itself (null if it was not
   * found), so the rest of the ADD (bandwidth annotations, fixed IPs) reads the pod no second time.
   */
  public record Choice(String pool, String podUid, Pod pod) {
    public Choice(String pool, String podUid) {
      this(pool, podUid, null);
    }

    /** The pod's annotations, empty if it was not found or has none. */
    public Map<String, String> annotations() {
      Map<String, String> a = pod == null ? null : pod.getMetadata().getAnnotations();
      return a == null ? Map.of() : a;
    }
  }

  /**
   * The pool of the pod.
   *
   * @throws SubnetPoolSelection.UnknownSubnetPoolException the annotation names a missing pool
   */
  public Choice poolOf(String namespace, String podName)
      throws SubnetPoolSelection.UnknownSubnetPoolException {
    if (namespace == null || namespace.isEmpty() || podName == null || podName.isEmpty()) {
      return new Choice(SubnetPool.DEFAULT_POOL, "");
    }
    Pod pod;
    try {
      pod = kube.pods().inNamespace(namespace).withName(podName).get();
    } catch (KubernetesClientException e) {
      logger.warn("cannot read pod {}/{}: {}", namespace, podName, e.getMessage());
      pod = null;
    }
    if (pod == null) {
      return new Choice(SubnetPool.DEFAULT_POOL, "");
    }
    String uid = pod.getMetadata().getUid() == null ? "" : pod.getMetadata().getUid();
    if (pools == null) {
      return new Choice(SubnetPool.DEFAULT_POOL, uid, pod); // no SubnetPool CRD
    }
    List<SubnetPool> all = pools.getStore().list();
    Namespace ns = namespaces == null ? null : namespaces.getStore().getByKey(namespace);
    if (ns == null && !all.isEmpty()) {
      ns = kube.namespaces().withName(namespace).get(); // informer not synced yet
    }
    Map<String, String> nsLabels = ns == null ? Map.of() : ns.getMetadata().getLabels();
    try {
      return new Choice(
          SubnetPoolSelection.select(
              all, pod.getMetadata().getAnnotations(), pod.getMetadata().getLabels(), nsLabels),
          uid,
          pod);
    } catch (SubnetPoolSelection.UnknownSubnetPoolException e) {
      throw e.withPodUid(uid);
    }
  }

  @Override
  public void close() {
    if (pools != null) {
      pools.close();
    }
    if (namespaces != null) {
      namespaces.close();
    }
  }
}
