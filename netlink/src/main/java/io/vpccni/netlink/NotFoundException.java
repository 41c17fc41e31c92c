package io.vpccni.netlink;

/**
 * The object to read or delete is not there (ENOENT, ESRCH, ENODEV, EADDRNOTAVAIL). Teardown code
 * catches this type and carries on, so DEL and GC are idempotent.
 */
public class NotFoundException extends NetlinkException {
  public NotFoundException(String operation, int errno, String errnoName, String strerror) {
    super(operation, errno, errnoName, strerror);
  }

  public NotFoundException(
      String operation, int errno, String errnoName, String strerror, String extAck) {
    super(operation, errno, errnoName, strerror, extAck);
  }

  protected NotFoundException(String message, int errno, String errnoName) {
    super(message, errno, errnoName, (Throwable) null);
  }
}
