package io.vpccni.cloud.openstack;

import io.vpccni.cloud.CloudException;
import io.vpccni.cloud.CloudException.Reason;
import io.vpccni.cloud.openstack.api.OpenStackApiException;

/**
 * Maps the thin client's {@link OpenStackApiException} (HTTP status + Neutron/Nova error type) onto
 * the SPI's {@link Reason}. The one place that knows OpenStack's error vocabulary; it switches on
 * status and type, never on message text.
 */
final class Errors {
  private Errors() {}

  /** Where a 403 came from: Nova's os-interface create answers 403 for its port limit. */
  enum Forbidden {
    UNAUTHORIZED,
    QUOTA
  }

  static CloudException map(OpenStackApiException e, String action) {
    return map(e, action, Forbidden.UNAUTHORIZED);
  }

  static CloudException map(OpenStackApiException e, String action, Forbidden forbidden) {
    return new CloudException(
        reason(e, forbidden), action, cause(e), e.retryAfter().orElse(null), e);
  }

  static Reason reason(OpenStackApiException e, Forbidden forbidden) {
    int status = e.status();
    String type = e.type();
    if (status == OpenStackApiException.NO_RESPONSE) {
      return "EndpointNotFound".equals(type) ? Reason.INVALID_REQUEST : Reason.TRANSIENT;
    }
    if ("MalformedResponse".equals(type)) {
      return Reason.INTERNAL;
    }
    return switch (status) {
      case 400 -> Reason.INVALID_REQUEST;
      case 401 -> Reason.UNAUTHORIZED;
      case 403 -> forbidden == Forbidden.QUOTA ? Reason.QUOTA_EXCEEDED : Reason.UNAUTHORIZED;
      case 404 -> Reason.NOT_FOUND;
      case 409 ->
          switch (type) {
            case "IpAddressGenerationFailure" -> Reason.INSUFFICIENT_ADDRESSES;
            case "OverQuota", "PortLimitExceeded" -> Reason.QUOTA_EXCEEDED;
            default -> Reason.CONFLICT; // IpAddressAlreadyAllocated, PortInUse, conflictingRequest
          };
      case 412 -> Reason.CONFLICT; // RevisionNumberConstraintFailed
      case 413, 429 -> Reason.THROTTLED; // old Nova limiter 413 overLimit; proxies 429
      case 500 -> Reason.INTERNAL;
      default -> status >= 500 ? Reason.TRANSIENT : Reason.INVALID_REQUEST;
    };
  }

  /** "HTTP 409 IpAddressAlreadyAllocated: IP address 10.0.0.5 already allocated …". */
  private static String cause(OpenStackApiException e) {
    String m = e.getMessage();
    String prefix = "failed to " + e.operation() + ": ";
    return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
  }
}
