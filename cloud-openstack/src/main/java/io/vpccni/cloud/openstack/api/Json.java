package io.vpccni.cloud.openstack.api;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.MissingNode;

/** Jackson helpers shared by the clients: tolerant reads (absent or null → empty). */
final class Json {
  static final JsonMapper MAPPER = JsonMapper.builder().build();

  private Json() {}

  static JsonNode parse(String body, String operation) {
    if (body == null || body.isBlank()) {
      return MissingNode.getInstance();
    }
    try {
      return MAPPER.readTree(body);
    } catch (JacksonException e) {
      throw new OpenStackApiException(
          200,
          "MalformedResponse",
          "response is not JSON: " + Transport.abbreviate(body),
          "",
          operation,
          e);
    }
  }

  static String str(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? "" : v.asString();
  }

  static List<String> strings(JsonNode node, String field) {
    List<String> out = new ArrayList<>();
    for (JsonNode v : node.path(field)) {
      out.add(v.asString());
    }
    return out;
  }
}
