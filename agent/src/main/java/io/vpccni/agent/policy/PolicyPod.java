package io.vpccni.agent.policy;

import io.vpccni.netaddr.IpAddress;
import java.util.List;
import java.util.Map;

/**
 * A pod as policy sees it: where it is, its labels, its address and its named container ports.
 *
 * @param ip empty for a pod without an address yet (it matches no peer)
 */
public record PolicyPod(
    String namespace,
    String name,
    java.util.Optional<IpAddress> ip,
    Map<String, String> labels,
    List<NamedPort> ports) {
  public PolicyPod {
    labels = Map.copyOf(labels);
    ports = List.copyOf(ports);
  }

  /** A container port with a name, which policies may refer to by that name. */
  public record NamedPort(String name, Protocol protocol, int port) {}

  public String key() {
    return namespace + "/" + name;
  }
}
