package io.vpccni.e2e.runtime;

import io.vpccni.netlink.Netns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * A network namespace pinned by a bind mount at {@code path}: the node namespace the harness
 * creates with {@link Netns#create} (what {@code ip netns add} does), or a pod namespace containerd
 * creates. Commands are run in it with {@code nsenter --net=PATH}, which enters the network
 * namespace only (unlike {@code ip netns exec}, which also unshares the mount namespace), so bind
 * mounts the process makes stay visible to everyone else.
 *
 * @param name the name under /run/netns for a namespace made by {@link #add}, else the file name
 * @param path the bind-mounted namespace file
 */
public record NetworkNamespace(String name, Path path) {

  static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
  private static final Path NETNS_DIR = Path.of("/run/netns");

  /** A namespace at an existing path (a pod's netns from containerd). */
  public static NetworkNamespace at(Path path) {
    return new NetworkNamespace(path.getFileName().toString(), path);
  }

  /**
   * Creates {@code /run/netns/NAME} with {@link Netns#create} (the files and mounts of {@code ip
   * netns add}) and brings its loopback up.
   */
  static NetworkNamespace add(String name) {
    Netns.create(name);
    NetworkNamespace ns = new NetworkNamespace(name, NETNS_DIR.resolve(name));
    ns.exec("ip", "link", "set", "lo", "up").check();
    return ns;
  }

  /** True while the namespace file exists. */
  public boolean exists() {
    return Files.exists(path);
  }

  /** Runs a command inside this namespace (network namespace only) with the default timeout. */
  public Command.Result exec(String... argv) {
    return exec(COMMAND_TIMEOUT, argv);
  }

  /**
   * Runs a command inside this namespace (network namespace only), waiting at most {@code timeout}.
   */
  public Command.Result exec(Duration timeout, String... argv) {
    List<String> full = new ArrayList<>(List.of("nsenter", "--net=" + path, "--"));
    full.addAll(List.of(argv));
    return Command.run(timeout, full);
  }

  /**
   * Names of the links in this namespace, as {@code ip -o link} lists them (without {@code @peer}).
   */
  public List<String> linkNames() {
    return parseLinkNames(exec("ip", "-o", "link", "show").check().stdout());
  }

  /** Link names from {@code ip -o link show} output. */
  static List<String> parseLinkNames(String out) {
    List<String> names = new ArrayList<>();
    for (String line : out.split("\n")) {
      String[] fields = line.split(":", 3);
      if (fields.length >= 2) {
        String link = fields[1].strip();
        int at = link.indexOf('@');
        names.add(at < 0 ? link : link.substring(0, at));
      }
    }
    return names;
  }

  /** The namespace's inode number, which identifies it in /proc/PID/ns/net; empty once gone. */
  public OptionalLong inode() {
    return inodeOf(path);
  }

  static OptionalLong inodeOf(Path nsFile) {
    try {
      Object ino = Files.getAttribute(nsFile, "unix:ino");
      return OptionalLong.of(((Number) ino).longValue());
    } catch (IOException | UnsupportedOperationException e) {
      return OptionalLong.empty();
    }
  }

  @Override
  public String toString() {
    return "netns " + name + " (" + path + ")";
  }
}
