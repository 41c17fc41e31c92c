package io.vpccni.emulator.dataplane;

import java.nio.file.Path;

/**
 * Creates and deletes named network namespaces ({@code /var/run/netns/NAME}, as {@code ip netns}
 * keeps them). {@link NetnsFactory} is the one implementation, on {@code netlink}'s {@code
 * Netns.create}/{@code Netns.delete}; the interface is the seam where a test could count or fail
 * these two steps.
 */
public interface NamespaceFactory {
  Path create(String name);

  /** Deletes the namespace; a namespace already gone is not an error. */
  void delete(String name);
}
