package io.vpccni.netlink.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Builds one netlink message into a buffer: the 16-byte header, the family header (written field by
 * field by the caller), then attributes, each padded to 4 bytes, nested ones closed with {@link
 * #endNest(int)}. Integers are in native byte order; addresses go as network-order bytes.
 */
public final class NlMsgWriter {
  private final ByteBuffer b;
  private final int start;

  /** Starts a message at the buffer's position (which must be 4-aligned). */
  public NlMsgWriter(ByteBuffer b, int type, int flags, int seq) {
    this.b = b;
    this.start = b.position();
    b.putInt(0).putShort((short) type).putShort((short) flags).putInt(seq).putInt(0);
  }

  public ByteBuffer buffer() {
    return b;
  }

  public int type() {
    return b.getShort(start + 4) & 0xffff;
  }

  public void setSeq(int seq) {
    b.putInt(start + 8, seq);
  }

  public NlMsgWriter u8(int v) {
    b.put((byte) v);
    return this;
  }

  public NlMsgWriter u16(int v) {
    b.putShort((short) v);
    return this;
  }

  public NlMsgWriter u32(int v) {
    b.putInt(v);
    return this;
  }

  /** Zero bytes up to the next 4-byte boundary. */
  public NlMsgWriter pad() {
    while ((b.position() & 3) != 0) {
      b.put((byte) 0);
    }
    return this;
  }

  public NlMsgWriter attr(int type, byte[] value) {
    b.putShort((short) (4 + value.length)).putShort((short) type).put(value);
    return pad();
  }

  public NlMsgWriter attrU8(int type, int value) {
    b.putShort((short) 5).putShort((short) type).put((byte) value);
    return pad();
  }

  public NlMsgWriter attrU16(int type, int value) {
    b.putShort((short) 6).putShort((short) type).putShort((short) value);
    return pad();
  }

  public NlMsgWriter attrU32(int type, int value) {
    b.putShort((short) 8).putShort((short) type).putInt(value);
    return this;
  }

  public NlMsgWriter attrU64(int type, long value) {
    b.putShort((short) 12).putShort((short) type).putLong(value);
    return this;
  }

  /** A NUL-terminated string attribute (IFLA_IFNAME, IFLA_INFO_KIND, FRA_IIFNAME...). */
  public NlMsgWriter attrString(int type, String value) {
    byte[] s = value.getBytes(StandardCharsets.UTF_8);
    b.putShort((short) (5 + s.length)).putShort((short) type).put(s).put((byte) 0);
    return pad();
  }

  /** Opens a nested attribute; returns the mark to pass to {@link #endNest(int)}. */
  public int beginNest(int type) {
    int mark = b.position();
    b.putShort((short) 0).putShort((short) type);
    return mark;
  }

  public NlMsgWriter endNest(int mark) {
    b.putShort(mark, (short) (b.position() - mark));
    return this;
  }

  /** Writes nlmsg_len; the message occupies {@code [start, position)}. */
  public ByteBuffer finish() {
    b.putInt(start, b.position() - start);
    return b;
  }
}
