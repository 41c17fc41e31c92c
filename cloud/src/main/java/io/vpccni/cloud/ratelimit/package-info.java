/**
 * Client-side rate limiting: a token bucket shared by every cloud call a controller makes, so the
 * whole cluster stays under the cloud's API rate instead of each node hitting it on its own. Clock
 * and sleep are injected ({@link io.vpccni.cloud.retry.Ticker}, {@link
 * io.vpccni.cloud.retry.Sleeper}). JDK only; no logging.
 */
package io.vpccni.cloud.ratelimit;
