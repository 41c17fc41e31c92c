package io.vpccni.cloud.openstack.api;

import java.util.List;

/** A Neutron network, the fields this project reads. */
public record Network(
    String id, String name, String status, String projectId, int mtu, List<String> tags) {
  public Network {
    tags = List.copyOf(tags);
  }
}
