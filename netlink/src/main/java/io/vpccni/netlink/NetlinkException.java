package io.vpccni.netlink;

/**
 * The kernel refused a netlink request (or a namespace/syscall operation failed). The message has
 * the shape {@code failed to <operation>: <ERRNO> (<strerror>)}; {@link #errno()} is the positive
 * errno value and {@link #errnoName()} its symbolic name ("EEXIST").
 */
public class NetlinkException extends RuntimeException {
  private final int errno;
  private final String errnoName;

  public NetlinkException(String operation, int errno, String errnoName, String strerror) {
    super("failed to " + operation + ": " + errnoName + " (" + strerror + ")");
    this.errno = errno;
    this.errnoName = errnoName;
  }

  protected NetlinkException(String message, int errno, String errnoName, Throwable cause) {
    super(message, cause);
    this.errno = errno;
    this.errnoName = errnoName;
  }

  public int errno() {
    return errno;
  }

  public String errnoName() {
    return errnoName;
  }
}
