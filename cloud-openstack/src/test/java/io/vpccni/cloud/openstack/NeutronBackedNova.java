package io.vpccni.cloud.openstack;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vpccni.cloud.openstack.api.FixedIp;
import io.vpccni.cloud.openstack.api.ListFilter;
import io.vpccni.cloud.openstack.api.NeutronClient;
import io.vpccni.cloud.openstack.api.OpenStackApiException;
import io.vpccni.cloud.openstack.api.Port;
import io.vpccni.cloud.openstack.api.PortUpdate;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A stand-in for Nova in front of a REAL neutron-server, which has no Compute: servers are names
 * with a flavor, and {@code os-interface} attach/detach do to the port what Nova does ({@code
 * device_id} = the server, {@code device_owner} = {@code compute:nova}; cleared on detach). Only
 * {@code GET /v2.1/servers/{id}} and {@code os-interface} list/attach/detach, in Nova's shapes. It
 * enforces no port limit (Nova has none per flavor); the provider's flavor table does.
 */
final class NeutronBackedNova implements AutoCloseable {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final NeutronClient neutron;
  private final HttpServer http;
  private final Map<String, String> flavorByServer = new ConcurrentHashMap<>();
  private final Map<String, List<String>> portsByServer = new ConcurrentHashMap<>();

  NeutronBackedNova(NeutronClient neutron) throws IOException {
    this.neutron = neutron;
    this.http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.createContext("/v2.1/servers/", this::serve);
    http.start();
  }

  /** {@code http://127.0.0.1:PORT/v2.1}. */
  URI endpoint() {
    return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/v2.1");
  }

  /** A server booted with {@code bootPort} (already carrying device_id/device_owner). */
  void addServer(String id, String flavor, String bootPort) {
    flavorByServer.put(id, flavor);
    portsByServer.put(
        id, java.util.Collections.synchronizedList(new ArrayList<>(List.of(bootPort))));
  }

  void removeServer(String id) {
    flavorByServer.remove(id);
    portsByServer.remove(id);
  }

  private void serve(HttpExchange ex) throws IOException {
    try (ex) {
      String[] p = ex.getRequestURI().getPath().split("/");
      // "", "v2.1", "servers", id, ["os-interface", [portId]]
      String server = p[3];
      String method = ex.getRequestMethod();
      if (!flavorByServer.containsKey(server)) {
        reply(ex, 404, fault("itemNotFound", 404, "Instance " + server + " could not be found."));
        return;
      }
      try {
        if (p.length == 4 && method.equals("GET")) {
          ObjectNode root = JSON.createObjectNode();
          ObjectNode s = root.putObject("server");
          s.put("id", server).put("name", server).put("status", "ACTIVE");
          s.putObject("flavor").put("original_name", flavorByServer.get(server));
          reply(ex, 200, root);
        } else if (p.length == 5 && method.equals("GET")) {
          ObjectNode root = JSON.createObjectNode();
          ArrayNode a = root.putArray("interfaceAttachments");
          List<String> ordered = new ArrayList<>(portsByServer.get(server));
          for (Port port : neutron.listPorts(ListFilter.all().deviceId(server))) {
            if (!ordered.contains(port.id())) {
              ordered.add(port.id());
            }
          }
          for (String id : ordered) {
            try {
              Port port = neutron.getPort(id);
              if (server.equals(port.deviceId())) {
                a.add(view(port));
              }
            } catch (OpenStackApiException gone) {
              // deleted meanwhile
            }
          }
          reply(ex, 200, root);
        } else if (p.length == 5 && method.equals("POST")) {
          JsonNode body = JSON.readTree(ex.getRequestBody());
          String portId = body.path("interfaceAttachment").path("port_id").asString();
          Port port;
          try {
            port = neutron.getPort(portId);
          } catch (OpenStackApiException e) {
            reply(
                ex, 404, fault("itemNotFound", 404, "Port id " + portId + " could not be found."));
            return;
          }
          if (!port.deviceId().isEmpty()) {
            reply(
                ex, 409, fault("conflictingRequest", 409, "Port " + portId + " is still in use."));
            return;
          }
          Port attached = neutron.updatePort(portId, PortUpdate.device(server, "compute:nova"));
          portsByServer.get(server).add(portId);
          ObjectNode root = JSON.createObjectNode();
          root.set("interfaceAttachment", view(attached));
          reply(ex, 200, root);
        } else if (p.length == 6 && method.equals("DELETE")) {
          String portId = p[5];
          Port port = neutron.getPort(portId);
          if (!server.equals(port.deviceId())) {
            reply(ex, 404, fault("itemNotFound", 404, "Port " + portId + " is not attached"));
            return;
          }
          neutron.updatePort(portId, PortUpdate.device("", ""));
          portsByServer.get(server).remove(portId);
          ex.sendResponseHeaders(202, -1);
        } else {
          reply(ex, 405, fault("badRequest", 405, "not served by this stand-in"));
        }
      } catch (OpenStackApiException e) {
        int status = e.status() == 0 ? 500 : e.status();
        reply(ex, status, fault("computeFault", status, e.getMessage()));
      }
    }
  }

  private static ObjectNode view(Port port) {
    ObjectNode o = JSON.createObjectNode();
    o.put("port_id", port.id()).put("net_id", port.networkId());
    o.put("mac_addr", String.valueOf(port.macAddress())).put("port_state", port.status());
    ArrayNode ips = o.putArray("fixed_ips");
    for (FixedIp ip : port.fixedIps()) {
      ips.addObject().put("subnet_id", ip.subnetId()).put("ip_address", ip.ipAddress().toString());
    }
    return o;
  }

  private static ObjectNode fault(String key, int code, String message) {
    ObjectNode root = JSON.createObjectNode();
    root.putObject(key).put("code", code).put("message", message);
    return root;
  }

  private static void reply(HttpExchange ex, int status, JsonNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
