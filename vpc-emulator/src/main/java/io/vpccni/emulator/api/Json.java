package io.vpccni.emulator.api;

import io.vpccni.emulator.model.VpcException;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The one Jackson mapper of the emulator, and small helpers to read request bodies strictly. */
final class Json {
  static final ObjectMapper MAPPER = JsonMapper.builder().build();

  private Json() {}

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** The object under {@code key} of a body, or 400 naming the key. */
  static JsonNode member(JsonNode body, String key) {
    if (body == null || !body.isObject() || !body.has(key) || !body.get(key).isObject()) {
      throw new VpcException(
          400,
          "HTTPBadRequest",
          "Failed to parse request. Resource body must contain '" + key + "'");
    }
    return body.get(key);
  }

  /** A string attribute, null when absent, 400 when not a string. */
  static String string(JsonNode obj, String key) {
    JsonNode v = obj.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isString()) {
      throw new VpcException(
          400,
          "HTTPBadRequest",
          "Invalid input for " + key + ". Reason: '" + v + "' is not a valid string.");
    }
    return v.asString();
  }

  static Boolean bool(JsonNode obj, String key) {
    JsonNode v = obj.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isBoolean()) {
      throw new VpcException(
          400,
          "HTTPBadRequest",
          "Invalid input for " + key + ". Reason: '" + v + "' is not a valid boolean value.");
    }
    return v.asBoolean();
  }

  static List<String> strings(JsonNode obj, String key) {
    JsonNode v = obj.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isArray()) {
      throw new VpcException(
          400,
          "HTTPBadRequest",
          "Invalid input for " + key + ". Reason: '" + v + "' is not a list.");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode e : v) {
      if (!e.isString()) {
        throw new VpcException(
            400,
            "HTTPBadRequest",
            "Invalid input for " + key + ". Reason: '" + e + "' is not a valid string.");
      }
      out.add(e.asString());
    }
    return out;
  }

  static ArrayNode array(List<String> values) {
    ArrayNode a = MAPPER.createArrayNode();
    values.forEach(a::add);
    return a;
  }
}
