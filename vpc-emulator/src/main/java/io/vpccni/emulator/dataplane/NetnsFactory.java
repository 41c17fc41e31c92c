package io.vpccni.emulator.dataplane;

import io.vpccni.netlink.Netns;
import io.vpccni.netlink.NetnsGoneException;
import java.nio.file.Path;

/**
 * Named namespaces through {@link Netns#create(String)} and {@link Netns#delete(String)}: the same
 * files and mounts as {@code ip netns add|del}, without a subprocess.
 */
public final class NetnsFactory implements NamespaceFactory {
  @Override
  public Path create(String name) {
    return Netns.create(name);
  }

  @Override
  public void delete(String name) {
    try {
      Netns.delete(name);
    } catch (NetnsGoneException e) {
      // already gone: deleting is idempotent here
    }
  }
}
