package io.vpccni.emulator.api;

import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * One HTTP request, decoded: method, percent-decoded path segments, query parameters (in order,
 * repeated keys kept), selected headers and the JSON body (null when there is none).
 */
record Request(
    String method,
    List<String> path,
    Map<String, List<String>> query,
    Map<String, String> headers,
    JsonNode body) {

  String segment(int i) {
    return path.get(i);
  }

  List<String> params(String key) {
    return query.getOrDefault(key, List.of());
  }

  String param(String key) {
    List<String> v = params(key);
    return v.isEmpty() ? null : v.getFirst();
  }

  String header(String name) {
    return headers.get(name.toLowerCase());
  }
}
