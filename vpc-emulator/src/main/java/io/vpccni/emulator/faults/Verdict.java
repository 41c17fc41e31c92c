package io.vpccni.emulator.faults;

/** What the fault injector decided for one call: serve it, throttle it, or fail it. */
public sealed interface Verdict {
  record Serve() implements Verdict {}

  record Throttle(int retryAfterSeconds, String why) implements Verdict {}

  record Fail(int status, String why) implements Verdict {}

  Verdict SERVE = new Serve();
}
