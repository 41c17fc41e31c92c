package io.vpccni.netlink;

/** The namespace path does not exist or is not (any more) a network namespace. */
public class NetnsGoneException extends NotFoundException {
  public NetnsGoneException(String path, String why) {
    super("network namespace " + path + " is gone: " + why, 2, "ENOENT");
  }
}
