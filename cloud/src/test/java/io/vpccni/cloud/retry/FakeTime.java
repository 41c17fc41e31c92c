package io.vpccni.cloud.retry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A ticker that moves only when slept on or advanced; records sleeps. */
public final class FakeTime implements Ticker, Sleeper {
  private long nanos;
  public final List<Duration> sleeps = new ArrayList<>();

  @Override
  public synchronized long nanoTime() {
    return nanos;
  }

  @Override
  public synchronized void sleep(Duration d) {
    sleeps.add(d);
    nanos += d.toNanos();
  }

  public synchronized void advance(Duration d) {
    nanos += d.toNanos();
  }
}
