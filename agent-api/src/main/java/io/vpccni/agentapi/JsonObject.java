package io.vpccni.agentapi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A typed, read-mostly view of a parsed JSON object that knows its own path in the document, so
 * every getter that finds a wrong type or a missing field throws a {@link FieldException} naming
 * the field ({@code runtimeConfig.portMappings[2].hostPort}). The underlying map is shared, not
 * copied.
 */
public final class JsonObject {
  private final Map<String, Object> map;
  private final String path;

  private JsonObject(Map<String, Object> map, String path) {
    this.map = map;
    this.path = path;
  }

  static JsonObject wrap(Map<String, Object> map, String path) {
    return new JsonObject(map, path);
  }

  /** A new empty, mutable object. */
  public static JsonObject create() {
    return new JsonObject(new LinkedHashMap<>(), "");
  }

  /** Views an existing map (shared, not copied). */
  public static JsonObject of(Map<String, Object> map) {
    return new JsonObject(map, "");
  }

  /** The underlying map, in document order. */
  public Map<String, Object> map() {
    return map;
  }

  /** Where this object sits in its document ("" for the root). */
  public String path() {
    return path;
  }

  public String fieldPath(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  public boolean has(String key) {
    return map.containsKey(key) && map.get(key) != null;
  }

  public Object raw(String key) {
    return map.get(key);
  }

  public JsonObject put(String key, Object value) {
    if (value instanceof JsonObject o) {
      value = o.map;
    }
    map.put(key, value);
    return this;
  }

  public JsonObject remove(String key) {
    map.remove(key);
    return this;
  }

  public String string(String key) {
    return optString(key).orElseThrow(() -> missing(key, "string"));
  }

  public Optional<String> optString(String key) {
    Object v = map.get(key);
    if (v == null) {
      return Optional.empty();
    }
    if (v instanceof String s) {
      return Optional.of(s);
    }
    throw wrongType(key, "a string", v);
  }

  public long integer(String key) {
    return optInteger(key).orElseThrow(() -> missing(key, "integer"));
  }

  public Optional<Long> optInteger(String key) {
    Object v = map.get(key);
    if (v == null) {
      return Optional.empty();
    }
    if (v instanceof Long l) {
      return Optional.of(l);
    }
    if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Optional.of(d.longValue());
    }
    throw wrongType(key, "an integer", v);
  }

  public boolean bool(String key, boolean dflt) {
    Object v = map.get(key);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    throw wrongType(key, "true or false", v);
  }

  public JsonObject object(String key) {
    return optObject(key).orElseThrow(() -> missing(key, "object"));
  }

  public Optional<JsonObject> optObject(String key) {
    Object v = map.get(key);
    if (v == null) {
      return Optional.empty();
    }
    if (v instanceof Map<?, ?> m) {
      return Optional.of(new JsonObject(Json.asMap(m), fieldPath(key)));
    }
    throw wrongType(key, "an object", v);
  }

  /** An array of objects; a missing key is an empty list. */
  public List<JsonObject> objects(String key) {
    List<Object> raw = list(key);
    List<JsonObject> out = new ArrayList<>(raw.size());
    for (int i = 0; i < raw.size(); i++) {
      Object v = raw.get(i);
      String p = fieldPath(key) + "[" + i + "]";
      if (!(v instanceof Map<?, ?> m)) {
        throw new FieldException(p, "must be an object, not " + Json.typeName(v));
      }
      out.add(new JsonObject(Json.asMap(m), p));
    }
    return out;
  }

  /** An array of strings; a missing key is an empty list. */
  public List<String> strings(String key) {
    List<Object> raw = list(key);
    List<String> out = new ArrayList<>(raw.size());
    for (int i = 0; i < raw.size(); i++) {
      if (!(raw.get(i) instanceof String s)) {
        throw new FieldException(
            fieldPath(key) + "[" + i + "]", "must be a string, not " + Json.typeName(raw.get(i)));
      }
      out.add(s);
    }
    return out;
  }

  /** A raw array; a missing key is an empty list. */
  @SuppressWarnings("unchecked")
  public List<Object> list(String key) {
    Object v = map.get(key);
    if (v == null) {
      return Collections.emptyList();
    }
    if (v instanceof List<?> l) {
      return (List<Object>) l;
    }
    throw wrongType(key, "an array", v);
  }

  public FieldException missing(String key, String type) {
    return new FieldException(fieldPath(key), "is required (" + type + ")");
  }

  public FieldException invalid(String key, String problem) {
    return new FieldException(fieldPath(key), problem);
  }

  private FieldException wrongType(String key, String expected, Object v) {
    return new FieldException(fieldPath(key), "must be " + expected + ", not " + Json.typeName(v));
  }

  @Override
  public String toString() {
    return Json.write(map);
  }
}
