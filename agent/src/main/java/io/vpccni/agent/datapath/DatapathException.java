package io.vpccni.agent.datapath;

/**
 * A datapath step failed or a CHECK found the datapath not as built. {@link #code()} is the CNI
 * error code to report (the spec's, or ours ≥ 100).
 */
public final class DatapathException extends Exception {
  /** CHECK found something missing or different. */
  public static final int CHECK_FAILED = 110;

  /** Building the pod's interface failed. */
  public static final int SETUP_FAILED = 111;

  /** The requested mode cannot run on this kernel. */
  public static final int UNSUPPORTED = 112;

  private final int code;

  public DatapathException(int code, String message) {
    super(message);
    this.code = code;
  }

  public DatapathException(int code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public int code() {
    return code;
  }
}
