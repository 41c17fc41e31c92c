/**
 * The project's one retry policy (STYLE rule 12): an immutable {@link
 * io.vpccni.cloud.retry.RetryPolicy} is a factory of {@link io.vpccni.cloud.retry.RetryAttempt}s,
 * and {@link io.vpccni.cloud.retry.Retrier} runs a call under it with an injectable {@link
 * io.vpccni.cloud.retry.Sleeper} and {@link io.vpccni.cloud.retry.Ticker}, so tests never sleep.
 * Cloud calls, socket retries and watch reconnects all use it; there are no other sleep loops.
 *
 * <p>May import {@code io.vpccni.cloud} (for {@code CloudException.Reason}) and the JDK only; no
 * logging.
 */
package io.vpccni.cloud.retry;
