package io.vpccni.agent.pool;

/**
 * No IP can be handed out now. The message says why (none assigned, all in use, all cooling down).
 */
public final class PoolExhaustedException extends Exception {
  private final boolean cooling;

  public PoolExhaustedException(String message, boolean cooling) {
    super(message);
    this.cooling = cooling;
  }

  /** True when IPs exist but are all in their reuse cooldown (waiting helps). */
  public boolean cooling() {
    return cooling;
  }
}
