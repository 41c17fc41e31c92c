package io.vpccni.netlink.internal;

import io.vpccni.netlink.Tbf;

/** tcmsg requests for root qdiscs (RTM_NEWQDISC, RTM_DELQDISC). */
public final class QdiscMessages {
  private QdiscMessages() {}

  static final int TC_H_ROOT = 0xFFFFFFFF;
  static final int TCA_KIND = 1;
  static final int TCA_OPTIONS = 2;
  static final int TCA_TBF_PARMS = 1;
  static final int TCA_TBF_RATE64 = 4;
  static final int TCA_TBF_BURST = 6;
  static final int TC_LINKLAYER_ETHERNET = 1;

  /** Kernel scheduler ticks are 64 ns (PSCHED_SHIFT 6). */
  static final int PSCHED_SHIFT = 6;

  /** struct tcmsg: family, pad, pad, ifindex, handle, parent, info. */
  static void tcmsg(NlMsgWriter w, int linkIndex, int handle) {
    w.u8(0).u8(0).u16(0).u32(linkIndex).u32(handle).u32(TC_H_ROOT).u32(0);
  }

  public static void tbf(NlMsgWriter w, int linkIndex, Tbf t) {
    tcmsg(w, linkIndex, 0x10000); // handle 1:
    w.attrString(TCA_KIND, "tbf");
    int opts = w.beginNest(TCA_OPTIONS);
    long bytesPerSecond = t.rateBitsPerSecond() / 8;
    int rate32 = (int) Math.min(bytesPerSecond, 0xFFFFFFFFL);
    long bufferTicks =
        Math.min(
            0xFFFFFFFFL,
            (t.burstBytes() * 1_000_000_000L / Math.max(1, bytesPerSecond)) >> PSCHED_SHIFT);
    var parms = new byte[36];
    var p = java.nio.ByteBuffer.wrap(parms).order(w.buffer().order());
    // struct tc_ratespec rate: cell_log, linklayer, overhead, cell_align, mpu, rate
    p.put((byte) 0)
        .put((byte) TC_LINKLAYER_ETHERNET)
        .putShort((short) 0)
        .putShort((short) 0)
        .putShort((short) 0)
        .putInt(rate32);
    // struct tc_ratespec peakrate: none
    p.put(new byte[12]);
    p.putInt(t.limitBytes()).putInt((int) bufferTicks).putInt(0); // limit, buffer, mtu
    w.attr(TCA_TBF_PARMS, parms);
    if (bytesPerSecond >= 0xFFFFFFFFL) {
      w.attrU64(TCA_TBF_RATE64, bytesPerSecond);
    }
    w.attrU32(TCA_TBF_BURST, t.burstBytes());
    w.endNest(opts);
  }

  public static void deleteRoot(NlMsgWriter w, int linkIndex) {
    tcmsg(w, linkIndex, 0);
  }
}
