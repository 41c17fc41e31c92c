package io.vpccni.emulator.model;

import java.util.TreeMap;

/**
 * A server (node) of a given instance type. {@code interfaces} maps device index to port id; index
 * 0 is the primary ENI created with the instance.
 */
public final class Instance {
  public String id;
  public String name;
  public String instanceType;
  public String host;
  public String primaryPortId;
  public TreeMap<Integer, String> interfaces = new TreeMap<>();
  public String createdAt;

  Instance copy() {
    Instance i = new Instance();
    i.id = id;
    i.name = name;
    i.instanceType = instanceType;
    i.host = host;
    i.primaryPortId = primaryPortId;
    i.interfaces = new TreeMap<>(interfaces);
    i.createdAt = createdAt;
    return i;
  }
}
