package io.vpccni.testkit.netns;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the JSON that {@code ip -j} prints into plain values: objects as {@code Map<String,
 * Object>}, arrays as {@code List<Object>}, numbers as {@code Long} (or {@code Double}), strings,
 * booleans and null. Strict enough for iproute2's output and small enough not to need a JSON
 * library in test scope.
 */
public final class IpJson {
  private final String s;
  private int p;

  private IpJson(String s) {
    this.s = s;
  }

  public static Object parse(String text) {
    IpJson j = new IpJson(text);
    j.ws();
    if (j.p == j.s.length()) {
      return List.of(); // ip prints nothing at all for some empty tables
    }
    Object v = j.value();
    j.ws();
    if (j.p != j.s.length()) {
      throw j.error("trailing text");
    }
    return v;
  }

  /** The top-level array of objects that {@code ip -j ... show} prints. */
  @SuppressWarnings("unchecked")
  public static List<Map<String, Object>> objects(String text) {
    Object v = parse(text);
    if (!(v instanceof List<?> l)) {
      throw new IllegalArgumentException("expected a JSON array from ip -j, got: " + text);
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object o : l) {
      if (o instanceof Map<?, ?> m && !m.isEmpty()) { // ip -j prints {} for skipped entries
        out.add((Map<String, Object>) m);
      }
    }
    return out;
  }

  private Object value() {
    ws();
    if (p >= s.length()) {
      throw error("unexpected end");
    }
    char c = s.charAt(p);
    return switch (c) {
      case '{' -> object();
      case '[' -> array();
      case '"' -> string();
      case 't' -> literal("true", Boolean.TRUE);
      case 'f' -> literal("false", Boolean.FALSE);
      case 'n' -> literal("null", null);
      default -> number();
    };
  }

  private Map<String, Object> object() {
    Map<String, Object> m = new LinkedHashMap<>();
    p++;
    ws();
    if (peek('}')) {
      p++;
      return m;
    }
    while (true) {
      ws();
      String k = string();
      ws();
      expect(':');
      m.put(k, value());
      ws();
      if (peek(',')) {
        p++;
        continue;
      }
      expect('}');
      return m;
    }
  }

  private List<Object> array() {
    List<Object> l = new ArrayList<>();
    p++;
    ws();
    if (peek(']')) {
      p++;
      return l;
    }
    while (true) {
      l.add(value());
      ws();
      if (peek(',')) {
        p++;
        continue;
      }
      expect(']');
      return l;
    }
  }

  private String string() {
    expect('"');
    StringBuilder sb = new StringBuilder();
    while (p < s.length()) {
      char c = s.charAt(p++);
      if (c == '"') {
        return sb.toString();
      }
      if (c == '\\') {
        if (p >= s.length()) {
          break;
        }
        char e = s.charAt(p++);
        switch (e) {
          case 'n' -> sb.append('\n');
          case 't' -> sb.append('\t');
          case 'r' -> sb.append('\r');
          case 'b' -> sb.append('\b');
          case 'f' -> sb.append('\f');
          case 'u' -> {
            if (p + 4 > s.length()) {
              throw error("bad \\u escape");
            }
            sb.append((char) Integer.parseInt(s.substring(p, p + 4), 16));
            p += 4;
          }
          default -> sb.append(e);
        }
      } else {
        sb.append(c);
      }
    }
    throw error("unterminated string");
  }

  private Object number() {
    int start = p;
    while (p < s.length() && "+-0123456789.eE".indexOf(s.charAt(p)) >= 0) {
      p++;
    }
    String n = s.substring(start, p);
    if (n.isEmpty()) {
      throw error("unexpected character '" + s.charAt(start) + "'");
    }
    try {
      return n.contains(".") || n.contains("e") || n.contains("E")
          ? (Object) Double.parseDouble(n)
          : (Object) Long.parseLong(n);
    } catch (NumberFormatException e) {
      throw error("bad number " + n);
    }
  }

  private Object literal(String word, Object v) {
    if (!s.startsWith(word, p)) {
      throw error("expected " + word);
    }
    p += word.length();
    return v;
  }

  private boolean peek(char c) {
    return p < s.length() && s.charAt(p) == c;
  }

  private void expect(char c) {
    if (!peek(c)) {
      throw error("expected '" + c + "'");
    }
    p++;
  }

  private void ws() {
    while (p < s.length() && Character.isWhitespace(s.charAt(p))) {
      p++;
    }
  }

  private IllegalArgumentException error(String what) {
    int from = Math.max(0, p - 20);
    int to = Math.min(s.length(), p + 20);
    return new IllegalArgumentException(
        "bad JSON from ip -j at " + p + ": " + what + " near \"" + s.substring(from, to) + "\"");
  }
}
