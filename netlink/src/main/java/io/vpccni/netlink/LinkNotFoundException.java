package io.vpccni.netlink;

/** No link with the given name, index or MAC in the handle's namespace. */
public class LinkNotFoundException extends NotFoundException {
  public LinkNotFoundException(String what) {
    super("link not found: " + what, 19, "ENODEV");
  }

  /** The kernel answered a request about a link with ENODEV (or another not-found errno). */
  public LinkNotFoundException(
      String operation, int errno, String errnoName, String strerror, String extAck) {
    super(operation, errno, errnoName, strerror, extAck);
  }
}
