package io.vpccni.cloud.openstack.api;

/**
 * An OpenStack API call failed: the HTTP status and the error type the service named, as parsed
 * from Neutron's {@code {"NeutronError":{"type","message","detail"}}}, Nova's {@code
 * {"itemNotFound":{"code","message"}}} (the key is the type) or Keystone's {@code
 * {"error":{"code","title","message"}}} (the title is the type). Transport failures (connection
 * refused, timeout) have status 0 and type {@code "Transport"}.
 *
 * <p>This layer does not classify or retry; the provider maps {@link #status()} and {@link #type()}
 * to the SPI's reasons. {@link #type()} is the stable thing to switch on (for example {@code
 * PortNotFound}, {@code IpAddressAlreadyAllocated}, {@code IpAddressGenerationFailure}, {@code
 * RevisionNumberConstraintFailed}), never the message text.
 */
public final class OpenStackApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Status used for failures that produced no HTTP response. */
  public static final int NO_RESPONSE = 0;

  private final int status;
  private final String type;
  private final String detail;
  private final String operation;
  private final java.time.Duration retryAfter;

  public OpenStackApiException(
      int status, String type, String message, String detail, String operation, Throwable cause) {
    this(status, type, message, detail, operation, cause, null);
  }

  /**
   * @param retryAfter the response's {@code Retry-After} (429, 413, 503), or null
   */
  public OpenStackApiException(
      int status,
      String type,
      String message,
      String detail,
      String operation,
      Throwable cause,
      java.time.Duration retryAfter) {
    super(format(status, type, message, operation), cause);
    this.status = status;
    this.type = type == null ? "" : type;
    this.detail = detail == null ? "" : detail;
    this.operation = operation;
    this.retryAfter = retryAfter;
  }

  public OpenStackApiException(int status, String type, String message, String operation) {
    this(status, type, message, "", operation, null);
  }

  private static String format(int status, String type, String message, String operation) {
    String what = status == NO_RESPONSE ? "no response" : "HTTP " + status;
    return "failed to " + operation + ": " + what + " " + type + ": " + message;
  }

  /** The HTTP status, or {@link #NO_RESPONSE}. */
  public int status() {
    return status;
  }

  /** The service's error type, e.g. {@code PortNotFound}; empty when the body named none. */
  public String type() {
    return type;
  }

  /** Neutron's {@code detail}, usually empty. */
  public String detail() {
    return detail;
  }

  /** What was attempted, e.g. {@code "update port 5e1c…"}. */
  public String operation() {
    return operation;
  }

  /** The server's {@code Retry-After} hint, if the response carried one in seconds. */
  public java.util.Optional<java.time.Duration> retryAfter() {
    return java.util.Optional.ofNullable(retryAfter);
  }

  /** True for HTTP 404: the object is already gone (STYLE.md rule 8). */
  public boolean isNotFound() {
    return status == 404;
  }
}
