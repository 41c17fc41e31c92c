package io.vpccni.netlink;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * An open handle (a file descriptor) on a network namespace. Netlink sockets opened through {@link
 * Netlink#in(Netns)} stay bound to it; code that must <em>enter</em> the namespace (sysctls under
 * /proc/sys/net, sockets of other kinds) uses {@link #run(Callable)}, which executes on a dedicated
 * platform thread that switches with setns(2) and always switches back, even on error (see this
 * package's README.md: never setns from a virtual or pooled thread).
 */
public final class Netns implements AutoCloseable {
  private Netns() {}

  /** The namespace of the calling process (opened from /proc/self/ns/net). */
  public static Netns current() {
    throw new UnsupportedOperationException("TODO netlink");
  }

  /**
   * Opens a namespace by path ({@code /var/run/netns/x} or {@code /proc/PID/ns/net}).
   *
   * @throws NetnsGoneException if the path is missing or not a network namespace
   */
  public static Netns open(Path path) {
    throw new UnsupportedOperationException("TODO netlink");
  }

  /** The path it was opened from. */
  public Path path() {
    throw new UnsupportedOperationException("TODO netlink");
  }

  /** The namespace inode number, which identifies it (as {@code ls -L -i} prints). */
  public long inode() {
    throw new UnsupportedOperationException("TODO netlink");
  }

  /** The open file descriptor (for IFLA_NET_NS_FD); valid until {@link #close()}. */
  public int fd() {
    throw new UnsupportedOperationException("TODO netlink");
  }

  /** Runs {@code task} inside this namespace on a dedicated platform thread and returns its result. */
  public <T> T run(Callable<T> task) throws Exception {
    throw new UnsupportedOperationException("TODO netlink");
  }

  @Override
  public void close() {
    throw new UnsupportedOperationException("TODO netlink");
  }
}
