package io.vpccni.emulator.api;

import io.vpccni.emulator.faults.Operation;
import io.vpccni.emulator.model.AddressPair;
import io.vpccni.emulator.model.FixedIpRequest;
import io.vpccni.emulator.model.Network;
import io.vpccni.emulator.model.Port;
import io.vpccni.emulator.model.PortSpec;
import io.vpccni.emulator.model.Subnet;
import io.vpccni.emulator.model.Vpc;
import io.vpccni.emulator.model.VpcException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Neutron v2.0 subset: networks, subnets, ports, port tags, network IP availability. Bodies,
 * status codes and error types follow a real neutron-server (Zed) as recorded in {@code
 * neutron-server.md}.
 *
 * <p>About 480 lines: the route table and the strict parsing of port attributes are one
 * specification of what the real server accepts and are read best together; views and the list
 * query live in {@link NeutronViews} and {@link ListQuery}.
 */
final class NeutronApi implements Api {
  private static final Set<String> PORT_CREATE_ATTRS =
      Set.of(
          "network_id",
          "name",
          "description",
          "mac_address",
          "admin_state_up",
          "device_id",
          "device_owner",
          "binding:host_id",
          "fixed_ips",
          "allowed_address_pairs",
          "security_groups",
          "tags",
          "project_id",
          "tenant_id",
          "binding:vnic_type",
          "binding:profile",
          "port_security_enabled");
  private static final Set<String> PORT_READ_ONLY =
      Set.of(
          "id",
          "status",
          "revision_number",
          "created_at",
          "updated_at",
          "binding:vif_type",
          "binding:vif_details");

  private final Vpc vpc;

  NeutronApi(Vpc vpc) {
    this.vpc = vpc;
  }

  @Override
  public Optional<Route> route(Request r) {
    List<String> p = r.path();
    String m = r.method();
    if (p.size() < 2) {
      return Optional.empty();
    }
    String collection = p.get(1);
    int n = p.size();
    Route route =
        switch (collection) {
          case "networks" ->
              switch (n) {
                case 2 ->
                    m.equals("GET")
                        ? new Route(Operation.NETWORKS_LIST, this::listNetworks)
                        : m.equals("POST")
                            ? new Route(Operation.NETWORKS_CREATE, this::createNetwork)
                            : null;
                case 3 ->
                    m.equals("GET")
                        ? new Route(Operation.NETWORKS_SHOW, this::showNetwork)
                        : m.equals("DELETE")
                            ? new Route(Operation.NETWORKS_DELETE, this::deleteNetwork)
                            : null;
                default -> null;
              };
          case "subnets" ->
              switch (n) {
                case 2 ->
                    m.equals("GET")
                        ? new Route(Operation.SUBNETS_LIST, this::listSubnets)
                        : m.equals("POST")
                            ? new Route(Operation.SUBNETS_CREATE, this::createSubnet)
                            : null;
                case 3 ->
                    m.equals("GET") ? new Route(Operation.SUBNETS_SHOW, this::showSubnet) : null;
                default -> null;
              };
          case "network-ip-availabilities" ->
              n == 3 && m.equals("GET")
                  ? new Route(Operation.IP_AVAILABILITY, this::ipAvailability)
                  : null;
          case "ports" -> portRoute(m, p);
          default -> null;
        };
    if (route == null && Set.of("networks", "subnets", "ports").contains(collection) && n <= 5) {
      route =
          new Route(
              null,
              req ->
                  error(
                      405,
                      "HTTPMethodNotAllowed",
                      "The method " + m + " is not allowed for this resource."));
    }
    return Optional.ofNullable(route);
  }

  private Route portRoute(String m, List<String> p) {
    return switch (p.size()) {
      case 2 ->
          m.equals("GET")
              ? new Route(Operation.PORTS_LIST, this::listPorts)
              : m.equals("POST") ? new Route(Operation.PORTS_CREATE, this::createPort) : null;
      case 3 ->
          switch (m) {
            case "GET" -> new Route(Operation.PORTS_SHOW, this::showPort);
            case "PUT" -> new Route(Operation.PORTS_UPDATE, this::updatePort);
            case "DELETE" -> new Route(Operation.PORTS_DELETE, this::deletePort);
            default -> null;
          };
      case 4 -> p.get(3).equals("tags") ? new Route(Operation.PORTS_TAGS, this::tags) : null;
      case 5 -> p.get(3).equals("tags") ? new Route(Operation.PORTS_TAGS, this::tag) : null;
      default -> null;
    };
  }

  @Override
  public Response error(int status, String type, String message) {
    ObjectNode root = Json.object();
    ObjectNode e = root.putObject("NeutronError");
    e.put("type", type);
    e.put("message", message);
    e.put("detail", "");
    return Response.json(status, root);
  }

  // ---- networks ----

  private Response listNetworks(Request r) {
    return Response.json(
        200,
        ListQuery.list(
            r, "networks", vpc.networks().stream().map(NeutronViews::view).toList(), true));
  }

  private Response showNetwork(Request r) {
    Network n =
        vpc.network(r.segment(2))
            .orElseThrow(
                () ->
                    new VpcException(
                        404,
                        "NetworkNotFound",
                        "Network " + r.segment(2) + " could not be found."));
    return Response.json(
        200, ListQuery.single("network", ListQuery.fields(r, NeutronViews.view(n))));
  }

  private Response createNetwork(Request r) {
    JsonNode b = Json.member(r.body(), "network");
    return Response.json(
        201,
        ListQuery.single(
            "network",
            NeutronViews.view(vpc.createNetwork(Json.string(b, "name"), Json.strings(b, "tags")))));
  }

  private Response deleteNetwork(Request r) {
    vpc.deleteNetwork(r.segment(2));
    return Response.empty(204);
  }

  // ---- subnets ----

  private Response listSubnets(Request r) {
    return Response.json(
        200,
        ListQuery.list(
            r, "subnets", vpc.subnets().stream().map(NeutronViews::view).toList(), true));
  }

  private Response showSubnet(Request r) {
    Subnet s =
        vpc.subnet(r.segment(2))
            .orElseThrow(
                () ->
                    new VpcException(
                        404, "SubnetNotFound", "Subnet " + r.segment(2) + " could not be found."));
    return Response.json(
        200, ListQuery.single("subnet", ListQuery.fields(r, NeutronViews.view(s))));
  }

  private Response createSubnet(Request r) {
    JsonNode b = Json.member(r.body(), "subnet");
    String networkId = Json.string(b, "network_id");
    String cidr = Json.string(b, "cidr");
    if (networkId == null || cidr == null) {
      throw new VpcException(
          400,
          "HTTPBadRequest",
          "Failed to parse request. Required attribute 'network_id' and 'cidr' not specified");
    }
    JsonNode ipVersion = b.get("ip_version");
    if (ipVersion != null && ipVersion.asInt() != 4) {
      throw new VpcException(
          400,
          "HTTPBadRequest",
          "Invalid input for ip_version: the emulator serves IPv4 subnets only");
    }
    List<Subnet.Pool> pools = new ArrayList<>();
    JsonNode pj = b.get("allocation_pools");
    if (pj != null && pj.isArray()) {
      for (JsonNode e : pj) {
        pools.add(new Subnet.Pool(Json.string(e, "start"), Json.string(e, "end")));
      }
    }
    String gateway =
        b.has("gateway_ip") && b.get("gateway_ip").isNull() ? "" : Json.string(b, "gateway_ip");
    Subnet s = vpc.createSubnet(networkId, Json.string(b, "name"), cidr, gateway, pools);
    return Response.json(201, ListQuery.single("subnet", NeutronViews.view(s)));
  }

  private Response ipAvailability(Request r) {
    Network n =
        vpc.network(r.segment(2))
            .orElseThrow(
                () ->
                    new VpcException(
                        404,
                        "NetworkNotFound",
                        "Network " + r.segment(2) + " could not be found."));
    ObjectNode root = Json.object();
    ObjectNode a = root.putObject("network_ip_availability");
    a.put("network_id", n.id);
    a.put("network_name", n.name);
    a.put("tenant_id", n.projectId);
    a.put("project_id", n.projectId);
    long total = 0;
    long used = 0;
    ArrayNode subs = a.putArray("subnet_ip_availability");
    for (String sid : n.subnets) {
      Subnet s = vpc.subnet(sid).orElseThrow();
      long[] tu = vpc.ipAvailability(sid);
      ObjectNode e = subs.addObject();
      e.put("subnet_id", s.id);
      e.put("subnet_name", s.name);
      e.put("cidr", s.cidr);
      e.put("ip_version", s.ipVersion);
      e.put("total_ips", tu[0]);
      e.put("used_ips", tu[1]);
      total += tu[0];
      used += tu[1];
    }
    a.put("total_ips", total);
    a.put("used_ips", used);
    return Response.json(200, root);
  }

  // ---- ports ----

  private Response listPorts(Request r) {
    List<ObjectNode> views = new ArrayList<>();
    for (Port p : vpc.visiblePorts()) {
      if (ListQuery.matchesFixedIps(p, r.params("fixed_ips"))) {
        views.add(NeutronViews.view(p));
      }
    }
    return Response.json(200, ListQuery.list(r, "ports", views, true));
  }

  private Response showPort(Request r) {
    Port p = vpc.visiblePort(r.segment(2)).orElseThrow(() -> portNotFound(r.segment(2)));
    return Response.json(200, ListQuery.single("port", ListQuery.fields(r, NeutronViews.view(p))));
  }

  private Response createPort(Request r) {
    if (r.body() != null && r.body().has("ports") && r.body().get("ports").isArray()) {
      List<Port> created = new ArrayList<>();
      try {
        for (JsonNode b : r.body().get("ports")) {
          created.add(vpc.createPort(spec(b, PORT_CREATE_ATTRS, "POST")));
        }
      } catch (RuntimeException e) {
        created.forEach(p -> vpc.deletePort(p.id));
        throw e;
      }
      ObjectNode root = Json.object();
      ArrayNode a = root.putArray("ports");
      created.forEach(p -> a.add(NeutronViews.view(p)));
      return Response.json(201, root);
    }
    JsonNode b = Json.member(r.body(), "port");
    return Response.json(
        201,
        ListQuery.single(
            "port", NeutronViews.view(vpc.createPort(spec(b, PORT_CREATE_ATTRS, "POST")))));
  }

  private Response updatePort(Request r) {
    JsonNode b = Json.member(r.body(), "port");
    Port p = vpc.updatePort(r.segment(2), spec(b, PORT_CREATE_ATTRS, "PUT"), ifMatch(r));
    return Response.json(200, ListQuery.single("port", NeutronViews.view(p)));
  }

  private Response deletePort(Request r) {
    vpc.deletePort(r.segment(2), ifMatch(r));
    return Response.empty(204);
  }

  /** {@code If-Match: revision_number=N} (extension revision-if-match), or null. */
  private static Long ifMatch(Request r) {
    String header = r.header("If-Match");
    if (header == null) {
      return null;
    }
    if (!header.startsWith("revision_number=")) {
      throw new VpcException(
          400, "HTTPBadRequest", "If-Match header without revision_number designator.");
    }
    try {
      return Long.parseLong(header.substring("revision_number=".length()).trim());
    } catch (NumberFormatException e) {
      throw new VpcException(
          400, "HTTPBadRequest", "Could not parse revision number from If-Match header: " + header);
    }
  }

  private Response tags(Request r) {
    String id = r.segment(2);
    return switch (r.method()) {
      case "GET" -> {
        Port p = vpc.port(id).orElseThrow(() -> portNotFound(id));
        ObjectNode o = Json.object();
        o.set("tags", Json.array(List.copyOf(p.tags)));
        yield Response.json(200, o);
      }
      case "PUT" -> {
        List<String> tags = r.body() == null ? null : Json.strings(r.body(), "tags");
        if (tags == null) {
          throw new VpcException(
              400,
              "HTTPBadRequest",
              "Invalid input for operation: Validation of dictionary's keys failed. Expected keys: {'tags'}");
        }
        ObjectNode o = Json.object();
        o.set("tags", Json.array(vpc.replaceTags(id, tags)));
        yield Response.json(200, o);
      }
      case "DELETE" -> {
        vpc.removeAllTags(id);
        yield Response.empty(204);
      }
      default ->
          error(
              405,
              "HTTPMethodNotAllowed",
              "The method " + r.method() + " is not allowed for this resource.");
    };
  }

  private Response tag(Request r) {
    String id = r.segment(2);
    String tag = r.segment(4);
    return switch (r.method()) {
      case "GET" -> {
        Port p = vpc.port(id).orElseThrow(() -> portNotFound(id));
        if (!p.tags.contains(tag)) {
          throw new VpcException(
              404, "TagNotFound", "Tag " + tag + " could not be found for port " + id + ".");
        }
        yield Response.empty(204);
      }
      case "PUT" -> {
        vpc.addTag(id, tag);
        yield Response.empty(201);
      }
      case "DELETE" -> {
        vpc.removeTag(id, tag);
        yield Response.empty(204);
      }
      default ->
          error(
              405,
              "HTTPMethodNotAllowed",
              "The method " + r.method() + " is not allowed for this resource.");
    };
  }

  private static PortSpec spec(JsonNode b, Set<String> allowed, String method) {
    List<String> unknown = new ArrayList<>();
    for (String key : b.propertyNames()) {
      if (PORT_READ_ONLY.contains(key)) {
        throw new VpcException(
            400,
            "HTTPBadRequest",
            method.equals("PUT")
                ? "Cannot update read-only attribute " + key
                : "Attribute '" + key + "' not allowed in POST");
      }
      if (!allowed.contains(key)) {
        unknown.add(key);
      }
    }
    if (!unknown.isEmpty()) {
      throw new VpcException(
          400, "HTTPBadRequest", "Unrecognized attribute(s) '" + String.join(", ", unknown) + "'");
    }
    if (method.equals("PUT") && b.has("network_id")) {
      throw new VpcException(400, "HTTPBadRequest", "Cannot update read-only attribute network_id");
    }
    List<FixedIpRequest> fixedIps = null;
    JsonNode fj = b.get("fixed_ips");
    if (fj != null && !fj.isNull()) {
      if (!fj.isArray()) {
        throw new VpcException(
            400,
            "HTTPBadRequest",
            "Invalid input for fixed_ips. Reason: Invalid data format for fixed IP: '" + fj + "'.");
      }
      fixedIps = new ArrayList<>();
      for (JsonNode e : fj) {
        if (!e.isObject()) {
          throw new VpcException(
              400,
              "HTTPBadRequest",
              "Invalid input for fixed_ips. Reason: Invalid data format for fixed IP: '"
                  + e
                  + "'.");
        }
        fixedIps.add(new FixedIpRequest(Json.string(e, "subnet_id"), Json.string(e, "ip_address")));
      }
    }
    List<AddressPair> pairs = null;
    JsonNode aj = b.get("allowed_address_pairs");
    if (aj != null && !aj.isNull()) {
      if (!aj.isArray()) {
        throw new VpcException(
            400,
            "HTTPBadRequest",
            "Invalid input for allowed_address_pairs. Reason: '" + aj + "' is not a list.");
      }
      pairs = new ArrayList<>();
      for (JsonNode e : aj) {
        pairs.add(new AddressPair(Json.string(e, "ip_address"), Json.string(e, "mac_address")));
      }
    }
    return new PortSpec(
        Json.string(b, "network_id"),
        Json.string(b, "name"),
        Json.string(b, "description"),
        Json.string(b, "mac_address"),
        Json.bool(b, "admin_state_up"),
        Json.string(b, "device_id"),
        Json.string(b, "device_owner"),
        Json.string(b, "binding:host_id"),
        fixedIps,
        pairs,
        Json.strings(b, "security_groups"),
        method.equals("POST") ? Json.strings(b, "tags") : null);
  }

  private static VpcException portNotFound(String id) {
    return new VpcException(404, "PortNotFound", "Port " + id + " could not be found.");
  }
}
