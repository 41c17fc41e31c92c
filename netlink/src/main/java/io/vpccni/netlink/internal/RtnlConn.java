package io.vpccni.netlink.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The request/reply discipline of rtnetlink over a {@link Transport}: one request at a time,
 * numbered; replies with another sequence number (left over from an abandoned request) are skipped;
 * writes carry NLM_F_ACK and end at the kernel's NLMSG_ERROR (0 = success); dumps end at NLMSG_DONE
 * and are retried when the kernel marks them interrupted (the set changed mid-dump). Errors become
 * typed exceptions through {@link Errors}, with the kernel's extended-ack text.
 *
 * <p>Thread-safe: a lock serialises whole transactions, because the request buffer and the receive
 * buffer belong to the transport and are reused.
 */
public final class RtnlConn implements AutoCloseable {
  /** Turns one reply message into a value, or null to leave it out. */
  @FunctionalInterface
  public interface Decoder<T> {
    /**
     * @param type nlmsg_type
     * @param b the datagram
     * @param from first byte after the nlmsghdr
     * @param to end of this message
     */
    T decode(int type, ByteBuffer b, int from, int to);
  }

  private static final int MAX_DUMP_ATTEMPTS = 5;
  private static final int MAX_DATAGRAMS = 1 << 20;

  private final Transport transport;
  private final ReentrantLock lock = new ReentrantLock();
  private int seq;
  private boolean closed;

  public RtnlConn(Transport transport, int firstSeq) {
    this.transport = transport;
    this.seq = firstSeq;
  }

  /** Sends a write request with NLM_F_ACK and waits for the kernel's verdict. */
  public void write(
      int type, int flags, Consumer<NlMsgWriter> body, Supplier<String> op, boolean aboutLink) {
    lock.lock();
    try {
      NlMsgWriter w = start(type, flags | Rtnl.NLM_F_ACK, body);
      transact(w, null, null, op, aboutLink);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Sends a request with NLM_F_ACK and returns the errno the kernel answered with (0 = success)
   * instead of throwing; for capability probes, which expect a refusal.
   */
  public NlError tryWrite(int type, int flags, Consumer<NlMsgWriter> body) {
    lock.lock();
    try {
      NlMsgWriter w = start(type, flags | Rtnl.NLM_F_ACK, body);
      NlError[] out = new NlError[1];
      transact(w, null, null, null, false, out);
      return out[0];
    } finally {
      lock.unlock();
    }
  }

  /** Sends a non-dump request (a "get") with NLM_F_ACK and returns the decoded replies. */
  public <T> List<T> get(
      int type,
      Consumer<NlMsgWriter> body,
      Decoder<T> decoder,
      Supplier<String> op,
      boolean aboutLink) {
    lock.lock();
    try {
      NlMsgWriter w = start(type, Rtnl.NLM_F_ACK, body);
      List<T> out = new ArrayList<>(1);
      transact(w, decoder, out, op, aboutLink);
      return out;
    } finally {
      lock.unlock();
    }
  }

  /** Sends an NLM_F_DUMP request and returns every decoded message of the multi-part reply. */
  public <T> List<T> dump(
      int type, Consumer<NlMsgWriter> body, Decoder<T> decoder, Supplier<String> op) {
    lock.lock();
    try {
      NlMsgWriter w = start(type, Rtnl.NLM_F_DUMP, body);
      for (int attempt = 1; ; attempt++) {
        List<T> out = new ArrayList<>();
        boolean interrupted = transact(w, decoder, out, op, false);
        if (!interrupted) {
          return out;
        }
        if (attempt == MAX_DUMP_ATTEMPTS) {
          throw Errors.of(op.get() + " (dump kept changing)", Errors.EINTR, null, false);
        }
        w.setSeq(nextSeq());
      }
    } finally {
      lock.unlock();
    }
  }

  private NlMsgWriter start(int type, int flags, Consumer<NlMsgWriter> body) {
    if (closed) {
      throw new IllegalStateException("netlink handle is closed");
    }
    NlMsgWriter w =
        new NlMsgWriter(transport.requestBuffer(), type, flags | Rtnl.NLM_F_REQUEST, nextSeq());
    body.accept(w);
    w.finish();
    return w;
  }

  private int nextSeq() {
    seq = seq + 1 == 0 ? 1 : seq + 1;
    return seq;
  }

  private <T> boolean transact(
      NlMsgWriter w, Decoder<T> decoder, List<T> out, Supplier<String> op, boolean aboutLink) {
    return transact(w, decoder, out, op, aboutLink, null);
  }

  /**
   * Sends the built request and reads replies until the one that ends it.
   *
   * @param errorOut if not null, the final error (or success) is stored here instead of thrown
   * @return whether a dump reply was marked NLM_F_DUMP_INTR
   */
  private <T> boolean transact(
      NlMsgWriter w,
      Decoder<T> decoder,
      List<T> out,
      Supplier<String> op,
      boolean aboutLink,
      NlError[] errorOut) {
    int expect = seq;
    transport.send(w.buffer());
    boolean interrupted = false;
    for (int datagrams = 0; datagrams < MAX_DATAGRAMS; datagrams++) {
      ByteBuffer r = transport.receive();
      int limit = r.limit();
      int p = 0;
      while (p + Rtnl.NLMSG_HDRLEN <= limit) {
        int len = r.getInt(p);
        int type = r.getShort(p + 4) & 0xffff;
        int flags = r.getShort(p + 6) & 0xffff;
        int mseq = r.getInt(p + 8);
        if (len < Rtnl.NLMSG_HDRLEN || p + len > limit) {
          throw new IllegalStateException(
              "malformed netlink reply: message length " + len + " at " + p + " of " + limit);
        }
        int next = p + Rtnl.align(len);
        if (mseq != expect) {
          p = next; // a late reply to an earlier, abandoned request
          continue;
        }
        if ((flags & Rtnl.NLM_F_DUMP_INTR) != 0) {
          interrupted = true;
        }
        switch (type) {
          case Rtnl.NLMSG_ERROR, Rtnl.NLMSG_DONE -> {
            NlError e = NlError.parse(r, p, len);
            if (errorOut != null) {
              errorOut[0] = e;
            } else if (e.errno() != 0) {
              throw Errors.of(op.get(), e.errno(), e.extAck(), aboutLink);
            }
            return interrupted;
          }
          case Rtnl.NLMSG_NOOP -> {}
          case Rtnl.NLMSG_OVERRUN ->
              throw new IllegalStateException("netlink overrun while waiting for a reply");
          default -> {
            if (decoder != null) {
              T v = decoder.decode(type, r, p + Rtnl.NLMSG_HDRLEN, p + len);
              if (v != null) {
                out.add(v);
              }
            }
          }
        }
        p = next;
      }
    }
    throw new IllegalStateException(
        "netlink reply did not end after " + MAX_DATAGRAMS + " datagrams");
  }

  @Override
  public void close() {
    lock.lock();
    try {
      if (!closed) {
        closed = true;
        transport.close();
      }
    } finally {
      lock.unlock();
    }
  }
}
