package io.vpccni.cloud.openstack.api;

import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.MacAddress;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Nova's server show ({@code /servers/{id}}) and interface attachment API ({@code
 * /servers/{id}/os-interface}), microversion 2.1 (no header sent). Attach and detach are
 * asynchronous in a real cloud: Nova answers before the guest sees the interface, and detach
 * answers 202 before the port's {@code device_id} is cleared. Error bodies ({@code
 * {"itemNotFound":{"code":404,"message":…}}}) become {@link OpenStackApiException} with the key as
 * the type.
 */
public final class ComputeClient {
  private final Transport transport;

  public ComputeClient(OpenStackSession session, HttpClient http, Duration requestTimeout) {
    this.transport = new Transport(http, session, requestTimeout);
  }

  public ComputeClient(OpenStackSession session) {
    this(session, Transport.defaultHttpClient(), Duration.ofSeconds(60));
  }

  /** {@code GET /servers/{serverId}}. */
  public Server getServer(String serverId) {
    JsonNode s =
        call("GET", "/servers/" + ListFilter.encode(serverId), null, "get server " + serverId)
            .path("server");
    JsonNode flavor = s.path("flavor");
    String flavorName = Json.str(flavor, "original_name");
    return new Server(
        Json.str(s, "id"),
        Json.str(s, "name"),
        Json.str(s, "status"),
        flavorName.isEmpty() ? Json.str(flavor, "id") : flavorName,
        Json.str(s, "OS-EXT-SRV-ATTR:host"),
        Json.str(s, "OS-EXT-AZ:availability_zone"));
  }

  /** {@code POST /servers/{serverId}/os-interface {"interfaceAttachment":{"port_id":…}}}. */
  public InterfaceAttachment attachInterface(String serverId, String portId) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.putObject("interfaceAttachment").put("port_id", portId);
    JsonNode r =
        call("POST", path(serverId), body, "attach port " + portId + " to server " + serverId);
    return attachment(r.path("interfaceAttachment"));
  }

  public List<InterfaceAttachment> listInterfaces(String serverId) {
    JsonNode r = call("GET", path(serverId), null, "list interfaces of server " + serverId);
    List<InterfaceAttachment> out = new ArrayList<>();
    for (JsonNode a : r.path("interfaceAttachments")) {
      out.add(attachment(a));
    }
    return out;
  }

  /** {@code DELETE /servers/{serverId}/os-interface/{portId}} (202). */
  public void detachInterface(String serverId, String portId) {
    call(
        "DELETE",
        path(serverId) + "/" + ListFilter.encode(portId),
        null,
        "detach port " + portId + " from server " + serverId);
  }

  private static String path(String serverId) {
    return "/servers/" + ListFilter.encode(serverId) + "/os-interface";
  }

  private JsonNode call(String method, String path, Object body, String operation) {
    return transport.call(
        transport.session().endpoint(OpenStackSession.COMPUTE),
        method,
        path,
        body,
        Map.of(),
        operation);
  }

  static InterfaceAttachment attachment(JsonNode n) {
    List<FixedIp> ips = new ArrayList<>();
    for (JsonNode ip : n.path("fixed_ips")) {
      String addr = Json.str(ip, "ip_address");
      ips.add(
          new FixedIp(Json.str(ip, "subnet_id"), addr.isEmpty() ? null : IpAddress.parse(addr)));
    }
    String mac = Json.str(n, "mac_addr");
    return new InterfaceAttachment(
        Json.str(n, "port_id"),
        Json.str(n, "net_id"),
        mac.isEmpty() ? null : MacAddress.parse(mac),
        Json.str(n, "port_state"),
        ips);
  }
}
