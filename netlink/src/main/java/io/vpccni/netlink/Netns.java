package io.vpccni.netlink;

import io.vpccni.netlink.internal.Errors;
import io.vpccni.netlink.internal.ffm.Libc;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An open handle (a file descriptor) on a network namespace. Netlink sockets opened through {@link
 * Netlink#in(Netns)} stay bound to it; code that must <em>enter</em> the namespace (sysctls under
 * /proc/sys/net, sockets of other kinds) uses {@link #run(Callable)}, which executes on a dedicated
 * platform thread that switches with setns(2) and always switches back, even on error (see this
 * package's README.md: never setns from a virtual or pooled thread).
 */
public final class Netns implements AutoCloseable {
  private static final String THREAD_SELF = "/proc/thread-self/ns/net";
  private static final AtomicLong THREADS = new AtomicLong();

  private final Path path;
  private final int fd;
  private final long inode;
  private final AtomicBoolean closed = new AtomicBoolean();

  private Netns(Path path, int fd, long inode) {
    this.path = path;
    this.fd = fd;
    this.inode = inode;
  }

  /**
   * The namespace of the calling thread, opened from {@code /proc/thread-self/ns/net}: the
   * process's namespace, except inside {@link #run(Callable)}.
   */
  public static Netns current() {
    return open(Path.of(THREAD_SELF));
  }

  /**
   * Opens a namespace by path ({@code /var/run/netns/x} or {@code /proc/PID/ns/net}).
   *
   * @throws NetnsGoneException if the path is missing or not a network namespace
   */
  public static Netns open(Path path) {
    String p = path.toString();
    int fd = Libc.open(p, Libc.O_RDONLY | Libc.O_CLOEXEC);
    if (fd < 0) {
      if (-fd == Errors.ENOENT || -fd == Errors.ESRCH || -fd == Errors.ENOTDIR) {
        throw new NetnsGoneException(p, Errors.name(-fd) + " (" + Libc.strerror(-fd) + ")");
      }
      throw Errors.syscall("open network namespace " + p, -fd);
    }
    boolean ok = false;
    try {
      int type = Libc.namespaceType(fd);
      if (type < 0) {
        throw new NetnsGoneException(
            p, "not a namespace file (NS_GET_NSTYPE: " + Errors.name(-type) + ")");
      }
      if (type != Libc.CLONE_NEWNET) {
        throw new NetnsGoneException(p, "a namespace, but not a network namespace");
      }
      long ino = Libc.inode(fd);
      if (ino < 0) {
        throw Errors.syscall("stat network namespace " + p, (int) -ino);
      }
      ok = true;
      return new Netns(path, fd, ino);
    } finally {
      if (!ok) {
        Libc.close(fd);
      }
    }
  }

  /**
   * {@code ip netns add NAME}: creates a new, empty network namespace (only {@code lo}, down) and
   * pins it at {@code /var/run/netns/NAME}, where {@code ip netns}, container runtimes and {@link
   * #open(Path)} find it. Makes {@code /var/run/netns} a shared mount point first if it is not one,
   * as iproute2 does. The namespace is created on a new platform thread that ends right after; the
   * caller's thread never changes namespace. On failure nothing is left behind (the directory and
   * its mount, which every such tool shares, stay).
   *
   * @param name a file name: non-empty, not {@code .} or {@code ..}, no {@code /}, at most 255
   *     bytes
   * @return {@code /var/run/netns/NAME}
   * @throws IllegalArgumentException for a bad name
   * @throws ExistsException if {@code /var/run/netns/NAME} exists (nothing is changed)
   * @throws NetlinkException with the errno of any other failing step, naming the path
   */
  public static Path create(String name) {
    return NamedNetns.create(name);
  }

  /**
   * {@code ip netns del NAME}: detaches the mount at {@code /var/run/netns/NAME} (umount2 with
   * MNT_DETACH) and removes the file. The namespace itself lives on while anything still holds it
   * (an open {@link Netns}, a process inside it). A file that is not a mount point is removed too.
   *
   * @throws NetnsGoneException if there is no {@code /var/run/netns/NAME}; callers that tear down
   *     catch it (or {@link NotFoundException}) and carry on, so a repeated delete is harmless
   * @throws IllegalArgumentException for a bad name
   */
  public static void delete(String name) {
    NamedNetns.delete(name);
  }

  /** {@code /var/run/netns/NAME}, the path {@link #create(String)} makes, after checking NAME. */
  public static Path pathOf(String name) {
    return NamedNetns.path(name);
  }

  /** The path it was opened from. */
  public Path path() {
    return path;
  }

  /** The namespace inode number, which identifies it (as {@code ls -L -i} prints). */
  public long inode() {
    return inode;
  }

  /** The open file descriptor (for IFLA_NET_NS_FD); valid until {@link #close()}. */
  public int fd() {
    if (closed.get()) {
      throw new IllegalStateException("network namespace handle " + path + " is closed");
    }
    return fd;
  }

  /**
   * Runs {@code task} inside this namespace on a new platform thread and returns its result; the
   * task's own exception is rethrown as is. The thread opens its original namespace first, enters
   * this one, and switches back in a finally block; it runs nothing else and ends with the task, so
   * a failure to switch back cannot leak into later work.
   */
  public <T> T run(Callable<T> task) throws Exception {
    int target = fd();
    FutureTask<T> future = new FutureTask<>(() -> inside(target, task));
    Thread thread =
        Thread.ofPlatform()
            .name("netns-run-" + THREADS.incrementAndGet())
            .daemon(true)
            .unstarted(future);
    thread.start();
    try {
      return future.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception ex) {
        throw ex;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }

  /** {@link #run(Callable)} for tasks that throw only unchecked exceptions. */
  <T> T runUnchecked(String operation, Callable<T> task) {
    try {
      return run(task);
    } catch (RuntimeException e) {
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Errors.syscall(operation, Errors.EINTR);
    } catch (Exception e) {
      throw new IllegalStateException("failed to " + operation, e);
    }
  }

  private <T> T inside(int target, Callable<T> task) throws Exception {
    int home = Libc.open(THREAD_SELF, Libc.O_RDONLY | Libc.O_CLOEXEC);
    if (home < 0) {
      throw Errors.syscall("open the current thread's network namespace", -home);
    }
    try {
      int r = Libc.setns(target, Libc.CLONE_NEWNET);
      if (r < 0) {
        throw Errors.syscall("enter network namespace " + path, -r);
      }
      try {
        return task.call();
      } finally {
        // If this fails the thread stays in the target namespace; it is about to end and runs
        // nothing else, so nothing else can observe the wrong namespace.
        Libc.setns(home, Libc.CLONE_NEWNET);
      }
    } finally {
      Libc.close(home);
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      Libc.close(fd);
    }
  }

  @Override
  public String toString() {
    return "netns " + path + " (inode " + inode + ")";
  }
}
