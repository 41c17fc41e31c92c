package io.vpccni.cloud.openstack.api;

import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.IpPrefix;
import io.vpccni.netaddr.MacAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Neutron v2.0: networks, subnets, ports and tags. One method is one HTTP call; failures are {@link
 * OpenStackApiException} with Neutron's error type. Thread-safe. Nothing here retries, reads before
 * writing or serializes writes: callers that update {@code fixed_ips} or {@code
 * allowed_address_pairs} must go through a {@link PortWriteSerializer}.
 */
public final class NeutronClient {
  private static final String V2 = "/v2.0";

  private final Transport transport;

  public NeutronClient(OpenStackSession session, HttpClient http, Duration requestTimeout) {
    this.transport = new Transport(http, session, requestTimeout);
  }

  /** JDK HTTP/1.1 client, 60 s per request (a loaded neutron-server can take 10+ s per write). */
  public NeutronClient(OpenStackSession session) {
    this(session, Transport.defaultHttpClient(), Duration.ofSeconds(60));
  }

  /** The endpoint in use, always ending in {@code /v2.0}. */
  public URI endpoint() {
    String base =
        Transport.trimSlash(transport.session().endpoint(OpenStackSession.NETWORK).toString());
    return URI.create(base.endsWith(V2) ? base : base + V2);
  }

  /** Aliases of the loaded API extensions ({@code GET /v2.0/extensions}), to probe features. */
  public List<String> listExtensions() {
    List<String> out = new ArrayList<>();
    for (JsonNode e : get("/extensions", "list extensions").path("extensions")) {
      out.add(Json.str(e, "alias"));
    }
    return out;
  }

  // ---- networks

  public List<Network> listNetworks(ListFilter filter) {
    JsonNode body = get("/networks" + filter.toQueryString(), "list networks" + filter);
    return map(body.path("networks"), NeutronClient::network);
  }

  public Network getNetwork(String id) {
    return network(get("/networks/" + seg(id), "get network " + id).path("network"));
  }

  public Network createNetwork(NetworkCreate create) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    ObjectNode n = body.putObject("network");
    putIfSet(n, "name", create.name());
    return network(
        send("POST", "/networks", body, "create network " + create.name()).path("network"));
  }

  public void deleteNetwork(String id) {
    send("DELETE", "/networks/" + seg(id), null, "delete network " + id);
  }

  // ---- subnets

  public List<Subnet> listSubnets(ListFilter filter) {
    JsonNode body = get("/subnets" + filter.toQueryString(), "list subnets" + filter);
    return map(body.path("subnets"), NeutronClient::subnet);
  }

  public Subnet getSubnet(String id) {
    return subnet(get("/subnets/" + seg(id), "get subnet " + id).path("subnet"));
  }

  public Subnet createSubnet(SubnetCreate create) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    ObjectNode s = body.putObject("subnet");
    s.put("network_id", create.networkId());
    putIfSet(s, "name", create.name());
    s.put("ip_version", create.cidr().address().isV4() ? 4 : 6);
    s.put("cidr", create.cidr().toString());
    s.put("enable_dhcp", create.enableDhcp());
    if (create.gatewayIp() != null) {
      s.put("gateway_ip", create.gatewayIp().toString());
    }
    if (!create.allocationPools().isEmpty()) {
      ArrayNode pools = s.putArray("allocation_pools");
      for (AllocationPool p : create.allocationPools()) {
        pools.addObject().put("start", p.start().toString()).put("end", p.end().toString());
      }
    }
    return subnet(
        send(
                "POST",
                "/subnets",
                body,
                "create subnet " + create.cidr() + " on " + create.networkId())
            .path("subnet"));
  }

  public void deleteSubnet(String id) {
    send("DELETE", "/subnets/" + seg(id), null, "delete subnet " + id);
  }

  /**
   * {@code GET /v2.0/network-ip-availabilities/{networkId}} (extension {@code
   * network-ip-availability}): total and used addresses per subnet of the network.
   */
  public List<SubnetIpAvailability> getNetworkIpAvailability(String networkId) {
    JsonNode n =
        get(
                "/network-ip-availabilities/" + seg(networkId),
                "get IP availability of network " + networkId)
            .path("network_ip_availability");
    List<SubnetIpAvailability> out = new ArrayList<>();
    for (JsonNode s : n.path("subnet_ip_availability")) {
      out.add(
          new SubnetIpAvailability(
              Json.str(s, "subnet_id"),
              s.path("total_ips").asLong(0),
              s.path("used_ips").asLong(0)));
    }
    return out;
  }

  // ---- ports

  public Port createPort(PortCreate create) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    ObjectNode p = body.putObject("port");
    p.put("network_id", create.networkId());
    putIfSet(p, "name", create.name());
    putIfSet(p, "description", create.description());
    putIfSet(p, "device_id", create.deviceId());
    putIfSet(p, "device_owner", create.deviceOwner());
    putIfSet(p, "binding:host_id", create.hostId());
    if (create.fixedIps() != null) {
      putFixedIps(p, create.fixedIps());
    }
    if (create.securityGroups() != null) {
      ArrayNode sgs = p.putArray("security_groups");
      create.securityGroups().forEach(sgs::add);
    }
    if (create.tags() != null) {
      ArrayNode tags = p.putArray("tags");
      create.tags().forEach(tags::add);
    }
    return port(send("POST", "/ports", body, "create port on " + create.networkId()).path("port"));
  }

  public Port getPort(String id) {
    return port(get("/ports/" + seg(id), "get port " + id).path("port"));
  }

  public List<Port> listPorts(ListFilter filter) {
    JsonNode body = get("/ports" + filter.toQueryString(), "list ports" + filter);
    return map(body.path("ports"), NeutronClient::port);
  }

  /** {@code PUT /ports/{id}} with the non-null fields of {@code update}. */
  public Port updatePort(String id, PortUpdate update) {
    return updatePort(id, update, Map.of());
  }

  /**
   * As {@link #updatePort(String, PortUpdate)} with {@code If-Match: revision_number=N}: Neutron
   * answers 412 {@code RevisionNumberConstraintFailed} when the port's revision differs. In Zed
   * this check is not atomic under concurrency (see {@link PortWriteSerializer}).
   */
  public Port updatePort(String id, PortUpdate update, long ifMatchRevision) {
    return updatePort(id, update, Map.of("If-Match", "revision_number=" + ifMatchRevision));
  }

  private Port updatePort(String id, PortUpdate update, Map<String, String> headers) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    ObjectNode p = body.putObject("port");
    if (update.fixedIps() != null) {
      putFixedIps(p, update.fixedIps());
    }
    if (update.allowedAddressPairs() != null) {
      ArrayNode pairs = p.putArray("allowed_address_pairs");
      for (AddressPair a : update.allowedAddressPairs()) {
        ObjectNode o = pairs.addObject().put("ip_address", a.ipAddress());
        if (a.macAddress() != null) {
          o.put("mac_address", a.macAddress().toString());
        }
      }
    }
    putIfSet(p, "device_id", update.deviceId());
    putIfSet(p, "device_owner", update.deviceOwner());
    putIfSet(p, "binding:host_id", update.hostId());
    putIfSet(p, "name", update.name());
    putIfSet(p, "description", update.description());
    return port(
        transport
            .call(endpoint(), "PUT", "/ports/" + seg(id), body, headers, "update port " + id)
            .path("port"));
  }

  public void deletePort(String id) {
    send("DELETE", "/ports/" + seg(id), null, "delete port " + id);
  }

  // ---- tags (standard-attr-tag)

  public List<String> listTags(TaggedResource resource, String id) {
    return Json.strings(
        get(tagsPath(resource, id), "list tags of " + resource.path() + " " + id), "tags");
  }

  /** {@code PUT .../tags/{tag}}: adds one tag (201; no-op if present). */
  public void addTag(TaggedResource resource, String id, String tag) {
    send(
        "PUT",
        tagsPath(resource, id) + "/" + seg(tag),
        null,
        "add tag " + tag + " to " + resource.path() + " " + id);
  }

  /** {@code DELETE .../tags/{tag}}: 404 {@code TagNotFound} if absent. */
  public void removeTag(TaggedResource resource, String id, String tag) {
    send(
        "DELETE",
        tagsPath(resource, id) + "/" + seg(tag),
        null,
        "remove tag " + tag + " from " + resource.path() + " " + id);
  }

  /** {@code PUT .../tags} with the whole set; returns the set Neutron stored. */
  public List<String> replaceTags(TaggedResource resource, String id, Collection<String> tags) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    ArrayNode a = body.putArray("tags");
    tags.forEach(a::add);
    return Json.strings(
        send("PUT", tagsPath(resource, id), body, "replace tags of " + resource.path() + " " + id),
        "tags");
  }

  // ---- mapping

  private JsonNode get(String path, String operation) {
    return send("GET", path, null, operation);
  }

  private JsonNode send(String method, String path, Object body, String operation) {
    return transport.call(endpoint(), method, path, body, Map.of(), operation);
  }

  private static String tagsPath(TaggedResource resource, String id) {
    return "/" + resource.path() + "/" + seg(id) + "/tags";
  }

  private static String seg(String s) {
    return ListFilter.encode(s);
  }

  private static void putIfSet(ObjectNode n, String field, String value) {
    if (value != null) {
      n.put(field, value);
    }
  }

  private static void putFixedIps(ObjectNode p, List<FixedIp> ips) {
    ArrayNode a = p.putArray("fixed_ips");
    for (FixedIp ip : ips) {
      ObjectNode o = a.addObject().put("subnet_id", ip.subnetId());
      if (ip.ipAddress() != null) {
        o.put("ip_address", ip.ipAddress().toString());
      }
    }
  }

  private static <T> List<T> map(JsonNode array, java.util.function.Function<JsonNode, T> f) {
    List<T> out = new ArrayList<>();
    for (JsonNode n : array) {
      out.add(f.apply(n));
    }
    return out;
  }

  static Network network(JsonNode n) {
    return new Network(
        Json.str(n, "id"),
        Json.str(n, "name"),
        Json.str(n, "status"),
        Json.str(n, "project_id"),
        n.path("mtu").asInt(0),
        Json.strings(n, "tags"));
  }

  static Subnet subnet(JsonNode n) {
    List<AllocationPool> pools = new ArrayList<>();
    for (JsonNode p : n.path("allocation_pools")) {
      pools.add(
          new AllocationPool(
              IpAddress.parse(Json.str(p, "start")), IpAddress.parse(Json.str(p, "end"))));
    }
    String cidr = Json.str(n, "cidr");
    String gw = Json.str(n, "gateway_ip");
    return new Subnet(
        Json.str(n, "id"),
        Json.str(n, "name"),
        Json.str(n, "network_id"),
        n.path("ip_version").asInt(0),
        cidr.isEmpty() ? null : IpPrefix.parse(cidr),
        gw.isEmpty() ? null : IpAddress.parse(gw),
        pools,
        n.path("enable_dhcp").asBoolean(false),
        Json.str(n, "project_id"),
        Json.strings(n, "tags"));
  }

  static Port port(JsonNode n) {
    List<FixedIp> ips = new ArrayList<>();
    for (JsonNode ip : n.path("fixed_ips")) {
      String addr = Json.str(ip, "ip_address");
      ips.add(
          new FixedIp(Json.str(ip, "subnet_id"), addr.isEmpty() ? null : IpAddress.parse(addr)));
    }
    List<AddressPair> pairs = new ArrayList<>();
    for (JsonNode a : n.path("allowed_address_pairs")) {
      String mac = Json.str(a, "mac_address");
      pairs.add(
          new AddressPair(Json.str(a, "ip_address"), mac.isEmpty() ? null : MacAddress.parse(mac)));
    }
    String mac = Json.str(n, "mac_address");
    return new Port(
        Json.str(n, "id"),
        Json.str(n, "name"),
        Json.str(n, "network_id"),
        mac.isEmpty() ? null : MacAddress.parse(mac),
        Json.str(n, "status"),
        Json.str(n, "device_id"),
        Json.str(n, "device_owner"),
        Json.str(n, "binding:host_id"),
        Json.str(n, "binding:vif_type"),
        ips,
        pairs,
        Json.strings(n, "security_groups"),
        Json.str(n, "project_id"),
        Json.str(n, "description"),
        n.path("revision_number").asLong(0),
        Json.strings(n, "tags"),
        Json.str(n, "created_at"));
  }
}
