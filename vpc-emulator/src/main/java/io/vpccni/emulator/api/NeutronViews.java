package io.vpccni.emulator.api;

import io.vpccni.emulator.model.AddressPair;
import io.vpccni.emulator.model.FixedIp;
import io.vpccni.emulator.model.Network;
import io.vpccni.emulator.model.Port;
import io.vpccni.emulator.model.Subnet;
import java.util.List;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Neutron's JSON views of networks, subnets and ports, attribute for attribute. */
final class NeutronViews {
  private NeutronViews() {}

  static ObjectNode view(Network n) {
    ObjectNode o = Json.object();
    o.put("id", n.id);
    o.put("name", n.name);
    o.put("tenant_id", n.projectId);
    o.put("project_id", n.projectId);
    o.put("admin_state_up", true);
    o.put("status", "ACTIVE");
    o.set("subnets", Json.array(n.subnets));
    o.put("shared", false);
    o.put("mtu", n.mtu);
    o.put("provider:network_type", "vxlan");
    o.putNull("provider:physical_network");
    o.put("provider:segmentation_id", Math.floorMod(n.id.hashCode(), 1000) + 1);
    o.put("router:external", false);
    o.put("port_security_enabled", true);
    o.put("description", "");
    o.set("tags", Json.array(List.copyOf(n.tags)));
    o.put("created_at", n.createdAt);
    o.put("updated_at", n.updatedAt);
    o.put("revision_number", n.revisionNumber);
    return o;
  }

  static ObjectNode view(Subnet s) {
    ObjectNode o = Json.object();
    o.put("id", s.id);
    o.put("name", s.name);
    o.put("network_id", s.networkId);
    o.put("tenant_id", s.projectId);
    o.put("project_id", s.projectId);
    o.put("cidr", s.cidr);
    if (s.gatewayIp == null || s.gatewayIp.isEmpty()) {
      o.putNull("gateway_ip");
    } else {
      o.put("gateway_ip", s.gatewayIp);
    }
    o.put("ip_version", s.ipVersion);
    o.put("enable_dhcp", s.enableDhcp);
    ArrayNode pools = o.putArray("allocation_pools");
    for (Subnet.Pool p : s.allocationPools) {
      ObjectNode e = pools.addObject();
      e.put("start", p.start());
      e.put("end", p.end());
    }
    o.putArray("dns_nameservers");
    o.putArray("host_routes");
    o.putNull("ipv6_ra_mode");
    o.putNull("ipv6_address_mode");
    o.putNull("subnetpool_id");
    o.put("description", "");
    o.putArray("service_types");
    o.set("tags", Json.array(List.copyOf(s.tags)));
    o.put("created_at", s.createdAt);
    o.put("updated_at", s.updatedAt);
    o.put("revision_number", s.revisionNumber);
    return o;
  }

  static ObjectNode view(Port p) {
    ObjectNode o = Json.object();
    o.put("id", p.id);
    o.put("name", p.name);
    o.put("network_id", p.networkId);
    o.put("tenant_id", p.projectId);
    o.put("project_id", p.projectId);
    o.put("mac_address", p.macAddress);
    o.put("admin_state_up", p.adminStateUp);
    o.put("status", p.status);
    o.put("device_id", p.deviceId);
    o.put("device_owner", p.deviceOwner);
    ArrayNode ips = o.putArray("fixed_ips");
    // Listed sorted by address TEXT, as Zed's neutron-server does ("10.0.0.100" before "10.0.0.76",
    // checked on the real server): a client must not take the first entry as the oldest.
    for (FixedIp ip : sortedAsNeutronLists(p.fixedIps)) {
      ObjectNode e = ips.addObject();
      e.put("subnet_id", ip.subnetId());
      e.put("ip_address", ip.ipAddress());
    }
    ArrayNode pairs = o.putArray("allowed_address_pairs");
    for (AddressPair a : p.allowedAddressPairs) {
      ObjectNode e = pairs.addObject();
      e.put("ip_address", a.ipAddress());
      e.put("mac_address", a.macAddress());
    }
    o.put("binding:host_id", p.hostId);
    o.put("binding:vif_type", p.hostId.isEmpty() ? "unbound" : "ovs");
    o.put("binding:vnic_type", "normal");
    o.putObject("binding:profile");
    o.putObject("binding:vif_details");
    o.set("security_groups", Json.array(p.securityGroups));
    o.put("port_security_enabled", true);
    o.putArray("extra_dhcp_opts");
    o.put("description", p.description);
    o.set("tags", Json.array(List.copyOf(p.tags)));
    o.put("created_at", p.createdAt);
    o.put("updated_at", p.updatedAt);
    o.put("revision_number", p.revisionNumber);
    return o;
  }

  /** {@code fixed_ips} in the order neutron-server lists them: by address text. */
  static java.util.List<FixedIp> sortedAsNeutronLists(java.util.List<FixedIp> ips) {
    return ips.stream().sorted(java.util.Comparator.comparing(FixedIp::ipAddress)).toList();
  }
}
