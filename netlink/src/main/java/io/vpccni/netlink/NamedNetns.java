package io.vpccni.netlink;

import io.vpccni.netlink.internal.Errors;
import io.vpccni.netlink.internal.ffm.Libc;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Named network namespaces the way iproute2 keeps them, so that {@code ip netns}, containerd and
 * the CNI plugin see ours and we see theirs: a namespace is an empty file {@code
 * /var/run/netns/NAME} with the namespace's nsfs file bind-mounted onto it, and {@code
 * /var/run/netns} is a mount point of its own with shared propagation ({@code MS_SHARED|MS_REC}),
 * so that a delete made from one mount namespace reaches the copies in the others. Behind {@link
 * Netns#create(String)} and {@link Netns#delete(String)}; see README.md.
 */
final class NamedNetns {
  private NamedNetns() {}

  static final String RUN_DIR = "/var/run/netns";

  /** NAME_MAX: the longest file name, in bytes; iproute2 has the same bound. */
  static final int NAME_MAX = 255;

  private static final String THREAD_SELF = "/proc/thread-self/ns/net";
  private static final AtomicLong THREADS = new AtomicLong();

  /** The path of a named namespace, after checking the name. */
  static Path path(String name) {
    checkName(name);
    return Path.of(RUN_DIR, name);
  }

  /**
   * Rejects names that are not one plain file name under {@link #RUN_DIR}: empty, {@code .}, {@code
   * ..}, with a slash or a NUL, or longer than {@link #NAME_MAX} bytes in UTF-8.
   */
  static void checkName(String name) {
    String why = null;
    if (name == null || name.isEmpty()) {
      why = "empty";
    } else if (name.equals(".") || name.equals("..")) {
      why = "not a file name";
    } else if (name.indexOf('/') >= 0) {
      why = "has a '/'";
    } else if (name.indexOf('\0') >= 0) {
      why = "has a NUL character";
    } else if (name.getBytes(StandardCharsets.UTF_8).length > NAME_MAX) {
      why = "longer than " + NAME_MAX + " bytes";
    }
    if (why != null) {
      throw new IllegalArgumentException(
          "bad network namespace name \""
              + name
              + "\": "
              + why
              + " (must be a file name under "
              + RUN_DIR
              + ")");
    }
  }

  static Path create(String name) {
    return create(name, NamedNetns::bindNewNamespace);
  }

  /**
   * {@link #create(String)} with the unshare-and-bind step given by the caller: tests make it fail
   * (before or after binding) to check that nothing is left behind.
   */
  static Path create(String name, Consumer<String> bind) {
    Path p = path(name);
    String path = p.toString();
    ensureSharedRunDir();
    // O_EXCL: an existing namespace (ours or anyone's) fails here, before anything is changed.
    int fd = Libc.openCreate(path, Libc.O_RDONLY | Libc.O_CLOEXEC | Libc.O_EXCL, 0);
    if (fd < 0) {
      throw Errors.syscall("add network namespace " + path, -fd);
    }
    Libc.close(fd);
    boolean ok = false;
    try {
      bind.accept(path);
      ok = true;
      return p;
    } finally {
      if (!ok) {
        // The file is ours (O_EXCL). EINVAL from umount2 just means the bind never happened.
        Libc.umount2(path, Libc.MNT_DETACH);
        Libc.unlink(path);
      }
    }
  }

  static void delete(String name) {
    String path = path(name).toString();
    int r = Libc.umount2(path, Libc.MNT_DETACH);
    // EINVAL: not a mount point (a file left by a crash between create's steps): remove it anyway,
    // as ip netns del does. ENOENT: reported by unlink below.
    if (r < 0 && -r != Errors.EINVAL && -r != Errors.ENOENT) {
      throw Errors.syscall("unmount network namespace " + path, -r);
    }
    r = Libc.unlink(path);
    if (r < 0) {
      if (-r == Errors.ENOENT) {
        throw new NetnsGoneException(
            path, Errors.name(-r) + " (" + Libc.strerror(-r) + ") on delete");
      }
      throw Errors.syscall("delete network namespace file " + path, -r);
    }
  }

  /**
   * Makes {@link #RUN_DIR} exist and be a shared mount point, as {@code ip netns add} does: mkdir
   * (0755), then under an exclusive flock on the directory (so that concurrent creators, in this
   * process or others, do not stack bind mounts) mark it {@code MS_SHARED|MS_REC}; if that fails
   * with EINVAL it is not a mount point yet, so bind-mount it onto itself once and retry. Left in
   * place afterwards: it is shared by every tool that keeps named namespaces.
   */
  private static void ensureSharedRunDir() {
    int r = Libc.mkdir(RUN_DIR, 0755);
    if (r < 0 && -r != Errors.EEXIST) {
      throw Errors.syscall("create directory " + RUN_DIR, -r);
    }
    int lock = Libc.open(RUN_DIR, Libc.O_RDONLY | Libc.O_CLOEXEC);
    if (lock < 0) {
      throw Errors.syscall("open directory " + RUN_DIR, -lock);
    }
    try {
      // Like iproute2, go on without the lock if flock fails: the lock only guards a rare race.
      boolean locked = Libc.flock(lock, Libc.LOCK_EX) == 0;
      try {
        boolean bound = false;
        while ((r = Libc.mount("", RUN_DIR, "none", Libc.MS_SHARED | Libc.MS_REC)) < 0) {
          if (-r != Errors.EINVAL || bound) {
            throw Errors.syscall("make " + RUN_DIR + " a shared mount point", -r);
          }
          r = Libc.mount(RUN_DIR, RUN_DIR, "none", Libc.MS_BIND | Libc.MS_REC);
          if (r < 0) {
            throw Errors.syscall("bind-mount " + RUN_DIR + " onto itself", -r);
          }
          bound = true;
        }
      } finally {
        if (locked) {
          Libc.flock(lock, Libc.LOCK_UN);
        }
      }
    } finally {
      Libc.close(lock);
    }
  }

  /**
   * On a new platform thread: unshare(CLONE_NEWNET), which gives that thread (only) a fresh
   * namespace, and bind-mount the thread's namespace file onto {@code path}; then switch the thread
   * back and let it end, so it never runs anything else in the new namespace (see README.md). The
   * caller waits without being interruptible: returning early would let the bind happen after the
   * caller has cleaned up.
   */
  static void bindNewNamespace(String path) {
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread thread =
        Thread.ofPlatform()
            .name("netns-create-" + THREADS.incrementAndGet())
            .daemon(true)
            .unstarted(
                () -> {
                  try {
                    unshareAndBind(path);
                  } catch (Throwable t) {
                    failure.set(t);
                  }
                });
    thread.start();
    boolean interrupted = false;
    while (true) {
      try {
        thread.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    Throwable t = failure.get();
    if (t instanceof RuntimeException e) {
      throw e;
    }
    if (t instanceof Error e) {
      throw e;
    }
    if (t != null) {
      throw new IllegalStateException("failed to create network namespace " + path, t);
    }
  }

  private static void unshareAndBind(String path) {
    int home = Libc.open(THREAD_SELF, Libc.O_RDONLY | Libc.O_CLOEXEC);
    if (home < 0) {
      throw Errors.syscall("open the current thread's network namespace", -home);
    }
    try {
      int r = Libc.unshare(Libc.CLONE_NEWNET);
      if (r < 0) {
        throw Errors.syscall("create network namespace " + path + " (unshare)", -r);
      }
      try {
        r = Libc.mount(THREAD_SELF, path, "none", Libc.MS_BIND);
        if (r < 0) {
          throw Errors.syscall("bind-mount the new network namespace onto " + path, -r);
        }
      } finally {
        // If this fails the thread stays in the new namespace; it ends now and runs nothing else.
        Libc.setns(home, Libc.CLONE_NEWNET);
      }
    } finally {
      Libc.close(home);
    }
  }
}
