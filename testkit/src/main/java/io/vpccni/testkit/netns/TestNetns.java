package io.vpccni.testkit.netns;

import java.nio.file.Path;

/**
 * A network namespace created for a test by {@link NetnsExtension}: {@code name} is {@code
 * <prefix>-<shortName>}, {@code path} is {@code /run/netns/<name>} (what {@code Netns.open} and a
 * container runtime's CNI_NETNS take).
 */
public record TestNetns(String name, Path path) {
  @Override
  public String toString() {
    return "netns " + name;
  }
}
