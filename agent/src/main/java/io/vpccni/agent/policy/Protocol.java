package io.vpccni.agent.policy;

import java.util.Locale;
import java.util.Optional;

/** The transport protocols NetworkPolicy ports name. */
public enum Protocol {
  TCP,
  UDP,
  SCTP;

  /** The Kubernetes spelling ("TCP"); the default TCP when absent; empty when unknown. */
  public static Optional<Protocol> parse(String s) {
    if (s == null || s.isEmpty()) {
      return Optional.of(TCP);
    }
    try {
      return Optional.of(valueOf(s));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  String nft() {
    return name().toLowerCase(Locale.ROOT);
  }
}
