package io.vpccni.netlink.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;

/**
 * A transport that records requests and answers each with datagrams produced by a script from the
 * request (so replies can echo its sequence number).
 */
final class FakeTransport implements Transport {
  final List<ByteBuffer> sent = new ArrayList<>();
  private final Deque<ByteBuffer> pending = new ArrayDeque<>();
  private final ByteBuffer request = ByteBuffer.allocate(16 * 1024).order(ByteOrder.nativeOrder());
  private final Function<ByteBuffer, List<ByteBuffer>> script;
  boolean closed;

  FakeTransport(Function<ByteBuffer, List<ByteBuffer>> script) {
    this.script = script;
  }

  @Override
  public ByteBuffer requestBuffer() {
    return request.clear();
  }

  @Override
  public void send(ByteBuffer req) {
    ByteBuffer copy = ByteBuffer.allocate(req.position()).order(ByteOrder.nativeOrder());
    copy.put(req.duplicate().flip()).flip();
    sent.add(copy);
    pending.addAll(script.apply(copy));
  }

  @Override
  public ByteBuffer receive() {
    if (pending.isEmpty()) {
      throw new AssertionError("the code under test waits for a reply the script did not give");
    }
    return pending.poll();
  }

  @Override
  public void close() {
    closed = true;
  }

  static int seqOf(ByteBuffer request) {
    return request.getInt(8);
  }

  static int flagsOf(ByteBuffer request) {
    return request.getShort(6) & 0xffff;
  }

  static int typeOf(ByteBuffer request) {
    return request.getShort(4) & 0xffff;
  }

  /** Builds one datagram holding several messages. */
  static final class Datagram {
    private final ByteBuffer b = ByteBuffer.allocate(64 * 1024).order(ByteOrder.nativeOrder());

    /** An ack (error 0) or error message, capped, with an optional extended-ack text. */
    Datagram error(int seq, int errno, String extAck) {
      int flags = Rtnl.NLM_F_CAPPED | (extAck == null ? 0 : Rtnl.NLM_F_ACK_TLVS);
      NlMsgWriter w = new NlMsgWriter(b, Rtnl.NLMSG_ERROR, flags, seq);
      w.u32(-errno);
      // the echoed request header (capped): 16 bytes
      w.u32(16).u16(Rtnl.RTM_NEWROUTE).u16(0).u32(seq).u32(0);
      if (extAck != null) {
        w.attrString(Rtnl.NLMSGERR_ATTR_MSG, extAck);
      }
      w.finish();
      return this;
    }

    Datagram done(int seq, int flags, int errno) {
      NlMsgWriter w = new NlMsgWriter(b, Rtnl.NLMSG_DONE, Rtnl.NLM_F_MULTI | flags, seq);
      w.u32(-errno);
      w.finish();
      return this;
    }

    /** A reply message whose body is written by {@code body}. */
    Datagram message(int type, int flags, int seq, java.util.function.Consumer<NlMsgWriter> body) {
      NlMsgWriter w = new NlMsgWriter(b, type, flags, seq);
      body.accept(w);
      w.finish();
      return this;
    }

    ByteBuffer build() {
      return b.flip().slice().order(ByteOrder.nativeOrder());
    }
  }
}
