package io.vpccni.emulator.model;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** A Neutron port, which the emulator treats as an ENI. Mutable, owned by {@link Vpc}. */
public final class Port {
  public String id;
  public String name = "";
  public String description = "";
  public String networkId;
  public String projectId;
  public String macAddress;
  public boolean adminStateUp = true;
  public String status = "DOWN";
  public String deviceId = "";
  public String deviceOwner = "";
  public String hostId = "";
  public List<FixedIp> fixedIps = new ArrayList<>();
  public List<AddressPair> allowedAddressPairs = new ArrayList<>();
  public List<String> securityGroups = new ArrayList<>();
  public TreeSet<String> tags = new TreeSet<>();
  public long revisionNumber;
  public String createdAt;
  public String updatedAt;

  /** Epoch millis before which GET and list do not show the port (eventual consistency). */
  public long visibleAfter;

  Port copy() {
    Port p = new Port();
    p.id = id;
    p.name = name;
    p.description = description;
    p.networkId = networkId;
    p.projectId = projectId;
    p.macAddress = macAddress;
    p.adminStateUp = adminStateUp;
    p.status = status;
    p.deviceId = deviceId;
    p.deviceOwner = deviceOwner;
    p.hostId = hostId;
    p.fixedIps = new ArrayList<>(fixedIps);
    p.allowedAddressPairs = new ArrayList<>(allowedAddressPairs);
    p.securityGroups = new ArrayList<>(securityGroups);
    p.tags = new TreeSet<>(tags);
    p.revisionNumber = revisionNumber;
    p.createdAt = createdAt;
    p.updatedAt = updatedAt;
    p.visibleAfter = visibleAfter;
    return p;
  }
}
