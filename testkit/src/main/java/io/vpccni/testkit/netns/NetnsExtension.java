package io.vpccni.testkit.netns;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Network namespaces and link names for one test class, with names unique to this run and
 * guaranteed cleanup.
 *
 * <pre>{@code
 * @RegisterExtension static final NetnsExtension netns = new NetnsExtension();
 *
 * @NetnsTest
 * void vethIntoPod() {
 *   TestNetns pod = netns.create("pod");          // vtk3x9q-pod, /run/netns/vtk3x9q-pod
 *   String json = netns.ipJson(pod, "link", "show");
 * }
 * }</pre>
 *
 * <p>Every name starts with a per-run prefix ({@code vt} and five random base-36 characters), so
 * parallel runs and other people's namespaces are never touched, and {@code prefix + "-" + six
 * characters} still fits an interface name (15 characters). Namespaces created inside a test method
 * are deleted after that test; those created in {@code @BeforeAll} after the class. After the
 * class, every namespace and every root-namespace link whose name starts with the prefix is
 * deleted; a JVM shutdown hook does the same if the run is cut short. Creating namespaces needs
 * root: call {@link Privileged#assumeRoot()} first (the methods here call it too).
 */
public final class NetnsExtension
    implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {
  private static final Pattern SHORT_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,30}");
  private static final String ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

  private final String prefix;
  private final Set<TestNetns> classScoped = new LinkedHashSet<>();
  private final ThreadLocal<List<TestNetns>> testScoped = new ThreadLocal<>();
  private Thread shutdownHook;

  public NetnsExtension() {
    SecureRandom r = new SecureRandom();
    StringBuilder sb = new StringBuilder("vt");
    for (int i = 0; i < 5; i++) {
      sb.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
    }
    this.prefix = sb.toString();
  }

  /** The per-run prefix, e.g. {@code vtk3x9q}. */
  public String prefix() {
    return prefix;
  }

  /**
   * A link name covered by cleanup: {@code <prefix>-<suffix>}; {@code suffix} has at most six
   * characters so the name fits IFNAMSIZ.
   */
  public String linkName(String suffix) {
    if (suffix.isEmpty() || suffix.length() > 6 || !SHORT_NAME.matcher(suffix).matches()) {
      throw new IllegalArgumentException(
          "link suffix must be 1-6 of [a-z0-9-]: \"" + suffix + "\"");
    }
    return prefix + "-" + suffix;
  }

  /** Creates {@code <prefix>-<shortName>} with {@code ip netns add} and sets its loopback up. */
  public TestNetns create(String shortName) {
    Privileged.assumeRoot();
    if (!SHORT_NAME.matcher(shortName).matches()) {
      throw new IllegalArgumentException(
          "namespace short name must match " + SHORT_NAME + ": \"" + shortName + "\"");
    }
    TestNetns ns =
        new TestNetns(prefix + "-" + shortName, Path.of("/run/netns", prefix + "-" + shortName));
    synchronized (this) {
      installShutdownHook();
      List<TestNetns> scope = testScoped.get();
      if (scope != null) {
        scope.add(ns);
      } else {
        classScoped.add(ns);
      }
    }
    Commands.run("ip", "netns", "add", ns.name());
    Commands.run("ip", "-n", ns.name(), "link", "set", "lo", "up");
    return ns;
  }

  /** Deletes a namespace now (its links go with it); a no-op if it is already gone. */
  public void delete(TestNetns ns) {
    checkOurs(ns);
    Commands.exec(Commands.DEFAULT_TIMEOUT, List.of("ip", "netns", "del", ns.name()));
    synchronized (this) {
      classScoped.remove(ns);
      List<TestNetns> scope = testScoped.get();
      if (scope != null) {
        scope.remove(ns);
      }
    }
  }

  /** Runs {@code ip netns exec <name> cmd...} and returns stdout; throws with stderr on failure. */
  public String exec(TestNetns ns, String... cmd) {
    checkOurs(ns);
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns.name()));
    full.addAll(List.of(cmd));
    return Commands.exec(Commands.DEFAULT_TIMEOUT, full).orThrow();
  }

  /** {@code ip -n <name> args...}: stdout. */
  public String ip(TestNetns ns, String... args) {
    checkOurs(ns);
    List<String> full = new ArrayList<>(List.of("ip", "-n", ns.name()));
    full.addAll(List.of(args));
    return Commands.exec(Commands.DEFAULT_TIMEOUT, full).orThrow();
  }

  /** The raw JSON text of {@code ip -n <name> -j args...} (parse it with {@link IpJson}). */
  public String ipJson(TestNetns ns, String... args) {
    checkOurs(ns);
    List<String> full = new ArrayList<>(List.of("ip", "-n", ns.name(), "-j"));
    full.addAll(List.of(args));
    return Commands.exec(Commands.DEFAULT_TIMEOUT, full).orThrow();
  }

  private void checkOurs(TestNetns ns) {
    if (!ns.name().startsWith(prefix + "-")) {
      throw new IllegalArgumentException(
          ns + " was not created by this extension (prefix " + prefix + ")");
    }
  }

  /** Skips the whole class, naming what is missing, unless running as root with iproute2. */
  @Override
  public void beforeAll(ExtensionContext context) {
    Privileged.assumeRoot();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    testScoped.set(new ArrayList<>());
  }

  @Override
  public void afterEach(ExtensionContext context) {
    List<TestNetns> scope;
    synchronized (this) {
      scope = testScoped.get();
      testScoped.remove();
    }
    if (scope != null) {
      for (TestNetns ns : scope) {
        Commands.exec(Commands.DEFAULT_TIMEOUT, List.of("ip", "netns", "del", ns.name()));
      }
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    cleanup();
    synchronized (this) {
      if (shutdownHook != null) {
        try {
          Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
          // the hook is running or about to; it finds nothing left
        }
        shutdownHook = null;
      }
    }
  }

  private void installShutdownHook() {
    if (shutdownHook == null) {
      shutdownHook = new Thread(this::cleanup, "netns-extension-cleanup-" + prefix);
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    }
  }

  /**
   * Deletes every namespace and root-namespace link whose name starts with the prefix, whoever
   * created it in this run. Each command has a timeout; failures do not stop the rest.
   */
  private void cleanup() {
    Set<String> namespaces = new LinkedHashSet<>();
    synchronized (this) {
      classScoped.forEach(ns -> namespaces.add(ns.name()));
      classScoped.clear();
    }
    Commands.Result list = Commands.exec(Commands.DEFAULT_TIMEOUT, List.of("ip", "netns", "list"));
    for (String line : list.stdout().split("\n")) {
      String name = line.strip().split("\\s+", 2)[0];
      if (name.startsWith(prefix + "-")) {
        namespaces.add(name);
      }
    }
    for (String ns : namespaces) {
      Commands.exec(Commands.DEFAULT_TIMEOUT, List.of("ip", "netns", "del", ns));
    }
    for (String link : rootLinks()) {
      if (link.startsWith(prefix)) {
        Commands.exec(Commands.DEFAULT_TIMEOUT, List.of("ip", "link", "del", link));
      }
    }
  }

  /** Names of the links in the root namespace, from {@code ip -o link show}. */
  private static List<String> rootLinks() {
    List<String> names = new ArrayList<>();
    Commands.Result r =
        Commands.exec(Commands.DEFAULT_TIMEOUT, List.of("ip", "-o", "link", "show"));
    for (String line : r.stdout().split("\n")) {
      // "12: vtk3x9q-h1@if3: <BROADCAST,..." -> "vtk3x9q-h1"
      String[] parts = line.split(": ", 3);
      if (parts.length >= 2) {
        String name = parts[1];
        int at = name.indexOf('@');
        names.add(at >= 0 ? name.substring(0, at) : name);
      }
    }
    return names;
  }

  @Override
  public String toString() {
    return "NetnsExtension(prefix " + prefix + ")";
  }
}
