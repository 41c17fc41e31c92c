package io.vpccni.crd;

import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** One per node, cluster-scoped, named after the node. */
@Group(NodeEni.GROUP)
@Version(NodeEni.VERSION)
@Kind("NodeENI")
@Plural("nodeenis")
@Singular("nodeeni")
public class NodeEni extends CustomResource<NodeEniSpec, NodeEniStatus> {
  public static final String GROUP = "vpc-cni.io";
  public static final String VERSION = "v1alpha1";
  public static final String CRD_NAME = "nodeenis." + GROUP;

  /** Classpath location of the CRD manifest. */
  public static final String CRD_RESOURCE = "/crds/nodeenis.vpc-cni.io.yaml";
}
