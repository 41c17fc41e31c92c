package io.vpccni.agent.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.vpccni.agent.config.EniSpec;
import io.vpccni.agentapi.FieldException;
import io.vpccni.crd.NodeEni;
import io.vpccni.crd.NodeEniSpec;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Watches this node's NodeENI (by name, so the API server sends nothing about other nodes) and
 * hands every valid spec's attached ENIs to {@code onEnis}. An invalid spec changes nothing: the
 * previous ENIs stay in force and {@link #specError()} says which field is wrong, for the status.
 */
public final class NodeEniSource implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(NodeEniSource.class);

  private final KubernetesClient client;
  private final String node;
  private final Consumer<List<EniSpec>> onEnis;
  private SharedIndexInformer<NodeEni> informer;
  private volatile String specError;
  private volatile Long appliedGeneration;
  private volatile List<String> releaseIps = List.of();
  private volatile Consumer<NodeEniSpec> onSpec = spec -> {};
  private volatile List<NodeEniSpec.PoolCondition> conditions = List.of();
  private volatile java.util.Map<String, String> subnetIds = java.util.Map.of();

  public NodeEniSource(KubernetesClient client, String node, Consumer<List<EniSpec>> onEnis) {
    this.client = client;
    this.node = node;
    this.onEnis = onEnis;
  }

  /** Also hands every spec whose ENIs were applied to {@code listener} (the device plugin). */
  public void onSpec(Consumer<NodeEniSpec> listener) {
    this.onSpec = listener;
  }

  public void start() {
    informer =
        client
            .resources(NodeEni.class)
            .withName(node)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(NodeEni obj) {
                    apply(obj);
                  }

                  @Override
                  public void onUpdate(NodeEni oldObj, NodeEni newObj) {
                    apply(newObj);
                  }

                  @Override
                  public void onDelete(NodeEni obj, boolean deletedFinalStateUnknown) {
                    // The controller deletes a NodeENI only for a node that is gone; keep the ENIs
                    // the agent knows until it is stopped, so running pods are not disturbed.
                    logger.warn("NodeENI {} was deleted; keeping the current pool", node);
                  }
                });
  }

  /** Visible for tests: what an informer event does. */
  void apply(NodeEni obj) {
    if (obj == null || !node.equals(obj.getMetadata().getName())) {
      return;
    }
    MDC.put("node", node);
    try {
      List<EniSpec> enis = NodeEniSpecs.attached(obj.getSpec());
      specError = null;
      appliedGeneration = obj.getMetadata().getGeneration();
      logger.info("NodeENI applied: {} attached ENIs", enis.size());
      onEnis.accept(enis);
      onSpec.accept(obj.getSpec());
      // Only now, with the pool no longer offering them, may the status call these IPs ready.
      releaseIps =
          obj.getSpec() == null || obj.getSpec().releaseIps == null
              ? List.of()
              : List.copyOf(obj.getSpec().releaseIps);
      java.util.Map<String, String> ids = new java.util.HashMap<>();
      if (obj.getSpec() != null && obj.getSpec().enis != null) {
        obj.getSpec().enis.stream()
            .filter(e -> e.id != null && e.subnetId != null)
            .forEach(e -> ids.put(e.id, e.subnetId));
      }
      subnetIds = java.util.Map.copyOf(ids);
      conditions =
          obj.getSpec() == null || obj.getSpec().conditions == null
              ? List.of()
              : List.copyOf(obj.getSpec().conditions);
    } catch (FieldException e) {
      specError = e.getMessage();
      logger.error(
          "NodeENI {} has an invalid spec, keeping the current pool: {}", node, e.getMessage());
    } finally {
      MDC.remove("node");
    }
  }

  /** Why the last spec was refused, or null. */
  public String specError() {
    return specError;
  }

  /** The IPs the controller asked back in the last spec applied. */
  public List<String> releaseIps() {
    return releaseIps;
  }

  /** The controller's reasons why pools of this node are short, from the last spec applied. */
  public List<NodeEniSpec.PoolCondition> conditions() {
    return conditions;
  }

  /** The subnet id of the ENI {@code eniId} in the last spec applied, or "" if unknown. */
  public String subnetIdOf(String eniId) {
    return subnetIds.getOrDefault(eniId, "");
  }

  /** metadata.generation of the last spec applied, or null. */
  public Long appliedGeneration() {
    return appliedGeneration;
  }

  @Override
  public void close() {
    if (informer != null) {
      informer.close();
    }
  }
}
