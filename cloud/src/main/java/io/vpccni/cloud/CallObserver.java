package io.vpccni.cloud;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * Told about every call an {@link ObservedVpcApi} makes: the hook for the controller's metrics
 * ({@code operation} and {@code reason} are the labels) and for benchmarks that count cloud calls.
 * Must be thread-safe and quick; it runs on the calling thread.
 */
@FunctionalInterface
public interface CallObserver {

  /**
   * @param operation which call
   * @param duration how long it took, retries and rate-limit waits included if the observer wraps
   *     those decorators
   * @param failure empty on success, else the failure's reason ({@code INTERNAL} for an exception
   *     that is not a {@link CloudException})
   */
  void called(CloudOperation operation, Duration duration, Optional<CloudException.Reason> failure);

  /** Counts calls and failures per operation. */
  final class Counter implements CallObserver {
    private final Map<CloudOperation, LongAdder> calls = new EnumMap<>(CloudOperation.class);
    private final Map<CloudOperation, LongAdder> failures = new EnumMap<>(CloudOperation.class);

    public Counter() {
      for (CloudOperation op : CloudOperation.values()) {
        calls.put(op, new LongAdder());
        failures.put(op, new LongAdder());
      }
    }

    @Override
    public void called(
        CloudOperation operation, Duration duration, Optional<CloudException.Reason> failure) {
      calls.get(operation).increment();
      if (failure.isPresent()) {
        failures.get(operation).increment();
      }
    }

    public long calls(CloudOperation op) {
      return calls.get(op).sum();
    }

    public long failures(CloudOperation op) {
      return failures.get(op).sum();
    }

    public long total() {
      return calls.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Calls per operation, only those with at least one, in declaration order. */
    public Map<CloudOperation, Long> snapshot() {
      var m = new EnumMap<CloudOperation, Long>(CloudOperation.class);
      calls.forEach(
          (op, n) -> {
            if (n.sum() > 0) {
              m.put(op, n.sum());
            }
          });
      return m;
    }

    @Override
    public String toString() {
      return "cloud calls " + total() + " " + snapshot();
    }
  }
}
