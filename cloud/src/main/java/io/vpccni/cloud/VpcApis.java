package io.vpccni.cloud;

import io.vpccni.cloud.spi.VpcApiProvider;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Finds cloud providers with {@link ServiceLoader} and creates a {@link VpcApi} by the provider's
 * name from config ({@code openstack}, {@code aws}, {@code fake}, …).
 */
public final class VpcApis {
  private VpcApis() {}

  /**
   * Creates the provider named {@code name} with {@code settings}.
   *
   * @throws IllegalArgumentException when no provider has that name, listing the known ones
   * @throws CloudException when the provider rejects the settings or cannot start
   */
  public static VpcApi create(String name, Map<String, String> settings) {
    return create(name, settings, Thread.currentThread().getContextClassLoader());
  }

  /** {@link #create(String, Map)} looking in {@code loader}. */
  public static VpcApi create(String name, Map<String, String> settings, ClassLoader loader) {
    Map<String, VpcApiProvider> providers = providers(loader);
    VpcApiProvider provider = providers.get(name);
    if (provider == null) {
      throw new IllegalArgumentException(
          "failed to create cloud provider \""
              + name
              + "\": unknown provider; known providers: "
              + (providers.isEmpty()
                  ? "none on the class path"
                  : String.join(", ", providers.keySet())));
    }
    return provider.create(Map.copyOf(settings));
  }

  /** The names of the providers on the class path, sorted. */
  public static List<String> names() {
    return List.copyOf(providers(Thread.currentThread().getContextClassLoader()).keySet());
  }

  private static Map<String, VpcApiProvider> providers(ClassLoader loader) {
    var byName = new TreeMap<String, VpcApiProvider>();
    for (VpcApiProvider p : ServiceLoader.load(VpcApiProvider.class, loader)) {
      VpcApiProvider previous = byName.putIfAbsent(p.name(), p);
      if (previous != null && previous.getClass() != p.getClass()) {
        throw new IllegalStateException(
            "two cloud providers are named \""
                + p.name()
                + "\": "
                + previous.getClass().getName()
                + " and "
                + p.getClass().getName());
      }
    }
    return byName;
  }
}
