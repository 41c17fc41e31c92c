package io.vpccni.controller.pools;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.vpccni.cloud.CloudException;
import io.vpccni.cloud.Subnet;
import io.vpccni.crd.SubnetPool;
import io.vpccni.crd.SubnetPoolStatus;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each SubnetPool's status: per subnet its CIDR, zone and free addresses (from the {@link
 * SubnetChooser}'s cache, so at most one describe per subnet per TTL), and the conditions {@code
 * Ready} (every subnet exists) and {@code Exhausted} (no subnet has a free address). Writes only
 * what changed.
 */
public final class SubnetPoolStatusWriter {
  private static final Logger logger = LoggerFactory.getLogger(SubnetPoolStatusWriter.class);

  private final KubernetesClient kube;
  private final SubnetChooser subnets;
  private final Clock clock;

  public SubnetPoolStatusWriter(KubernetesClient kube, SubnetChooser subnets, Clock clock) {
    this.kube = kube;
    this.subnets = subnets;
    this.clock = clock;
  }

  /** One pass over every SubnetPool; returns how many statuses were written. */
  public int refresh() {
    int written = 0;
    for (SubnetPool p : kube.resources(SubnetPool.class).list().getItems()) {
      try {
        if (write(p)) {
          written++;
        }
      } catch (KubernetesClientException e) {
        logger.warn(
            "cannot write the status of SubnetPool {}: {}",
            p.getMetadata().getName(),
            e.getMessage());
      }
    }
    return written;
  }

  private boolean write(SubnetPool p) {
    SubnetPoolStatus st = new SubnetPoolStatus();
    List<String> missing = new ArrayList<>();
    long free = 0;
    for (String id : p.getSpec() == null ? List.<String>of() : p.getSpec().subnets) {
      SubnetPoolStatus.Subnet s = new SubnetPoolStatus.Subnet();
      s.id = id;
      try {
        Subnet d = subnets.describe(id);
        s.cidr = d.cidr().toString();
        s.zone = d.availabilityZone();
        s.free = d.availableIps();
        free += d.availableIps();
      } catch (CloudException e) {
        s.error = e.getMessage();
        missing.add(id);
      }
      st.subnets.add(s);
    }
    String now = clock.instant().toString();
    st.conditions.add(
        missing.isEmpty()
            ? condition("Ready", "True", "SubnetsFound", "every subnet exists", now)
            : condition(
                "Ready", "False", "SubnetNotFound", "cannot describe subnets " + missing, now));
    st.conditions.add(
        free == 0
            ? condition(
                "Exhausted",
                "True",
                "SubnetExhausted",
                "no subnet of the pool has a free address; add a subnet",
                now)
            : condition("Exhausted", "False", "FreeAddresses", free + " free addresses", now));
    SubnetPoolStatus old = p.getStatus();
    if (old != null && same(old, st)) {
      return false;
    }
    if (old != null) {
      for (Condition c : st.conditions) {
        for (Condition o : old.conditions) {
          if (o.getType().equals(c.getType()) && Objects.equals(o.getStatus(), c.getStatus())) {
            c.setLastTransitionTime(o.getLastTransitionTime());
          }
        }
      }
    }
    p.setStatus(st);
    kube.resources(SubnetPool.class).resource(p).updateStatus();
    return true;
  }

  private boolean same(SubnetPoolStatus a, SubnetPoolStatus b) {
    var json = kube.getKubernetesSerialization();
    if (!json.asJson(a.subnets).equals(json.asJson(b.subnets))
        || a.conditions.size() != b.conditions.size()) {
      return false;
    }
    for (int i = 0; i < a.conditions.size(); i++) {
      Condition x = a.conditions.get(i);
      Condition y = b.conditions.get(i);
      if (!Objects.equals(x.getStatus(), y.getStatus())
          || !Objects.equals(x.getReason(), y.getReason())
          || !Objects.equals(x.getMessage(), y.getMessage())) {
        return false;
      }
    }
    return true;
  }

  private static Condition condition(
      String type, String status, String reason, String message, String now) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withLastTransitionTime(now)
        .build();
  }
}
