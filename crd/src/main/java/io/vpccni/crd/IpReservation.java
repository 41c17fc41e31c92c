package io.vpccni.crd;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A pod's fixed IP, namespaced, named after the pod (docs/fixed-ips.md). The agent creates it at
 * the pod's first ADD and marks it Bound or Released; the controller moves the address to the ENI
 * of the node that asks for it and deletes the reservation once it was Released for longer than its
 * TTL. There is no status subresource: the agent creates a reservation with its state in one write,
 * so a crash cannot leave one without a state.
 */
@Group(NodeEni.GROUP)
@Version(NodeEni.VERSION)
@Kind("IPReservation")
@Plural("ipreservations")
@Singular("ipreservation")
public class IpReservation extends CustomResource<IpReservationSpec, IpReservationStatus>
    implements Namespaced {
  public static final String CRD_NAME = "ipreservations." + NodeEni.GROUP;

  /** Classpath location of the CRD manifest. */
  public static final String CRD_RESOURCE = "/crds/ipreservations.vpc-cni.io.yaml";

  /** Pod (or StatefulSet) annotation turning fixed IPs on: {@code "true"} or {@code "false"}. */
  public static final String FIXED_IP_ANNOTATION = "vpc-cni.io/fixed-ip";

  /** Pod (or StatefulSet) annotation with the reservation's TTL, a duration such as "10m". */
  public static final String TTL_ANNOTATION = "vpc-cni.io/fixed-ip-ttl";

  public static final String BOUND = "Bound";
  public static final String RELEASED = "Released";
  public static final String MOVING = "Moving";

  @Override
  protected IpReservationSpec initSpec() {
    return new IpReservationSpec();
  }

  @Override
  protected IpReservationStatus initStatus() {
    return new IpReservationStatus();
  }
}
