package io.vpccni.emulator.api;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vpccni.emulator.faults.Faults;
import io.vpccni.emulator.faults.Verdict;
import io.vpccni.emulator.model.Vpc;
import io.vpccni.emulator.model.VpcException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The HTTP front of the emulator on loopback: Neutron under {@code /v2.0}, Compute under {@code
 * /v2.1}, the admin API under {@code /emulator}. Any {@code X-Auth-Token} (or none) is accepted, as
 * by a neutron-server in noauth mode. Faults are decided per operation before a request is served;
 * the admin API is never faulted.
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(ApiServer.class);

  private final HttpServer server;
  private final ExecutorService executor;
  private final Faults faults;
  private final Vpc vpc;
  private final Map<String, Api> apis = new LinkedHashMap<>();

  public ApiServer(int port, Vpc vpc, Faults faults, AdminApi.StateStore store) throws IOException {
    this.vpc = vpc;
    this.faults = faults;
    apis.put("v2.0", new NeutronApi(vpc));
    apis.put("v2.1", new ComputeApi(vpc));
    apis.put("emulator", new AdminApi(vpc, faults, store));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
    executor = Executors.newVirtualThreadPerTaskExecutor();
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** The base URL, {@code http://127.0.0.1:PORT}. */
  public URI baseUri() {
    InetSocketAddress a = server.getAddress();
    return URI.create("http://" + a.getAddress().getHostAddress() + ":" + a.getPort());
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Response response;
      Api api = null;
      try {
        Request request = decode(exchange);
        List<String> path = request.path();
        api = path.isEmpty() ? null : apis.get(path.getFirst());
        if (api == null) {
          response = versions(request);
        } else {
          Optional<Route> route = api.route(request);
          if (route.isEmpty()) {
            response = api.error(404, "HTTPNotFound", "The resource could not be found.");
          } else {
            response = serve(api, route.get(), request);
          }
        }
      } catch (VpcException e) {
        response = api == null ? Response.empty(e.status()) : api.error(e);
      } catch (JacksonException e) {
        response =
            api == null
                ? Response.empty(400)
                : api.error(
                    400, "HTTPBadRequest", "Malformed request body: " + e.getOriginalMessage());
      } catch (RuntimeException e) {
        logger.error("request failed", e);
        response =
            api == null
                ? Response.empty(500)
                : api.error(
                    500,
                    "HTTPInternalServerError",
                    "Request Failed: internal server error while processing your request.");
      }
      write(exchange, response);
    }
  }

  private Response serve(Api api, Route route, Request request) {
    if (route.operation() != null) {
      Verdict verdict;
      try {
        verdict = faults.decide(route.operation());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return api.error(503, "HTTPServiceUnavailable", "interrupted");
      }
      switch (verdict) {
        case Verdict.Throttle t -> {
          vpc.event("fault.throttled", route.operation(), t.why());
          Response r =
              api.error(
                  429,
                  "HTTPTooManyRequests",
                  "Rate limit exceeded, retry after " + t.retryAfterSeconds() + " seconds.");
          Map<String, String> headers = new LinkedHashMap<>(r.headers());
          headers.put("Retry-After", Integer.toString(t.retryAfterSeconds()));
          return new Response(429, r.body(), headers);
        }
        case Verdict.Fail f -> {
          vpc.event("fault.error", route.operation(), f.status() + " " + f.why());
          if (f.status() == 403) {
            return api.error(
                403,
                "PolicyNotAuthorized",
                "(rule:" + route.operation() + ") is disallowed by policy");
          }
          return f.status() == 503
              ? api.error(
                  503,
                  "HTTPServiceUnavailable",
                  "The server is currently unavailable. Please try again at a later time.")
              : api.error(
                  500,
                  "HTTPInternalServerError",
                  "Request Failed: internal server error while processing your request.");
        }
        case Verdict.Serve s -> {}
      }
    }
    return route.handler().handle(request);
  }

  private static Response versions(Request request) {
    if (request.path().isEmpty() && request.method().equals("GET")) {
      var root = Json.MAPPER.createObjectNode();
      var v = root.putArray("versions").addObject();
      v.put("id", "v2.0");
      v.put("status", "CURRENT");
      return Response.json(200, root);
    }
    return Response.empty(404);
  }

  private static Request decode(HttpExchange exchange) throws IOException {
    URI uri = exchange.getRequestURI();
    List<String> path = new ArrayList<>();
    for (String seg : uri.getRawPath().split("/")) {
      if (!seg.isEmpty()) {
        path.add(decodeComponent(seg));
      }
    }
    Map<String, List<String>> query = new LinkedHashMap<>();
    String raw = uri.getRawQuery();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String k = decodeQuery(eq < 0 ? pair : pair.substring(0, eq));
        String v = eq < 0 ? "" : decodeQuery(pair.substring(eq + 1));
        query.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
      }
    }
    Map<String, String> headers = new LinkedHashMap<>();
    exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), v.getFirst()));
    JsonNode body = null;
    try (InputStream in = exchange.getRequestBody()) {
      byte[] bytes = in.readAllBytes();
      if (bytes.length > 0) {
        body = Json.MAPPER.readTree(bytes);
      }
    }
    return new Request(exchange.getRequestMethod(), path, query, headers, body);
  }

  private static String decodeComponent(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static String decodeQuery(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static void write(HttpExchange exchange, Response response) throws IOException {
    response.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
    exchange
        .getResponseHeaders()
        .set("X-Openstack-Request-Id", "req-" + java.util.UUID.randomUUID());
    if (response.body() == null) {
      exchange.sendResponseHeaders(response.status(), -1);
      return;
    }
    byte[] bytes = Json.MAPPER.writeValueAsBytes(response.body());
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(response.status(), bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  static ObjectMapper mapper() {
    return Json.MAPPER;
  }
}
