/**
 * Java types of the {@code vpc-cni.io} custom resources. {@link io.vpccni.crd.NodeEni} is the
 * hand-off between controller and agent: the controller writes its spec (the node's instance, ENIs
 * and IPs, warm-pool targets), the agent writes its status (usage, demand, conditions). The CRD
 * YAML with its OpenAPI schema is {@code crds/nodeenis.vpc-cni.io.yaml} on the classpath.
 */
package io.vpccni.crd;
