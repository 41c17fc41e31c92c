package io.vpccni.emulator.api;

import io.vpccni.emulator.faults.Operation;
import io.vpccni.emulator.model.FixedIp;
import io.vpccni.emulator.model.FixedIpRequest;
import io.vpccni.emulator.model.Instance;
import io.vpccni.emulator.model.InstanceType;
import io.vpccni.emulator.model.Network;
import io.vpccni.emulator.model.Port;
import io.vpccni.emulator.model.PortSpec;
import io.vpccni.emulator.model.Vpc;
import io.vpccni.emulator.model.VpcException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Compute v2.1 subset: a minimal {@code GET /servers/{id}} and the {@code os-interface} calls.
 * Errors take Nova's shape, {@code {"itemNotFound": {"code": 404, "message": ...}}}, with Nova's
 * fault names per status. Attach answers 200 with the attachment, detach 202, as Nova does.
 */
final class ComputeApi implements Api {
  private static final Map<Integer, String> FAULT_NAMES =
      Map.of(
          400, "badRequest",
          403, "forbidden",
          404, "itemNotFound",
          405, "badMethod",
          409, "conflictingRequest",
          412, "conflictingRequest",
          429, "overLimit",
          503, "serviceUnavailable");

  private final Vpc vpc;

  ComputeApi(Vpc vpc) {
    this.vpc = vpc;
  }

  @Override
  public Optional<Route> route(Request r) {
    List<String> p = r.path();
    String m = r.method();
    if (p.size() < 3 || !p.get(1).equals("servers")) {
      return Optional.empty();
    }
    Route route = null;
    if (p.size() == 3 && m.equals("GET")) {
      route = new Route(Operation.SERVERS_SHOW, this::showServer);
    } else if (p.size() >= 4 && p.get(3).equals("os-interface")) {
      if (p.size() == 4) {
        route =
            m.equals("GET")
                ? new Route(Operation.INTERFACE_LIST, this::listInterfaces)
                : m.equals("POST") ? new Route(Operation.INTERFACE_ATTACH, this::attach) : null;
      } else if (p.size() == 5) {
        route =
            m.equals("GET")
                ? new Route(Operation.INTERFACE_LIST, this::showInterface)
                : m.equals("DELETE") ? new Route(Operation.INTERFACE_DETACH, this::detach) : null;
      }
    }
    return Optional.ofNullable(route);
  }

  @Override
  public Response error(int status, String type, String message) {
    ObjectNode root = Json.object();
    ObjectNode e = root.putObject(FAULT_NAMES.getOrDefault(status, "computeFault"));
    e.put("code", status);
    e.put("message", message);
    return Response.json(status, root);
  }

  private Instance instance(String id) {
    return vpc.instance(id)
        .orElseThrow(
            () ->
                new VpcException(
                    404, "InstanceNotFound", "Instance " + id + " could not be found."));
  }

  private Response showServer(Request r) {
    Instance i = instance(r.segment(2));
    InstanceType type = InstanceType.byName(i.instanceType).orElseThrow();
    ObjectNode root = Json.object();
    ObjectNode s = root.putObject("server");
    s.put("id", i.id);
    s.put("name", i.name);
    s.put("status", "ACTIVE");
    s.put("tenant_id", "fake_project_id");
    s.put("created", i.createdAt);
    s.put("OS-EXT-SRV-ATTR:host", i.host);
    s.put("OS-EXT-SRV-ATTR:hypervisor_hostname", i.host);
    ObjectNode flavor = s.putObject("flavor");
    flavor.put("id", type.name());
    flavor.put("original_name", type.name());
    flavor.putArray("links");
    ObjectNode addresses = s.putObject("addresses");
    for (String portId : i.interfaces.values()) {
      Port p = vpc.port(portId).orElse(null);
      if (p == null) {
        continue;
      }
      String net =
          vpc.network(p.networkId).map(n -> n.name.isEmpty() ? n.id : n.name).orElse(p.networkId);
      ArrayNode list =
          addresses.has(net) ? (ArrayNode) addresses.get(net) : addresses.putArray(net);
      for (FixedIp ip : p.fixedIps) {
        ObjectNode a = list.addObject();
        a.put("version", 4);
        a.put("addr", ip.ipAddress());
        a.put("OS-EXT-IPS:type", "fixed");
        a.put("OS-EXT-IPS-MAC:mac_addr", p.macAddress);
      }
    }
    s.putObject("metadata");
    return Response.json(200, root);
  }

  private Response listInterfaces(Request r) {
    Instance i = instance(r.segment(2));
    ObjectNode root = Json.object();
    ArrayNode a = root.putArray("interfaceAttachments");
    i.interfaces.forEach((index, portId) -> vpc.port(portId).ifPresent(p -> a.add(view(p, index))));
    return Response.json(200, root);
  }

  private Response showInterface(Request r) {
    Instance i = instance(r.segment(2));
    String portId = r.segment(4);
    for (var e : i.interfaces.entrySet()) {
      if (e.getValue().equals(portId)) {
        Port p = vpc.port(portId).orElseThrow();
        ObjectNode root = Json.object();
        root.set("interfaceAttachment", view(p, e.getKey()));
        return Response.json(200, root);
      }
    }
    throw new VpcException(
        404, "PortNotFound", "Instance " + i.id + " is not attached to port " + portId + ".");
  }

  /**
   * Attaches an existing port ({@code port_id}) or, as Nova does, a new port created on {@code
   * net_id} (optionally with {@code fixed_ips}); a port made here is deleted again if the attach is
   * refused.
   */
  private Response attach(Request r) {
    Instance i = instance(r.segment(2));
    JsonNode b = Json.member(r.body(), "interfaceAttachment");
    String portId = Json.string(b, "port_id");
    String netId = Json.string(b, "net_id");
    if (portId != null && netId != null) {
      throw new VpcException(400, "HTTPBadRequest", "Must not input both network_id and port_id");
    }
    boolean created = false;
    if (portId == null) {
      if (netId == null) {
        throw new VpcException(
            400,
            "HTTPBadRequest",
            "Invalid input for field/attribute interfaceAttachment: port_id or net_id is required.");
      }
      Network n =
          vpc.network(netId)
              .orElseThrow(
                  () ->
                      new VpcException(
                          404, "NetworkNotFound", "Network " + netId + " could not be found."));
      List<FixedIpRequest> ips = null;
      JsonNode fj = b.get("fixed_ips");
      if (fj != null && fj.isArray()) {
        ips = new java.util.ArrayList<>();
        for (JsonNode e : fj) {
          ips.add(new FixedIpRequest(Json.string(e, "subnet_id"), Json.string(e, "ip_address")));
        }
      }
      try {
        portId =
            vpc.createPort(
                    new PortSpec(
                        n.id, null, null, null, null, null, null, null, ips, null, null, null))
                .id;
      } catch (VpcException e) {
        // Nova's attach maps NoMoreFixedIps to 400 (FixedIpAlreadyInUse stays 409)
        if (e.type().equals("IpAddressGenerationFailure")) {
          throw new VpcException(
              400, "NoMoreFixedIps", "No fixed IP addresses available for network: " + n.id);
        }
        throw e;
      }
      created = true;
    } else if (vpc.port(portId).isEmpty()) {
      throw new VpcException(404, "PortNotFound", "Port id " + portId + " could not be found.");
    }
    int index;
    try {
      index = vpc.attach(i.id, portId);
    } catch (VpcException e) {
      if (created) {
        vpc.deletePort(portId);
      }
      throw e;
    }
    ObjectNode root = Json.object();
    root.set("interfaceAttachment", view(vpc.port(portId).orElseThrow(), index));
    return Response.json(200, root);
  }

  private Response detach(Request r) {
    Instance i = instance(r.segment(2));
    vpc.detach(i.id, r.segment(4));
    return Response.empty(202);
  }

  /** Nova's attachment view; {@code vpc:device_index} is the emulator's addition. */
  private static ObjectNode view(Port p, int index) {
    ObjectNode o = Json.object();
    o.put("port_id", p.id);
    o.put("net_id", p.networkId);
    o.put("mac_addr", p.macAddress);
    o.put("port_state", p.status);
    ArrayNode ips = o.putArray("fixed_ips");
    for (FixedIp ip : NeutronViews.sortedAsNeutronLists(p.fixedIps)) {
      ObjectNode e = ips.addObject();
      e.put("subnet_id", ip.subnetId());
      e.put("ip_address", ip.ipAddress());
    }
    o.putNull("tag");
    o.put("vpc:device_index", index);
    return o;
  }
}
