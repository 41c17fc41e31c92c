package io.vpccni.emulator.api;

/**
 * A matched request: the operation name faults are keyed by (null for the admin API, which faults
 * never touch) and the handler that serves it.
 */
record Route(String operation, Handler handler) {
  @FunctionalInterface
  interface Handler {
    Response handle(Request request);
  }
}
