package io.vpccni.cloud.openstack.api;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A tiny HTTP server on 127.0.0.1 (ephemeral port) for unit tests: answers by {@code "METHOD
 * /path"} (path without query) with a programmed response and records every request.
 */
final class FakeHttpServer implements AutoCloseable {
  record Request(
      String method, String path, String rawQuery, Map<String, List<String>> headers, String body) {
    String header(String name) {
      for (var e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue().getFirst();
        }
      }
      return null;
    }
  }

  record Response(int status, String body, Map<String, String> headers) {
    static Response json(int status, String body) {
      return new Response(status, body, Map.of());
    }
  }

  private final HttpServer server;
  private final Map<String, Function<Request, Response>> routes = new ConcurrentHashMap<>();
  final List<Request> requests = new CopyOnWriteArrayList<>();

  FakeHttpServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  FakeHttpServer on(String methodAndPath, Function<Request, Response> handler) {
    routes.put(methodAndPath, handler);
    return this;
  }

  FakeHttpServer on(String methodAndPath, int status, String body) {
    return on(methodAndPath, r -> Response.json(status, body));
  }

  Request last() {
    return requests.getLast();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      URI u = ex.getRequestURI();
      Request req =
          new Request(
              ex.getRequestMethod(),
              u.getRawPath(),
              u.getRawQuery(),
              Map.copyOf(ex.getRequestHeaders()),
              body);
      requests.add(req);
      Function<Request, Response> h = routes.get(req.method() + " " + req.path());
      Response resp =
          h == null
              ? Response.json(
                  404,
                  "{\"NeutronError\":{\"type\":\"HTTPNotFound\",\"message\":\"no route\",\"detail\":\"\"}}")
              : h.apply(req);
      resp.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
      byte[] bytes =
          resp.body() == null ? new byte[0] : resp.body().getBytes(StandardCharsets.UTF_8);
      if (bytes.length > 0) {
        ex.getResponseHeaders().add("Content-Type", "application/json");
      }
      ex.sendResponseHeaders(resp.status(), bytes.length == 0 ? -1 : bytes.length);
      if (bytes.length > 0) {
        ex.getResponseBody().write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
