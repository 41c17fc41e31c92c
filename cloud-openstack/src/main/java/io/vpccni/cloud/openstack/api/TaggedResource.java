package io.vpccni.cloud.openstack.api;

/** Neutron collections that carry tags ({@code standard-attr-tag}), by URL path segment. */
public enum TaggedResource {
  NETWORKS("networks"),
  SUBNETS("subnets"),
  PORTS("ports");

  private final String path;

  TaggedResource(String path) {
    this.path = path;
  }

  public String path() {
    return path;
  }
}
