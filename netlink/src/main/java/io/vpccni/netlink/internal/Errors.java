package io.vpccni.netlink.internal;

import io.vpccni.netlink.ExistsException;
import io.vpccni.netlink.LinkNotFoundException;
import io.vpccni.netlink.NetlinkException;
import io.vpccni.netlink.NotFoundException;
import io.vpccni.netlink.internal.ffm.Libc;

/** Maps an errno to the typed exception callers match on, with its symbolic name and text. */
public final class Errors {
  private Errors() {}

  public static final int ENOENT = 2;
  public static final int ESRCH = 3;
  public static final int EINTR = 4;
  public static final int EEXIST = 17;
  public static final int ENODEV = 19;
  public static final int ENOTDIR = 20;
  public static final int EINVAL = 22;
  public static final int ENOTTY = 25;
  public static final int EOPNOTSUPP = 95;
  public static final int EADDRNOTAVAIL = 99;

  private static final String[] NAMES = new String[134];

  static {
    String table =
        "1 EPERM 2 ENOENT 3 ESRCH 4 EINTR 5 EIO 6 ENXIO 7 E2BIG 8 ENOEXEC 9 EBADF 10 ECHILD"
            + " 11 EAGAIN 12 ENOMEM 13 EACCES 14 EFAULT 16 EBUSY 17 EEXIST 18 EXDEV 19 ENODEV"
            + " 20 ENOTDIR 21 EISDIR 22 EINVAL 23 ENFILE 24 EMFILE 25 ENOTTY 26 ETXTBSY"
            + " 27 EFBIG 28 ENOSPC 29 ESPIPE 30 EROFS 31 EMLINK 32 EPIPE 33 EDOM 34 ERANGE"
            + " 35 EDEADLK 36 ENAMETOOLONG 37 ENOLCK 38 ENOSYS 39 ENOTEMPTY 40 ELOOP"
            + " 42 ENOMSG 43 EIDRM 61 ENODATA 62 ETIME 67 ENOLINK 71 EPROTO 74 EBADMSG"
            + " 75 EOVERFLOW 84 EILSEQ 88 ENOTSOCK 89 EDESTADDRREQ 90 EMSGSIZE 91 EPROTOTYPE"
            + " 92 ENOPROTOOPT 93 EPROTONOSUPPORT 94 ESOCKTNOSUPPORT 95 EOPNOTSUPP"
            + " 96 EPFNOSUPPORT 97 EAFNOSUPPORT 98 EADDRINUSE 99 EADDRNOTAVAIL 100 ENETDOWN"
            + " 101 ENETUNREACH 102 ENETRESET 103 ECONNABORTED 104 ECONNRESET 105 ENOBUFS"
            + " 106 EISCONN 107 ENOTCONN 110 ETIMEDOUT 111 ECONNREFUSED 112 EHOSTDOWN"
            + " 113 EHOSTUNREACH 114 EALREADY 115 EINPROGRESS 116 ESTALE 122 EDQUOT"
            + " 125 ECANCELED 130 EOWNERDEAD 132 ERFKILL 133 EHWPOISON";
    String[] parts = table.split(" ");
    for (int i = 0; i < parts.length; i += 2) {
      NAMES[Integer.parseInt(parts[i])] = parts[i + 1];
    }
  }

  /** The symbolic name of a (positive) errno, or {@code "errno N"} for one not in the table. */
  public static String name(int errno) {
    String n = errno > 0 && errno < NAMES.length ? NAMES[errno] : null;
    return n != null ? n : "errno " + errno;
  }

  public static boolean isNotFound(int errno) {
    return errno == ENOENT || errno == ESRCH || errno == ENODEV || errno == EADDRNOTAVAIL;
  }

  /** A failed system call (socket, open, setns...): typed like a netlink error about no link. */
  public static NetlinkException syscall(String operation, int errno) {
    return of(operation, errno, null, false);
  }

  /**
   * The exception for a kernel refusal.
   *
   * @param aboutLink whether the operation names a link, so "not found" is a {@link
   *     LinkNotFoundException}
   */
  public static NetlinkException of(String operation, int errno, String extAck, boolean aboutLink) {
    String name = name(errno);
    String text = Libc.strerror(errno);
    if (isNotFound(errno)) {
      return aboutLink
          ? new LinkNotFoundException(operation, errno, name, text, extAck)
          : new NotFoundException(operation, errno, name, text, extAck);
    }
    if (errno == EEXIST) {
      return new ExistsException(operation, errno, name, text, extAck);
    }
    return new NetlinkException(operation, errno, name, text, extAck);
  }
}
