package io.vpccni.netlink.internal.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The libc calls this module makes, as downcall handles created once. Every wrapper returns the
 * call's result when it is non-negative and {@code -errno} when it failed, so callers never read
 * errno themselves; {@code errno} is captured by the linker right after the call (the JVM may
 * clobber the thread's errno before Java code could read it).
 *
 * <p>Handles used by the request path (socket, send, receive) are created when this class is
 * initialised; the rarer ones live in holder classes so that a process that never opens a namespace
 * never pays for linking them (each handle costs about 10 ms the first time).
 */
public final class Libc {
  private Libc() {}

  public static final int AF_NETLINK = 16;
  public static final int SOCK_RAW = 3;
  public static final int SOCK_CLOEXEC = 0x80000;
  public static final int NETLINK_ROUTE = 0;
  public static final int SOL_SOCKET = 1;
  public static final int SO_RCVTIMEO = 20;
  public static final int SOL_NETLINK = 270;
  public static final int NETLINK_CAP_ACK = 10;
  public static final int NETLINK_EXT_ACK = 11;
  public static final int NETLINK_GET_STRICT_CHK = 12;
  public static final int MSG_PEEK = 0x2;
  public static final int MSG_TRUNC = 0x20;
  public static final int O_RDONLY = 0;
  public static final int O_CLOEXEC = 0x80000;
  public static final int CLONE_NEWNET = 0x40000000;
  public static final int O_CREAT = 0x40;
  public static final int O_EXCL = 0x80;
  public static final int LOCK_EX = 2;
  public static final int LOCK_UN = 8;
  public static final long MS_BIND = 4096;
  public static final long MS_REC = 16384;
  public static final long MS_SHARED = 1L << 20;
  public static final int MNT_DETACH = 2;

  /** {@code _IO(0xb7, 0x3)} from linux/nsfs.h: which kind of namespace an nsfs fd refers to. */
  public static final long NS_GET_NSTYPE = 0xb703L;

  public static final int EINTR = 4;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

  private static final MethodHandle SOCKET =
      downcall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
  private static final MethodHandle BIND =
      downcall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle SETSOCKOPT =
      downcall(
          "setsockopt",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle SENDTO =
      downcall(
          "sendto",
          FunctionDescriptor.of(
              JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle RECV =
      downcall("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
  private static final MethodHandle CLOSE =
      downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

  /** Namespace calls: linked on first use. */
  private static final class Ns {
    static final MethodHandle OPEN =
        downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle SETNS =
        downcall("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    // ioctl is variadic: the request is the last fixed argument and we pass no variadic ones.
    static final MethodHandle IOCTL =
        downcall(
            "ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG),
            Linker.Option.firstVariadicArg(2));
    static final MethodHandle FSTAT =
        downcall("fstat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
  }

  /**
   * Calls that add and delete named namespaces (files, mounts, unshare): linked on first use, and
   * only by processes that create namespaces.
   */
  private static final class Mnt {
    // open is variadic: the mode follows the flags only with O_CREAT.
    static final MethodHandle OPEN_CREATE =
        downcall(
            "open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    static final MethodHandle MKDIR =
        downcall("mkdir", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle UNLINK = downcall("unlink", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle FLOCK =
        downcall("flock", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    static final MethodHandle MOUNT =
        downcall(
            "mount",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    static final MethodHandle UMOUNT2 =
        downcall("umount2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle UNSHARE =
        downcall("unshare", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  }

  /** strerror: only needed on error paths, linked on first use. */
  private static final class Err {
    static final MethodHandle STRERROR =
        downcallNoErrno("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
  }

  private static MethodHandle downcall(String name, FunctionDescriptor fd, Linker.Option... extra) {
    Linker.Option[] options = new Linker.Option[extra.length + 1];
    options[0] = CAPTURE_ERRNO;
    System.arraycopy(extra, 0, options, 1, extra.length);
    return LINKER.downcallHandle(find(name), fd, options);
  }

  private static MethodHandle downcallNoErrno(String name, FunctionDescriptor fd) {
    return LINKER.downcallHandle(find(name), fd);
  }

  private static MemorySegment find(String name) {
    return LINKER
        .defaultLookup()
        .find(name)
        .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
  }

  /** A segment to receive errno; one per call or per socket, never shared concurrently. */
  public static MemorySegment allocateErrno(Arena arena) {
    return arena.allocate(CAPTURE_LAYOUT);
  }

  private static int errno(MemorySegment capture) {
    return (int) ERRNO.get(capture, 0L);
  }

  private static int result(int r, MemorySegment capture) {
    return r >= 0 ? r : -errno(capture);
  }

  private static long result(long r, MemorySegment capture) {
    return r >= 0 ? r : -errno(capture);
  }

  private static AssertionError linkageFailure(Throwable t) {
    return new AssertionError("native call failed to dispatch", t);
  }

  public static int socket(MemorySegment errno, int domain, int type, int protocol) {
    try {
      return result((int) SOCKET.invokeExact(errno, domain, type, protocol), errno);
    } catch (Throwable t) {
      throw linkageFailure(t);
    }
  }

  public static int bind(MemorySegment errno, int fd, MemorySegment addr, int len) {
    try {
      return result((int) BIND.invokeExact(errno, fd, addr, len), errno);
    } catch (Throwable t) {
      throw linkageFailure(t);
    }
  }

  public static int setsockopt(
      MemorySegment errno, int fd, int level, int name, MemorySegment value, int len) {
    try {
      return result((int) SETSOCKOPT.invokeExact(errno, fd, level, name, value, len), errno);
    } catch (Throwable t) {
      throw linkageFailure(t);
    }
  }

  public static long sendto(
      MemorySegment errno,
      int fd,
      MemorySegment buf,
      long len,
      int flags,
      MemorySegment addr,
      int addrLen) {
    try {
      return result((long) SENDTO.invokeExact(errno, fd, buf, len, flags, addr, addrLen), errno);
    } catch (Throwable t) {
      throw linkageFailure(t);
    }
  }

  public static long recv(MemorySegment errno, int fd, MemorySegment buf, long len, int flags) {
    try {
      return result((long) RECV.invokeExact(errno, fd, buf, len, flags), errno);
    } catch (Throwable t) {
      throw linkageFailure(t);
    }
  }

  public static int close(MemorySegment errno, int fd) {
    try {
      return result((int) CLOSE.invokeExact(errno, fd), errno);
    } catch (Throwable t) {
      throw linkageFailure(t);
    }
  }

  /** open(2) of a path with {@code flags}: the fd, or {@code -errno}. */
  public static int open(String path, int flags) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment errno = allocateErrno(arena);
      return result((int) Ns.OPEN.invokeExact(errno, arena.allocateFrom(path), flags), errno);
    } catch (Throwable t) {
      throw linkageFailure(t);
    }
  }

  /** close(2): 0 or {@code -errno}. */
  public static int close(int fd) {
    try (Arena arena = Arena.ofConfined()) {
      return close(allocateErrno(arena), fd);
    }
  }

  /** setns(2) on the calling thread: 0 or {@code -errno}. */
  public static int setns(int fd, int nstype) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment errno = allocateErrno(arena);
      return result((int) Ns.SETNS.invokeExact(errno, fd, nstype), errno);
    } catch (Throwable t) {
      throw linkageFailure(t);
    }
  }

  /**
   * ioctl(fd, NS_GET_NSTYPE): the CLONE_NEW* value of the namespace an nsfs fd refers to, or {@code
   * -errno} (ENOTTY for a file that is not a namespace).
   */
  public static int namespaceType(int fd) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment errno = allocateErrno(arena);
      return result((int) Ns.IOCTL.invokeExact(errno, fd, NS_GET_NSTYPE), errno);
    } catch (Throwable t) {
      throw linkageFailure(t);
    }
  }

  /** The inode number of an open file (fstat), or {@code -errno}. */
  public static long inode(int fd) {
    // struct stat is 144 bytes on x86_64 and 128 on arm64; st_ino is the second 64-bit field
    // on both (after st_dev). A larger buffer keeps either layout in bounds.
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment errno = allocateErrno(arena);
      MemorySegment stat = arena.allocate(256, 8);
      int r = (int) Ns.FSTAT.invokeExact(errno, fd, stat);
      return r < 0 ? -errno(errno) : stat.get(JAVA_LONG, 8);
    } catch (Throwable t) {
      throw linkageFailure(t);
    }
  }

  /** open(path, flags | O_CREAT, mode): the fd, or {@code -errno}. */
  public static int openCreate(String path, int flags, int mode) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment errno = allocateErrno(arena);
      return result(
          (int) Mnt.OPEN_CREATE.invokeExact(errno, arena.allocateFrom(path), flags | O_CREAT, mode),
          errno);
    } catch (Throwable t) {
      throw linkageFailure(t);
    }
  }

  /** mkdir(2) (the mode is masked by the umask): 0 or {@code -errno}. */
  public static int mkdir(String path, int mode) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment errno = allocateErrno(arena);
      return result((int) Mnt.MKDIR.invokeExact(errno, arena.allocateFrom(path), mode), errno);
    } catch (Throwable t) {
      throw linkageFailure(t);
    }
  }

  /** unlink(2): 0 or {@code -errno}. */
  public static int unlink(String path) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment errno = allocateErrno(arena);
      return result((int) Mnt.UNLINK.invokeExact(errno, arena.allocateFrom(path)), errno);
    } catch (Throwable t) {
      throw linkageFailure(t);
    }
  }

  /** flock(2) with {@link #LOCK_EX} or {@link #LOCK_UN}: 0 or {@code -errno}. */
  public static int flock(int fd, int operation) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment errno = allocateErrno(arena);
      return result((int) Mnt.FLOCK.invokeExact(errno, fd, operation), errno);
    } catch (Throwable t) {
      throw linkageFailure(t);
    }
  }

  /**
   * mount(2) with no data: {@code source} and {@code fstype} may be null (passed as NULL). 0 or
   * {@code -errno}.
   */
  public static int mount(String source, String target, String fstype, long flags) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment errno = allocateErrno(arena);
      MemorySegment src = source == null ? MemorySegment.NULL : arena.allocateFrom(source);
      MemorySegment type = fstype == null ? MemorySegment.NULL : arena.allocateFrom(fstype);
      return result(
          (int)
              Mnt.MOUNT.invokeExact(
                  errno, src, arena.allocateFrom(target), type, flags, MemorySegment.NULL),
          errno);
    } catch (Throwable t) {
      throw linkageFailure(t);
    }
  }

  /** umount2(2): 0 or {@code -errno}. */
  public static int umount2(String target, int flags) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment errno = allocateErrno(arena);
      return result((int) Mnt.UMOUNT2.invokeExact(errno, arena.allocateFrom(target), flags), errno);
    } catch (Throwable t) {
      throw linkageFailure(t);
    }
  }

  /** unshare(2) on the calling thread: 0 or {@code -errno}. */
  public static int unshare(int flags) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment errno = allocateErrno(arena);
      return result((int) Mnt.UNSHARE.invokeExact(errno, flags), errno);
    } catch (Throwable t) {
      throw linkageFailure(t);
    }
  }

  /** The C library's message for {@code errno} ("No such device"). */
  public static String strerror(int errno) {
    try {
      MemorySegment p = (MemorySegment) Err.STRERROR.invokeExact(errno);
      return p.equals(MemorySegment.NULL) ? "errno " + errno : p.reinterpret(256).getString(0);
    } catch (Throwable t) {
      throw linkageFailure(t);
    }
  }
}
