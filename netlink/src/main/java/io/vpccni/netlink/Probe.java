package io.vpccni.netlink;

/**
 * An optional kernel feature, probed once by really trying it. Netty's {@code Epoll} style: {@link
 * #isAvailable()}, {@link #ensureAvailable()}, {@link #unavailabilityCause()}.
 */
public interface Probe {
  String name();

  boolean isAvailable();

  /** Why the feature is missing, or null if it is available. */
  Throwable unavailabilityCause();

  /**
   * @throws UnsupportedOperationException naming the feature and the cause, if missing
   */
  default void ensureAvailable() {
    if (!isAvailable()) {
      throw new UnsupportedOperationException(
          name() + " is not available on this kernel: " + unavailabilityCause().getMessage(),
          unavailabilityCause());
    }
  }
}
