package io.vpccni.cni;

import java.nio.charset.StandardCharsets;

/**
 * The spec's name rules, hand-written (no {@code java.util.regex} on the start-up path). Each check
 * returns {@code null} when the text is fine, else the problem in words.
 */
final class Names {
  /** Linux IFNAMSIZ is 16 bytes including the terminating NUL. */
  static final int MAX_IFNAME_BYTES = 15;

  /**
   * Ours, not the spec's: runtimes use 64 hex digits (containerd, CRI-O) or {@code
   * <namespace>-<name>} (ctr); anything this long is a bug upstream, and the agent keys its store
   * on it.
   */
  static final int MAX_ID_LENGTH = 1024;

  private Names() {}

  /**
   * Container id and network name: an alphanumeric first character, then alphanumerics, {@code _},
   * {@code .} or {@code -} (spec §2 Parameters, §1 Configuration format).
   */
  static String idProblem(String text) {
    if (text.isEmpty()) {
      return "must not be empty";
    }
    if (text.length() > MAX_ID_LENGTH) {
      return "is longer than " + MAX_ID_LENGTH + " characters";
    }
    if (!isAlnum(text.charAt(0))) {
      return "must start with a letter or digit";
    }
    for (int i = 1; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!isAlnum(c) && c != '_' && c != '.' && c != '-') {
        return "may contain only letters, digits, '_', '.' and '-', not '" + printable(c) + "'";
      }
    }
    return null;
  }

  /**
   * Interface name inside the container (spec §2): not empty, at most 15 bytes, not {@code .} or
   * {@code ..}, no {@code /}, {@code :} or whitespace. We also refuse control characters, which the
   * kernel would accept but no operator can read.
   */
  static String ifNameProblem(String name) {
    if (name.isEmpty()) {
      return "must not be empty";
    }
    int bytes = name.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_IFNAME_BYTES) {
      return "is " + bytes + " bytes long; at most " + MAX_IFNAME_BYTES + " are allowed";
    }
    if (name.equals(".") || name.equals("..")) {
      return "must not be \".\" or \"..\"";
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '/' || c == ':') {
        return "must not contain '" + c + "'";
      }
      if (isSpace(c)) {
        return "must not contain whitespace";
      }
      if (c < 0x20 || c == 0x7f) {
        return "must not contain control characters";
      }
    }
    return null;
  }

  /** A {@code CNI_ARGS} key: letters, digits, {@code _}, {@code -} and {@code .}. */
  static boolean isArgKey(String key) {
    if (key.isEmpty()) {
      return false;
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (!isAlnum(c) && c != '_' && c != '-' && c != '.') {
        return false;
      }
    }
    return true;
  }

  /** Whether the text holds a control character (C0, DEL or C1). */
  static boolean hasControl(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
        return true;
      }
    }
    return false;
  }

  static boolean isAlnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }

  /** Whitespace as Go's {@code unicode.IsSpace} sees it (what the reference plugins check). */
  static boolean isSpace(char c) {
    return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0x85;
  }

  /** The text fit for an error message: control characters escaped, at most 80 characters. */
  static String printable(String text) {
    StringBuilder sb = new StringBuilder(Math.min(text.length(), 90));
    for (int i = 0; i < text.length() && i < 80; i++) {
      appendPrintable(sb, text.charAt(i));
    }
    if (text.length() > 80) {
      sb.append("...");
    }
    return sb.toString();
  }

  static String printable(char c) {
    StringBuilder sb = new StringBuilder(6);
    appendPrintable(sb, c);
    return sb.toString();
  }

  private static void appendPrintable(StringBuilder sb, char c) {
    if (c >= 0x20 && c != 0x7f && !(c >= 0x80 && c <= 0x9f)) {
      sb.append(c);
      return;
    }
    sb.append("\\u");
    String hex = Integer.toHexString(c);
    for (int k = hex.length(); k < 4; k++) {
      sb.append('0');
    }
    sb.append(hex);
  }
}
