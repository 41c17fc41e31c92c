package io.vpccni.testkit.cni;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes test inputs as JSON text: maps (key order kept), collections, strings, numbers, booleans,
 * null, and {@link Raw} fragments pasted as they are (for deliberately broken input). Only a
 * writer: testkit has no JSON dependency, and tests that read JSON use the codec of the module
 * under test.
 */
public final class JsonText {
  private JsonText() {}

  /** A fragment written verbatim, e.g. {@code Raw.of("1e999")} or a wrong type. */
  public record Raw(String text) {
    public static Raw of(String text) {
      return new Raw(text);
    }
  }

  /** An ordered map from alternating keys and values: {@code obj("a", 1, "b", "x")}. */
  public static Map<String, Object> obj(Object... keysAndValues) {
    if (keysAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("obj needs key/value pairs");
    }
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  /**
   * A copy of {@code base} with {@code key} set (or removed, when {@code value} is {@link
   * #REMOVE}).
   */
  public static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
    Map<String, Object> m = new LinkedHashMap<>(base);
    if (value == REMOVE) {
      m.remove(key);
    } else {
      m.put(key, value);
    }
    return m;
  }

  /** Marker for {@link #with}: drop the key. */
  public static final Object REMOVE = new Object();

  public static String write(Object value) {
    StringBuilder sb = new StringBuilder();
    write(sb, value);
    return sb.toString();
  }

  private static void write(StringBuilder sb, Object v) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof Raw r) {
      sb.append(r.text());
    } else if (v instanceof String s) {
      quote(sb, s);
    } else if (v instanceof Map<?, ?> m) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        quote(sb, String.valueOf(e.getKey()));
        sb.append(':');
        write(sb, e.getValue());
      }
      sb.append('}');
    } else if (v instanceof Collection<?> c) {
      sb.append('[');
      boolean first = true;
      for (Object o : c) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        write(sb, o);
      }
      sb.append(']');
    } else if (v instanceof Number || v instanceof Boolean) {
      sb.append(v);
    } else {
      quote(sb, v.toString());
    }
  }

  static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append("\\u00")
                .append(Character.forDigit(c >> 4, 16))
                .append(Character.forDigit(c & 15, 16));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
