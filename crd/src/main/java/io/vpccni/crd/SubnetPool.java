package io.vpccni.crd;

import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A set of VPC subnets (with security groups) that serves the pods its selectors match,
 * cluster-scoped. The spec is the operator's; the status is the controller's (per subnet its CIDR
 * and free addresses, and conditions). See docs/subnet-pools.md.
 */
@Group(NodeEni.GROUP)
@Version(NodeEni.VERSION)
@Kind("SubnetPool")
@Plural("subnetpools")
@Singular("subnetpool")
public class SubnetPool extends CustomResource<SubnetPoolSpec, SubnetPoolStatus> {
  public static final String CRD_NAME = "subnetpools." + NodeEni.GROUP;

  /** Classpath location of the CRD manifest. */
  public static final String CRD_RESOURCE = "/crds/subnetpools.vpc-cni.io.yaml";

  /** The pod annotation that names a pod's SubnetPool explicitly. */
  public static final String POD_ANNOTATION = "vpc-cni.io/subnet-pool";

  /** The name of the node's own subnet's pool in NodeENI fields ({@code ""}). */
  public static final String DEFAULT_POOL = "";

  /** {@code pool} as operators read it: {@code "default"} for the node's own subnet. */
  public static String display(String pool) {
    return pool == null || pool.isEmpty() ? "default" : pool;
  }
}
