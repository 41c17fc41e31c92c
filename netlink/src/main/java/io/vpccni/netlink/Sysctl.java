package io.vpccni.netlink;

/** Reads and writes {@code /proc/sys/net} keys inside a namespace ({@code net.ipv4.ip_forward}). */
public final class Sysctl {
  private Sysctl() {}

  /** Writes {@code key} (dotted form; interface names may contain dots) in {@code ns}. */
  public static void set(Netns ns, String key, String value) {
    throw new UnsupportedOperationException("TODO netlink");
  }

  public static String get(Netns ns, String key) {
    throw new UnsupportedOperationException("TODO netlink");
  }
}
