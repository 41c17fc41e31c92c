package io.vpccni.cloud.openstack.api;

/** Body of {@code POST /v2.0/networks}: a name; everything else takes Neutron's defaults. */
public record NetworkCreate(String name) {}
