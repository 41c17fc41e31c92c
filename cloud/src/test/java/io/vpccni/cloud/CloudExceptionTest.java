package io.vpccni.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.cloud.CloudException.Reason;
import java.util.Arrays;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class CloudExceptionTest {

  @Test
  void messageSaysWhatFailedAndWhy() {
    var e =
        new CloudException(Reason.CONFLICT, "delete ENI eni-1", "it is attached to i-1 device 1");
    assertThat(e).hasMessage("failed to delete ENI eni-1: it is attached to i-1 device 1");
    assertThat(e.action()).isEqualTo("delete ENI eni-1");
    assertThat(e.detail()).isEqualTo("it is attached to i-1 device 1");
    assertThat(e.retryAfter()).isEmpty();
  }

  @Test
  void onlyThrottledTransientAndInternalAreRetryable() {
    assertThat(Arrays.stream(Reason.values()).filter(Reason::isRetryable))
        .containsExactlyInAnyOrderElementsOf(
            EnumSet.of(Reason.THROTTLED, Reason.TRANSIENT, Reason.INTERNAL));
    assertThat(new CloudException(Reason.THROTTLED, "a", "b").isRetryable()).isTrue();
    assertThat(new CloudException(Reason.NOT_FOUND, "a", "b").isNotFound()).isTrue();
  }

  @Test
  void hasReasonMatchesTheTypeNotTheText() {
    var e = new CloudException(Reason.NOT_FOUND, "describe ENI eni-9", "gone");
    assertThat(CloudException.hasReason(e, Reason.NOT_FOUND)).isTrue();
    assertThat(CloudException.hasReason(new RuntimeException("NOT_FOUND"), Reason.NOT_FOUND))
        .isFalse();
  }

  @Test
  void operationsLabelForMetrics() {
    assertThat(CloudOperation.CREATE_ENI.label()).isEqualTo("create_eni");
    assertThat(CloudOperation.ASSIGN_IPS.verbObject()).isEqualTo("assign IPs to ENI");
  }
}
