package io.vpccni.emulator.model;

import java.util.List;

/**
 * Told of every change the wire must follow (the data plane). Called under the VPC's lock, in the
 * order the changes happen, with copies; a listener that throws is logged as a {@code
 * dataplane.error} event and does not fail the API call.
 */
public interface VpcListener {
  default void subnetCreated(Subnet subnet) {}

  default void instanceCreated(Instance instance) {}

  default void portAttached(Instance instance, int deviceIndex, Port port) {}

  default void portDetached(Instance instance, Port port) {}

  /** The port's addresses changed from {@code before} to {@code port.fixedIps}. */
  default void portAddressesChanged(Port port, List<FixedIp> before) {}

  /** The whole VPC is about to be replaced (state load): forget everything built so far. */
  default void reset() {}

  VpcListener NONE = new VpcListener() {};
}
