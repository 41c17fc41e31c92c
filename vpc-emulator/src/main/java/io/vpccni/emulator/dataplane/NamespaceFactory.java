package io.vpccni.emulator.dataplane;

import java.nio.file.Path;

/**
 * Creates and deletes named network namespaces ({@code /run/netns/NAME}). The {@code netlink}
 * module opens and enters namespaces but cannot create them yet; until it can ({@code
 * Netns.create}, see README), {@link IpNetnsFactory} runs {@code ip netns add|del} for these two
 * steps only, and every link, address, route and neighbour is made through {@code netlink}.
 */
public interface NamespaceFactory {
  Path create(String name);

  /** Deletes the namespace; a namespace already gone is not an error. */
  void delete(String name);
}
