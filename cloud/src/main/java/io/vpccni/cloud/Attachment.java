package io.vpccni.cloud;

import java.util.Objects;

/**
 * Where an ENI is attached: the instance and the device index (0 is the instance's primary ENI).
 */
public record Attachment(String instanceId, int deviceIndex) {
  public Attachment {
    Objects.requireNonNull(instanceId, "instanceId");
    if (deviceIndex < 0) {
      throw new IllegalArgumentException("deviceIndex must be >= 0, not " + deviceIndex);
    }
  }

  @Override
  public String toString() {
    return instanceId + " device " + deviceIndex;
  }
}
