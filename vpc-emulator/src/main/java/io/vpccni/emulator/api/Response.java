package io.vpccni.emulator.api;

import java.util.Map;
import tools.jackson.databind.JsonNode;

/** An HTTP answer: status, JSON body (null for none) and extra headers. */
record Response(int status, JsonNode body, Map<String, String> headers) {
  static Response json(int status, JsonNode body) {
    return new Response(status, body, Map.of());
  }

  static Response empty(int status) {
    return new Response(status, null, Map.of());
  }
}
