package io.vpccni.cloud;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A failed cloud call, with a stable {@link Reason} (the metric label, the Kubernetes Event reason)
 * and a human message shaped {@code failed to <verb> <object>: <cause>}, for example {@code failed
 * to attach ENI eni-0001 to instance i-1: device index 1 is in use by eni-0002}. Callers branch on
 * {@link #reason()}, never on message text; teardown code treats {@link Reason#NOT_FOUND} as done.
 */
public class CloudException extends RuntimeException {

  /** Why a cloud call failed. Providers map their API's errors onto these. */
  public enum Reason {
    /** The API refused the call for rate; it did not run. Retry after a backoff. */
    THROTTLED(true),
    /** A per-instance limit: ENIs per instance, or secondary IPs per ENI. */
    QUOTA_EXCEEDED(false),
    /** The named instance, ENI or subnet does not exist (or no longer does). */
    NOT_FOUND(false),
    /** The subnet has fewer free addresses than asked for. */
    INSUFFICIENT_ADDRESSES(false),
    /** A network error, timeout or 503: the call may or may not have run. */
    TRANSIENT(true),
    /**
     * The call contradicts current state: ENI attached elsewhere, device index taken, IP in use.
     */
    CONFLICT(false),
    /**
     * The request is malformed or names something the call cannot take (a primary IP, a bad CIDR).
     */
    INVALID_REQUEST(false),
    /** Credentials are missing, wrong or lack permission. */
    UNAUTHORIZED(false),
    /** The provider failed inside (a 500, an unparseable reply). */
    INTERNAL(true);

    private final boolean retryable;

    Reason(boolean retryable) {
      this.retryable = retryable;
    }

    /** Whether a call failing for this reason may succeed if simply tried again later. */
    public boolean isRetryable() {
      return retryable;
    }
  }

  private final Reason reason;
  private final String action;
  private final String detail;
  private final Duration retryAfter;

  /**
   * @param reason why
   * @param action the {@code <verb> <object>} part, e.g. {@code "delete ENI eni-0001"}
   * @param detail the cause, e.g. {@code "it is attached to instance i-1"}
   */
  public CloudException(Reason reason, String action, String detail) {
    this(reason, action, detail, null, null);
  }

  public CloudException(Reason reason, String action, String detail, Throwable cause) {
    this(reason, action, detail, null, cause);
  }

  /**
   * @param retryAfter a server's hint (HTTP {@code Retry-After}) of how long to wait, or null
   */
  public CloudException(
      Reason reason, String action, String detail, Duration retryAfter, Throwable cause) {
    super("failed to " + action + ": " + detail, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.action = Objects.requireNonNull(action, "action");
    this.detail = Objects.requireNonNull(detail, "detail");
    this.retryAfter = retryAfter;
  }

  public Reason reason() {
    return reason;
  }

  /** The {@code <verb> <object>} part of the message. */
  public String action() {
    return action;
  }

  /** The cause part of the message. */
  public String detail() {
    return detail;
  }

  /** The server's hint of how long to wait before retrying, if it gave one. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  public boolean isRetryable() {
    return reason.isRetryable();
  }

  /** Whether this is {@link Reason#NOT_FOUND}: the thing is already gone. */
  public boolean isNotFound() {
    return reason == Reason.NOT_FOUND;
  }

  /** Whether {@code t} is a {@code CloudException} with the given reason. */
  public static boolean hasReason(Throwable t, Reason reason) {
    return t instanceof CloudException c && c.reason == reason;
  }
}
