package io.vpccni.netlink;

/** No link with the given name, index or MAC in the handle's namespace. */
public class LinkNotFoundException extends NotFoundException {
  public LinkNotFoundException(String what) {
    super("link not found: " + what, 19, "ENODEV");
  }
}
