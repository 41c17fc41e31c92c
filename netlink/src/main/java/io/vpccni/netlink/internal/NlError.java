package io.vpccni.netlink.internal;

import java.nio.ByteBuffer;

/**
 * The verdict in an NLMSG_ERROR (or NLMSG_DONE) message: a positive errno, 0 for success, and the
 * kernel's extended-ack text when it sent one.
 *
 * <p>Layout: nlmsghdr, then {@code int error}, then the header of our request (or the whole
 * request, unless the kernel set NLM_F_CAPPED), then, if NLM_F_ACK_TLVS is set, attributes such as
 * NLMSGERR_ATTR_MSG. NLMSG_DONE carries only the int (and, since 4.20, the same TLVs).
 */
public record NlError(int errno, String extAck) {
  public static NlError parse(ByteBuffer b, int msg, int len) {
    int type = b.getShort(msg + 4) & 0xffff;
    int flags = b.getShort(msg + 6) & 0xffff;
    int payload = msg + Rtnl.NLMSG_HDRLEN;
    int end = msg + len;
    int error = payload + 4 <= end ? b.getInt(payload) : 0;
    String ext = null;
    if ((flags & Rtnl.NLM_F_ACK_TLVS) != 0) {
      int tlvs;
      if (type == Rtnl.NLMSG_DONE) {
        tlvs = payload + 4;
      } else {
        int echoed =
            (flags & Rtnl.NLM_F_CAPPED) != 0 || payload + 8 > end
                ? Rtnl.NLMSG_HDRLEN
                : b.getInt(payload + 4);
        tlvs = payload + 4 + Rtnl.align(echoed);
      }
      if (tlvs < end) {
        try {
          ext = NlAttrs.parse(b, tlvs, end, Rtnl.NLMSGERR_ATTR_OFFS).string(Rtnl.NLMSGERR_ATTR_MSG);
        } catch (IllegalArgumentException malformed) {
          ext = null; // the errno alone still says what happened
        }
      }
    }
    return new NlError(-error, ext);
  }
}
