package io.vpccni.cni;

/**
 * A failure the binary reports as the spec's error result: {@code
 * {"cniVersion":..,"code":N,"msg":..,"details":..}} on stdout and a non-zero exit. Codes 0–99 are
 * the spec's well-known errors; 100 and up are ours. No stack trace is captured: these are expected
 * outcomes, and the binary must stay cheap on its error paths too.
 */
public final class CniException extends Exception {
  /** Incompatible CNI version (also: a {@code prevResult} of another version). */
  public static final int INCOMPATIBLE_VERSION = 1;

  /** Unsupported field in the network configuration. */
  public static final int UNSUPPORTED_FIELD = 2;

  /** Container unknown or does not exist. */
  public static final int UNKNOWN_CONTAINER = 3;

  /** Missing or invalid {@code CNI_*} environment variable; the message names it. */
  public static final int INVALID_ENVIRONMENT = 4;

  /** I/O failure, such as reading stdin. */
  public static final int IO_FAILURE = 5;

  /** Failed to decode content (stdin is not JSON, or not UTF-8). */
  public static final int DECODING_FAILURE = 6;

  /** Invalid network configuration; the message names the field. */
  public static final int INVALID_NETWORK_CONFIG = 7;

  /** Transient condition: the runtime should retry later (the agent is not answering). */
  public static final int TRY_AGAIN_LATER = 11;

  /** STATUS: the plugin cannot service ADD requests. */
  public static final int PLUGIN_NOT_AVAILABLE = 50;

  /** STATUS: not available, and existing containers may have limited connectivity. */
  public static final int LIMITED_CONNECTIVITY = 51;

  /** Ours: the agent answered something that is not a valid protocol response. */
  public static final int AGENT_PROTOCOL_ERROR = 100;

  /** Ours, the number libcni uses for the same: a bug in the binary (an unexpected exception). */
  public static final int INTERNAL = 999;

  private final int code;
  private final String details;

  public CniException(int code, String msg, String details) {
    super(msg, null, false, false);
    this.code = code;
    this.details = details == null ? "" : details;
  }

  public int code() {
    return code;
  }

  /** The short message ({@code msg}); names the offending variable or field. */
  public String msg() {
    return getMessage();
  }

  public String details() {
    return details;
  }
}
