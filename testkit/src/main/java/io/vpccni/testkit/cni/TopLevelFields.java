package io.vpccni.testkit.cni;

/** Finds a top-level scalar field in a JSON object's text (see {@link CniExec.Result#field}). */
final class TopLevelFields {
  private TopLevelFields() {}

  static String find(String json, String name) {
    int i = skipWs(json, 0);
    if (i >= json.length() || json.charAt(i) != '{') {
      return null;
    }
    i++;
    while (true) {
      i = skipWs(json, i);
      if (i >= json.length() || json.charAt(i) != '"') {
        return null;
      }
      StringBuilder key = new StringBuilder();
      i = string(json, i, key);
      if (i < 0) {
        return null;
      }
      i = skipWs(json, i);
      if (i >= json.length() || json.charAt(i) != ':') {
        return null;
      }
      i = skipWs(json, i + 1);
      int valueStart = i;
      StringBuilder str = new StringBuilder();
      boolean isString = i < json.length() && json.charAt(i) == '"';
      i = isString ? string(json, i, str) : skipValue(json, i);
      if (i < 0) {
        return null;
      }
      if (key.toString().equals(name)) {
        return isString ? str.toString() : json.substring(valueStart, i).strip();
      }
      i = skipWs(json, i);
      if (i >= json.length() || json.charAt(i) != ',') {
        return null;
      }
      i++;
    }
  }

  private static int skipWs(String s, int i) {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  /**
   * Reads the string starting at the quote at {@code i} into {@code out}; returns the index after
   * it.
   */
  private static int string(String s, int i, StringBuilder out) {
    i++;
    while (i < s.length()) {
      char c = s.charAt(i++);
      if (c == '"') {
        return i;
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      if (i >= s.length()) {
        return -1;
      }
      char e = s.charAt(i++);
      switch (e) {
        case 'n' -> out.append('\n');
        case 't' -> out.append('\t');
        case 'r' -> out.append('\r');
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'u' -> {
          if (i + 4 > s.length()) {
            return -1;
          }
          out.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
          i += 4;
        }
        default -> out.append(e);
      }
    }
    return -1;
  }

  /** Skips a non-string value (number, literal, object or array); returns the index after it. */
  private static int skipValue(String s, int i) {
    int depth = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '"') {
        i = string(s, i, new StringBuilder());
        if (i < 0) {
          return -1;
        }
        continue;
      }
      if (c == '{' || c == '[') {
        depth++;
      } else if (c == '}' || c == ']') {
        if (depth == 0) {
          return i;
        }
        depth--;
      } else if (c == ',' && depth == 0) {
        return i;
      }
      i++;
    }
    return depth == 0 ? i : -1;
  }
}
