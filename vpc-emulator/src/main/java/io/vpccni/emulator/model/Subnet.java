package io.vpccni.emulator.model;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A Neutron subnet: an IPv4 CIDR, a gateway and allocation pools. Mutable, owned by {@link Vpc}.
 */
public final class Subnet {
  /** An inclusive range of addresses handed out automatically. */
  public record Pool(String start, String end) {}

  public String id;
  public String name = "";
  public String networkId;
  public String projectId;
  public String cidr;
  public String gatewayIp;
  public int ipVersion = 4;
  public boolean enableDhcp;
  public List<Pool> allocationPools = new ArrayList<>();
  public TreeSet<String> tags = new TreeSet<>();
  public long revisionNumber;
  public String createdAt;
  public String updatedAt;

  Subnet copy() {
    Subnet s = new Subnet();
    s.id = id;
    s.name = name;
    s.networkId = networkId;
    s.projectId = projectId;
    s.cidr = cidr;
    s.gatewayIp = gatewayIp;
    s.ipVersion = ipVersion;
    s.enableDhcp = enableDhcp;
    s.allocationPools = new ArrayList<>(allocationPools);
    s.tags = new TreeSet<>(tags);
    s.revisionNumber = revisionNumber;
    s.createdAt = createdAt;
    s.updatedAt = updatedAt;
    return s;
  }
}
