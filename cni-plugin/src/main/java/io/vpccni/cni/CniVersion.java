package io.vpccni.cni;

import java.util.List;

/** The CNI spec versions this binary speaks, oldest first. */
public enum CniVersion {
  V0_4_0("0.4.0"),
  V1_0_0("1.0.0"),
  V1_1_0("1.1.0");

  /** The newest version: the agent's result shape, and the version of errors we cannot place. */
  public static final CniVersion LATEST = V1_1_0;

  /** What VERSION reports in {@code supportedVersions}. */
  public static final List<String> SUPPORTED = List.of("0.4.0", "1.0.0", "1.1.0");

  private final String text;

  CniVersion(String text) {
    this.text = text;
  }

  public String text() {
    return text;
  }

  /** The version for this text, or {@code null} when we do not speak it. */
  public static CniVersion find(String text) {
    if (text == null) {
      return null;
    }
    return switch (text) {
      case "0.4.0" -> V0_4_0;
      case "1.0.0" -> V1_0_0;
      case "1.1.0" -> V1_1_0;
      default -> null;
    };
  }

  public boolean atLeast(CniVersion other) {
    return compareTo(other) >= 0;
  }

  /** Whether {@code text} has the shape of a semantic version, {@code MAJOR.MINOR.PATCH}. */
  static boolean isWellFormed(String text) {
    int dots = 0;
    boolean digit = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= '0' && c <= '9') {
        digit = true;
      } else if (c == '.' && digit) {
        dots++;
        digit = false;
      } else {
        return false;
      }
    }
    return dots == 2 && digit && text.length() <= 32;
  }

  @Override
  public String toString() {
    return text;
  }
}
