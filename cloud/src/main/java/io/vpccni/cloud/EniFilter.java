package io.vpccni.cloud;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Which ENIs {@link VpcApi#listEnis} returns: those carrying every one of {@code tags} (key and
 * value equal) and, when set, attached to {@code instanceId} and in {@code subnetId}. An empty
 * filter matches every ENI the credentials can see.
 */
public record EniFilter(
    Map<String, String> tags, Optional<String> instanceId, Optional<String> subnetId) {

  public EniFilter {
    tags = Collections.unmodifiableMap(new TreeMap<>(tags));
    java.util.Objects.requireNonNull(instanceId, "instanceId");
    java.util.Objects.requireNonNull(subnetId, "subnetId");
  }

  /** ENIs carrying all of {@code tags}. */
  public static EniFilter byTags(Map<String, String> tags) {
    return new EniFilter(tags, Optional.empty(), Optional.empty());
  }

  /** ENIs attached to {@code instanceId}, its primary ENI included. */
  public static EniFilter byInstance(String instanceId) {
    return new EniFilter(Map.of(), Optional.of(instanceId), Optional.empty());
  }

  /** This filter, further restricted to ENIs attached to {@code id}. */
  public EniFilter andInstance(String id) {
    return new EniFilter(tags, Optional.of(id), subnetId);
  }

  /** This filter, further restricted to ENIs in subnet {@code id}. */
  public EniFilter andSubnet(String id) {
    return new EniFilter(tags, instanceId, Optional.of(id));
  }

  /** Whether {@code eni} passes this filter. Providers that filter locally use this. */
  public boolean matches(Eni eni) {
    for (var e : tags.entrySet()) {
      if (!e.getValue().equals(eni.tags().get(e.getKey()))) {
        return false;
      }
    }
    return instanceId.map(eni::isAttachedTo).orElse(true)
        && subnetId.map(s -> s.equals(eni.subnetId())).orElse(true);
  }

  /** Prints like {@code tags {vpc-cni:cluster=prod} instance i-1}. */
  @Override
  public String toString() {
    String s =
        (tags.isEmpty() ? "" : "tags " + tags)
            + instanceId.map(i -> " instance " + i).orElse("")
            + subnetId.map(i -> " subnet " + i).orElse("");
    return s.isEmpty() ? "all" : s.strip();
  }
}
