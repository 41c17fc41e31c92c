package io.vpccni.controller.pools;

/**
 * A pool cannot get an ENI on a node for a reason no cloud call would change (no subnet of the pool
 * in the node's zone, the SubnetPool is gone). {@link #reason()} is the condition and Event reason.
 */
public final class PoolUnservableException extends RuntimeException {
  private final String reason;

  public PoolUnservableException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
