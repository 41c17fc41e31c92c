package io.vpccni.emulator;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** A plain java.net.http client for the emulator's API, as a provider would talk to it. */
final class Client {
  static final ObjectMapper JSON = JsonMapper.builder().build();

  record Reply(int status, JsonNode body, HttpResponse<String> raw) {
    String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }

    String errorType() {
      return body.get("NeutronError").get("type").asString();
    }
  }

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI base;

  Client(URI base) {
    this.base = base;
  }

  Reply get(String path) {
    return send("GET", path, null, null);
  }

  Reply post(String path, String json) {
    return send("POST", path, json, null);
  }

  Reply put(String path, String json) {
    return send("PUT", path, json, null);
  }

  Reply put(String path, String json, String ifMatch) {
    return send("PUT", path, json, ifMatch);
  }

  Reply delete(String path) {
    return send("DELETE", path, null, null);
  }

  Reply send(String method, String path, String json, String ifMatch) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .header("X-Auth-Token", "anything")
            .method(
                method,
                json == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      b.header("Content-Type", "application/json");
    }
    if (ifMatch != null) {
      b.header("If-Match", ifMatch);
    }
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode body = r.body().isEmpty() ? null : JSON.readTree(r.body());
      return new Reply(r.statusCode(), body, r);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  // ---- fixtures ----

  String network(String name) {
    Reply r = post("/v2.0/networks", "{\"network\":{\"name\":\"" + name + "\"}}");
    check(r, 201);
    return r.body().get("network").get("id").asString();
  }

  String subnet(String networkId, String cidr, String poolStart, String poolEnd) {
    String pools =
        poolStart == null
            ? ""
            : ",\"allocation_pools\":[{\"start\":\""
                + poolStart
                + "\",\"end\":\""
                + poolEnd
                + "\"}]";
    Reply r =
        post(
            "/v2.0/subnets",
            "{\"subnet\":{\"network_id\":\""
                + networkId
                + "\",\"ip_version\":4,\"cidr\":\""
                + cidr
                + "\",\"enable_dhcp\":false"
                + pools
                + "}}");
    check(r, 201);
    return r.body().get("subnet").get("id").asString();
  }

  JsonNode port(String json) {
    Reply r = post("/v2.0/ports", json);
    check(r, 201);
    return r.body().get("port");
  }

  JsonNode portOn(String networkId, String subnetId) {
    return port(
        "{\"port\":{\"network_id\":\""
            + networkId
            + "\",\"fixed_ips\":[{\"subnet_id\":\""
            + subnetId
            + "\"}]}}");
  }

  String instance(String name, String type, String subnetId) {
    Reply r =
        post(
            "/emulator/instances",
            "{\"instance\":{\"name\":\""
                + name
                + "\",\"instance_type\":\""
                + type
                + "\",\"subnet_id\":\""
                + subnetId
                + "\"}}");
    check(r, 201);
    return r.body().get("instance").get("id").asString();
  }

  static ObjectNode object() {
    return JSON.createObjectNode();
  }

  static void check(Reply r, int status) {
    if (r.status() != status) {
      throw new AssertionError(
          "expected HTTP " + status + " but got " + r.status() + ": " + r.raw().body());
    }
  }
}
