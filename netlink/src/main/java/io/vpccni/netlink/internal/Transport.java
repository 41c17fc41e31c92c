package io.vpccni.netlink.internal;

import java.nio.ByteBuffer;

/**
 * Where requests go and replies come from: a netlink socket in production, a scripted fake in unit
 * tests. One request is built, sent and answered at a time (the caller serialises).
 */
public interface Transport extends AutoCloseable {
  /** The buffer to build the next request in, cleared, in native byte order. */
  ByteBuffer requestBuffer();

  /** Sends bytes {@code [0, position)} of the buffer returned by {@link #requestBuffer()}. */
  void send(ByteBuffer request);

  /**
   * Blocks for the next datagram; the result (native order, position 0, limit = its length) is
   * valid until the next call.
   */
  ByteBuffer receive();

  @Override
  void close();
}
