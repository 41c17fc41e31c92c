package io.vpccni.crd;

import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.ArrayList;
import java.util.List;

/** Written by operators. */
public class SubnetPoolSpec {
  /** VPC subnet ids; a node uses those in its own zone. */
  public List<String> subnets = new ArrayList<>();

  /** Namespaces whose pods this pool serves (null or empty selector: every namespace). */
  public LabelSelector namespaceSelector;

  /** Pods this pool serves within those namespaces (null or empty selector: every pod). */
  public LabelSelector podSelector;

  /** Security groups of the ENIs created for this pool (empty: the node's own). */
  public List<String> securityGroups = new ArrayList<>();

  /** When several pools match a pod, the highest priority wins, then the first name. */
  public Integer priority;
}
