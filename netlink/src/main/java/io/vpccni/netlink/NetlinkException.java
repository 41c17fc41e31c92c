package io.vpccni.netlink;

/**
 * The kernel refused a netlink request (or a namespace/syscall operation failed). The message has
 * the shape {@code failed to <operation>: <ERRNO> (<strerror>)}, followed by {@code : <kernel
 * message>} when the kernel sent an extended ack; {@link #errno()} is the positive errno value and
 * {@link #errnoName()} its symbolic name ("EEXIST").
 */
public class NetlinkException extends RuntimeException {
  private final int errno;
  private final String errnoName;
  private final String extAck;

  public NetlinkException(String operation, int errno, String errnoName, String strerror) {
    this(operation, errno, errnoName, strerror, null);
  }

  /**
   * @param extAck the kernel's extended-ack text (NLMSGERR_ATTR_MSG), or null
   */
  public NetlinkException(
      String operation, int errno, String errnoName, String strerror, String extAck) {
    super(message(operation, errnoName, strerror, extAck));
    this.errno = errno;
    this.errnoName = errnoName;
    this.extAck = extAck;
  }

  protected NetlinkException(String message, int errno, String errnoName, Throwable cause) {
    super(message, cause);
    this.errno = errno;
    this.errnoName = errnoName;
    this.extAck = null;
  }

  private static String message(String operation, String errnoName, String strerror, String ext) {
    String m = "failed to " + operation + ": " + errnoName + " (" + strerror + ")";
    return ext == null || ext.isEmpty() ? m : m + ": " + ext;
  }

  public int errno() {
    return errno;
  }

  public String errnoName() {
    return errnoName;
  }

  /** The kernel's extended-ack message ("Unknown device type"), or null if it sent none. */
  public String extAck() {
    return extAck;
  }
}
