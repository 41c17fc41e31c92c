package io.vpccni.cloud.openstack.api;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * One HTTP exchange with a service: token header, JSON body, status check, error parsing, and one
 * more attempt after a 401 when the session can fetch a new token. No other retry.
 */
final class Transport {
  private final HttpClient http;
  private final OpenStackSession session;
  private final Duration timeout;

  Transport(HttpClient http, OpenStackSession session, Duration timeout) {
    this.http = http;
    this.session = session;
    this.timeout = timeout;
  }

  /** A JDK client suited to these services: HTTP/1.1 (no h2c upgrade), bounded connect. */
  static HttpClient defaultHttpClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  OpenStackSession session() {
    return session;
  }

  /**
   * Sends {@code method base+path} with {@code body} (null for none) and returns the parsed
   * response body (a missing node when empty). Throws {@link OpenStackApiException} unless the
   * status is 2xx.
   */
  JsonNode call(
      URI base,
      String method,
      String path,
      Object body,
      Map<String, String> headers,
      String operation) {
    String payload = body == null ? null : Json.MAPPER.writeValueAsString(body);
    URI uri = URI.create(trimSlash(base.toString()) + path);
    String token = session.token();
    HttpResponse<String> response =
        send(http, request(uri, method, payload, headers, token), operation);
    if (response.statusCode() == 401 && session.invalidate(token)) {
      token = session.token();
      response = send(http, request(uri, method, payload, headers, token), operation);
    }
    int status = response.statusCode();
    if (status < 200 || status > 299) {
      throw error(
          status,
          response.body(),
          operation,
          retryAfter(response.headers().firstValue("Retry-After").orElse(null)));
    }
    return Json.parse(response.body(), operation);
  }

  private HttpRequest request(
      URI uri, String method, String payload, Map<String, String> headers, String token) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .header("Accept", "application/json")
            .header("X-Auth-Token", token);
    headers.forEach(b::header);
    if (payload != null) {
      b.header("Content-Type", "application/json");
      b.method(method, HttpRequest.BodyPublishers.ofString(payload));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return b.build();
  }

  static HttpResponse<String> send(HttpClient http, HttpRequest request, String operation) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new OpenStackApiException(
          OpenStackApiException.NO_RESPONSE,
          "Transport",
          request.method() + " " + request.uri() + ": " + e,
          "",
          operation,
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OpenStackApiException(
          OpenStackApiException.NO_RESPONSE, "Interrupted", "interrupted", "", operation, e);
    }
  }

  /**
   * Parses an error body: Neutron {@code {"NeutronError":{"type","message","detail"}}}, Keystone
   * {@code {"error":{"code","title","message"}}}, Nova {@code {"<type>":{"code","message"}}};
   * anything else keeps the (abbreviated) text as the message and has an empty type.
   */
  static OpenStackApiException error(int status, String body, String operation) {
    return error(status, body, operation, null);
  }

  /** As {@link #error(int, String, String)}, keeping the {@code Retry-After} hint (or null). */
  static OpenStackApiException error(
      int status, String body, String operation, Duration retryAfter) {
    JsonNode root;
    try {
      root = body == null || body.isBlank() ? null : Json.MAPPER.readTree(body);
    } catch (RuntimeException e) {
      root = null;
    }
    if (root != null && root.isObject()) {
      JsonNode neutron = root.get("NeutronError");
      if (neutron != null && neutron.isObject()) {
        return new OpenStackApiException(
            status,
            Json.str(neutron, "type"),
            Json.str(neutron, "message"),
            Json.str(neutron, "detail"),
            operation,
            null,
            retryAfter);
      }
      JsonNode keystone = root.get("error");
      if (keystone != null && keystone.isObject() && keystone.has("title")) {
        return new OpenStackApiException(
            status,
            Json.str(keystone, "title"),
            Json.str(keystone, "message"),
            "",
            operation,
            null,
            retryAfter);
      }
      if (root.size() == 1) {
        Iterator<Map.Entry<String, JsonNode>> it = root.properties().iterator();
        Map.Entry<String, JsonNode> only = it.next();
        if (only.getValue().isObject() && only.getValue().has("message")) {
          return new OpenStackApiException(
              status,
              only.getKey(),
              Json.str(only.getValue(), "message"),
              "",
              operation,
              null,
              retryAfter);
        }
      }
    }
    return new OpenStackApiException(status, "", abbreviate(body), "", operation, null, retryAfter);
  }

  /** {@code Retry-After} in seconds; an HTTP date or garbage gives null. */
  static Duration retryAfter(String value) {
    if (value == null) {
      return null;
    }
    try {
      long seconds = Long.parseLong(value.strip());
      return seconds < 0 ? null : Duration.ofSeconds(seconds);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  static String abbreviate(String body) {
    if (body == null) {
      return "";
    }
    String s = body.strip().replaceAll("\\s+", " ");
    return s.length() <= 300 ? s : s.substring(0, 300) + "…";
  }

  static String trimSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
