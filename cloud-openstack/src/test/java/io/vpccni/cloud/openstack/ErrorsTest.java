package io.vpccni.cloud.openstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.cloud.CloudException;
import io.vpccni.cloud.CloudException.Reason;
import io.vpccni.cloud.openstack.api.OpenStackApiException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** OpenStack status and error type → {@link Reason}. */
class ErrorsTest {

  private static Reason reason(int status, String type) {
    return Errors.map(new OpenStackApiException(status, type, "m", "op"), "do x").reason();
  }

  @Test
  void neutronTypesMapOntoReasons() {
    assertThat(reason(404, "PortNotFound")).isEqualTo(Reason.NOT_FOUND);
    assertThat(reason(409, "IpAddressAlreadyAllocated")).isEqualTo(Reason.CONFLICT);
    assertThat(reason(409, "PortInUse")).isEqualTo(Reason.CONFLICT);
    assertThat(reason(409, "IpAddressGenerationFailure")).isEqualTo(Reason.INSUFFICIENT_ADDRESSES);
    assertThat(reason(409, "OverQuota")).isEqualTo(Reason.QUOTA_EXCEEDED);
    assertThat(reason(412, "RevisionNumberConstraintFailed")).isEqualTo(Reason.CONFLICT);
    assertThat(reason(400, "HTTPBadRequest")).isEqualTo(Reason.INVALID_REQUEST);
    assertThat(reason(401, "")).isEqualTo(Reason.UNAUTHORIZED);
    assertThat(reason(403, "Forbidden")).isEqualTo(Reason.UNAUTHORIZED);
    assertThat(reason(500, "")).isEqualTo(Reason.INTERNAL);
    assertThat(reason(503, "")).isEqualTo(Reason.TRANSIENT);
    assertThat(reason(OpenStackApiException.NO_RESPONSE, "Transport")).isEqualTo(Reason.TRANSIENT);
  }

  @Test
  void novaForbiddenOnAttachIsTheQuota() {
    CloudException e =
        Errors.map(
            new OpenStackApiException(403, "forbidden", "Maximum number of ports exceeded", "op"),
            "attach ENI p to instance i",
            Errors.Forbidden.QUOTA);
    assertThat(e.reason()).isEqualTo(Reason.QUOTA_EXCEEDED);
  }

  @Test
  void throttlingKeepsRetryAfterAndTheMessageHasTheActionAndCause() {
    CloudException e =
        Errors.map(
            new OpenStackApiException(
                429,
                "HTTPTooManyRequests",
                "slow down",
                "",
                "get port p",
                null,
                Duration.ofSeconds(3)),
            "describe ENI p");
    assertThat(e.reason()).isEqualTo(Reason.THROTTLED);
    assertThat(e.retryAfter()).contains(Duration.ofSeconds(3));
    assertThat(e.getMessage())
        .isEqualTo("failed to describe ENI p: HTTP 429 HTTPTooManyRequests: slow down");
  }
}
