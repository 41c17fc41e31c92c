package io.vpccni.emulator.model;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** A Neutron network. Mutable; only {@link Vpc} changes it, under its lock. */
public final class Network {
  public String id;
  public String name = "";
  public String projectId;
  public int mtu = 1450;
  public List<String> subnets = new ArrayList<>();
  public TreeSet<String> tags = new TreeSet<>();
  public long revisionNumber;
  public String createdAt;
  public String updatedAt;

  Network copy() {
    Network n = new Network();
    n.id = id;
    n.name = name;
    n.projectId = projectId;
    n.mtu = mtu;
    n.subnets = new ArrayList<>(subnets);
    n.tags = new TreeSet<>(tags);
    n.revisionNumber = revisionNumber;
    n.createdAt = createdAt;
    n.updatedAt = updatedAt;
    return n;
  }
}
