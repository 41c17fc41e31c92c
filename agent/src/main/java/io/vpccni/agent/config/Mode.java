package io.vpccni.agent.config;

/** How pods attach to the VPC (ARCHITECTURE.md, Modes). */
public enum Mode {
  /** Secondary IPs of shared ENIs; pod on a veth pair, egress by policy routing. The default. */
  SHARED("shared"),
  /** Secondary IPs of shared ENIs; pod on an ipvlan L2 slave of the ENI. Needs kernel ipvlan. */
  IPVLAN("ipvlan"),
  /** A whole ENI moved into the pod, plus a veth to the node for node-local traffic. */
  EXCLUSIVE("exclusive");

  private final String key;

  Mode(String key) {
    this.key = key;
  }

  public String key() {
    return key;
  }

  public static Mode parse(String text) {
    for (Mode m : values()) {
      if (m.key.equals(text)) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "must be one of shared, ipvlan, exclusive, not \"" + text + "\"");
  }
}
