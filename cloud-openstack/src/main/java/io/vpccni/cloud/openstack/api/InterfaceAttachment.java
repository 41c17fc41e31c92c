package io.vpccni.cloud.openstack.api;

import io.vpccni.netaddr.MacAddress;
import java.util.List;

/** Nova's {@code interfaceAttachment}: a port attached to a server. */
public record InterfaceAttachment(
    String portId,
    String networkId,
    MacAddress macAddress,
    String portState,
    List<FixedIp> fixedIps) {
  public InterfaceAttachment {
    fixedIps = List.copyOf(fixedIps);
  }
}
