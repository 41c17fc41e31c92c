package io.vpccni.agent.datapath;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Host-side interface names, derived from the attachment so DEL finds them with no record at all: a
 * 3-letter prefix + 11 hex digits of SHA-256(containerId/ifName) = 14 characters (IFNAMSIZ-1 is
 * 15). 44 bits make a collision between two pods of one node vanishingly unlikely.
 */
public final class Names {
  public static final String VETH_PREFIX = "vpc";
  public static final String NODE_VETH_PREFIX = "vpe";

  private Names() {}

  public static String hostVeth(String containerId, String ifName) {
    return VETH_PREFIX + hash(containerId, ifName);
  }

  /** Exclusive mode's host end of the node-local veth. */
  public static String nodeVeth(String containerId, String ifName) {
    return NODE_VETH_PREFIX + hash(containerId, ifName);
  }

  public static boolean isOurs(String linkName) {
    return linkName.length() == 14
        && (linkName.startsWith(VETH_PREFIX) || linkName.startsWith(NODE_VETH_PREFIX));
  }

  private static String hash(String containerId, String ifName) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256")
              .digest((containerId + "/" + ifName).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d).substring(0, 11);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
