package io.vpccni.netlink;

/** The object to create is already there (EEXIST). */
public class ExistsException extends NetlinkException {
  public ExistsException(String operation, int errno, String errnoName, String strerror) {
    super(operation, errno, errnoName, strerror);
  }

  public ExistsException(
      String operation, int errno, String errnoName, String strerror, String extAck) {
    super(operation, errno, errnoName, strerror, extAck);
  }
}
