package io.vpccni.netlink;

import io.vpccni.netlink.internal.Errors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads and writes {@code /proc/sys/net} keys inside a namespace ({@code net.ipv4.ip_forward}).
 * /proc/sys/net shows the namespace of the thread that opens the file, so every access goes through
 * {@link Netns#run}.
 *
 * <p>Keys are dotted ({@code net.ipv4.conf.eth0.rp_filter}) or slashed ({@code
 * net/ipv4/conf/eth0.100/rp_filter}). In dotted keys under the per-interface directories ({@code
 * net.ipv4.conf}, {@code net.ipv4.neigh}, {@code net.ipv6.conf}, {@code net.ipv6.neigh}) everything
 * between the directory and the last dot is the interface name, so {@code
 * net.ipv4.conf.eth0.100.rp_filter} means interface {@code eth0.100}. The four-argument form names
 * the interface separately and needs no such rule.
 *
 * <p>The files are opened under {@code /proc/sys}, or under the directory named by the system
 * property {@value #ROOT_PROPERTY}: a container that is not privileged sees {@code /proc/sys}
 * read-only, so the agent's DaemonSet mounts the host's {@code /proc/sys/net} at {@code
 * /host/proc/sys/net} and sets {@code -Dvpccni.procSys=/host/proc/sys}. Any mount of procfs's
 * sys/net shows the opening thread's namespace, so the rule above holds there too.
 */
public final class Sysctl {
  private Sysctl() {}

  /** System property naming the directory that stands for /proc/sys. */
  public static final String ROOT_PROPERTY = "vpccni.procSys";

  private static final Path ROOT = Path.of(System.getProperty(ROOT_PROPERTY, "/proc/sys"));
  private static final List<String> PER_INTERFACE =
      List.of("net.ipv4.conf.", "net.ipv4.neigh.", "net.ipv6.conf.", "net.ipv6.neigh.");

  /** Writes {@code key} (dotted form; interface names may contain dots) in {@code ns}. */
  public static void set(Netns ns, String key, String value) {
    write(ns, key, path(key), value);
  }

  public static String get(Netns ns, String key) {
    return read(ns, key, path(key));
  }

  /**
   * Writes a per-interface key: {@code set(ns, "net.ipv4.conf", "eth0.100", "rp_filter", "0")}.
   *
   * @param dir {@code net.ipv4.conf}, {@code net/ipv6/conf}, {@code net.ipv4.neigh}...
   */
  public static void set(Netns ns, String dir, String ifname, String leaf, String value) {
    Path p = interfacePath(dir, ifname, leaf);
    write(ns, dir + "." + ifname + "." + leaf, p, value);
  }

  public static String get(Netns ns, String dir, String ifname, String leaf) {
    Path p = interfacePath(dir, ifname, leaf);
    return read(ns, dir + "." + ifname + "." + leaf, p);
  }

  /** The file under /proc/sys for a key; exposed for tests. */
  static Path path(String key) {
    if (key == null || !(key.startsWith("net.") || key.startsWith("net/"))) {
      throw new IllegalArgumentException("sysctl key must start with net.: \"" + key + "\"");
    }
    if (key.indexOf('/') >= 0) {
      for (String part : key.split("/", -1)) {
        checkSegment(key, part);
      }
      return ROOT.resolve(key);
    }
    for (String prefix : PER_INTERFACE) {
      if (key.startsWith(prefix)) {
        int last = key.lastIndexOf('.');
        if (last <= prefix.length()) {
          throw new IllegalArgumentException("sysctl key has no interface name: \"" + key + "\"");
        }
        return interfacePath(
            prefix.substring(0, prefix.length() - 1),
            key.substring(prefix.length(), last),
            key.substring(last + 1));
      }
    }
    for (String part : key.split("\\.", -1)) {
      checkSegment(key, part);
    }
    return ROOT.resolve(key.replace('.', '/'));
  }

  private static Path interfacePath(String dir, String ifname, String leaf) {
    String d = dir.replace('.', '/');
    if (!List.of("net/ipv4/conf", "net/ipv4/neigh", "net/ipv6/conf", "net/ipv6/neigh")
        .contains(d)) {
      throw new IllegalArgumentException(
          "not a per-interface sysctl directory: \""
              + dir
              + "\" (net.ipv4.conf, net.ipv6.conf,"
              + " net.ipv4.neigh, net.ipv6.neigh)");
    }
    checkSegment(ifname, ifname);
    checkSegment(leaf, leaf);
    if (leaf.indexOf('.') >= 0) {
      throw new IllegalArgumentException("sysctl name has a dot: \"" + leaf + "\"");
    }
    return ROOT.resolve(d).resolve(ifname).resolve(leaf);
  }

  private static void checkSegment(String key, String part) {
    if (part == null
        || part.isEmpty()
        || part.equals(".")
        || part.equals("..")
        || part.indexOf('/') >= 0
        || part.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("bad sysctl key: \"" + key + "\"");
    }
  }

  private static void write(Netns ns, String key, Path p, String value) {
    String op = "set sysctl " + key + " = " + value + " in " + ns.path();
    ns.runUnchecked(
        op,
        () -> {
          try {
            Files.writeString(p, value, StandardCharsets.US_ASCII);
            return null;
          } catch (IOException e) {
            throw mapped(op, e);
          }
        });
  }

  private static String read(Netns ns, String key, Path p) {
    String op = "get sysctl " + key + " in " + ns.path();
    return ns.runUnchecked(
        op,
        () -> {
          try {
            return Files.readString(p, StandardCharsets.US_ASCII).strip();
          } catch (IOException e) {
            throw mapped(op, e);
          }
        });
  }

  private static RuntimeException mapped(String op, IOException e) {
    if (e instanceof NoSuchFileException) {
      return Errors.syscall(op, Errors.ENOENT);
    }
    if (e instanceof AccessDeniedException) {
      return Errors.syscall(op, 13 /* EACCES */);
    }
    return new UncheckedIOException("failed to " + op, e);
  }
}
