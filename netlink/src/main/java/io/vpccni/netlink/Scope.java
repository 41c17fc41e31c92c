package io.vpccni.netlink;

/** rtm_scope / ifa_scope values, named as {@code ip} names them. */
public enum Scope {
  UNIVERSE(0, "global"),
  SITE(200, "site"),
  LINK(253, "link"),
  HOST(254, "host"),
  NOWHERE(255, "nowhere");

  private final int value;
  private final String ipName;

  Scope(int value, String ipName) {
    this.value = value;
    this.ipName = ipName;
  }

  public int value() {
    return value;
  }

  public static Scope of(int value) {
    for (Scope s : values()) {
      if (s.value == value) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown scope " + value);
  }

  @Override
  public String toString() {
    return ipName;
  }
}
