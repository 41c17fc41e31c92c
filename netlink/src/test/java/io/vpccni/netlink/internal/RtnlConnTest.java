package io.vpccni.netlink.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.netlink.ExistsException;
import io.vpccni.netlink.LinkNotFoundException;
import io.vpccni.netlink.NetlinkException;
import io.vpccni.netlink.NotFoundException;
import io.vpccni.netlink.internal.FakeTransport.Datagram;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The request/ack/dump discipline, against scripted kernel replies. No root needed. */
class RtnlConnTest {
  private static final RtnlConn.Decoder<Integer> FIRST_INT =
      (type, b, from, to) -> type == Rtnl.RTM_NEWROUTE ? b.getInt(from) : null;

  private static void intBody(NlMsgWriter w) {
    w.u32(0);
  }

  @Test
  void writeCarriesRequestAndAckFlagsAndEndsAtTheAck() {
    FakeTransport t =
        new FakeTransport(
            req -> List.of(new Datagram().error(FakeTransport.seqOf(req), 0, null).build()));
    RtnlConn c = new RtnlConn(t, 100);
    c.write(
        Rtnl.RTM_NEWROUTE,
        Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL,
        RtnlConnTest::intBody,
        () -> "add route",
        false);

    ByteBuffer req = t.sent.get(0);
    assertThat(FakeTransport.seqOf(req)).isEqualTo(101);
    assertThat(FakeTransport.flagsOf(req))
        .isEqualTo(Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK | Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL);
    assertThat(req.getInt(0)).isEqualTo(req.limit()); // nlmsg_len
  }

  @Test
  void repliesWithAnotherSequenceNumberAreSkipped() {
    FakeTransport t =
        new FakeTransport(
            req -> {
              int seq = FakeTransport.seqOf(req);
              return List.of(
                  new Datagram()
                      .error(seq - 1, 17, "stale")
                      .build(), // left over from an earlier request
                  new Datagram().error(seq, 0, null).build());
            });
    new RtnlConn(t, 7).write(Rtnl.RTM_NEWROUTE, 0, RtnlConnTest::intBody, () -> "add route", false);
  }

  @Test
  void errorsBecomeTypedExceptionsWithNameStrerrorAndExtAck() {
    AtomicInteger errno = new AtomicInteger();
    AtomicInteger calls = new AtomicInteger();
    FakeTransport t =
        new FakeTransport(
            req -> {
              calls.incrementAndGet();
              return List.of(
                  new Datagram()
                      .error(
                          FakeTransport.seqOf(req),
                          errno.get(),
                          calls.get() == 1 ? "Nexthop has invalid gateway" : null)
                      .build());
            });
    RtnlConn c = new RtnlConn(t, 0);

    errno.set(101);
    assertThatThrownBy(
            () ->
                c.write(
                    Rtnl.RTM_NEWROUTE,
                    0,
                    RtnlConnTest::intBody,
                    () -> "add route 10.0.1.5 dev 7 table 101",
                    false))
        .isExactlyInstanceOf(NetlinkException.class)
        .hasMessage(
            "failed to add route 10.0.1.5 dev 7 table 101: ENETUNREACH (Network is unreachable):"
                + " Nexthop has invalid gateway")
        .satisfies(
            e -> {
              NetlinkException n = (NetlinkException) e;
              assertThat(n.errno()).isEqualTo(101);
              assertThat(n.errnoName()).isEqualTo("ENETUNREACH");
              assertThat(n.extAck()).isEqualTo("Nexthop has invalid gateway");
            });

    errno.set(17);
    assertThatThrownBy(
            () -> c.write(Rtnl.RTM_NEWROUTE, 0, RtnlConnTest::intBody, () -> "add route x", false))
        .isExactlyInstanceOf(ExistsException.class)
        .hasMessage("failed to add route x: EEXIST (File exists)");
    for (int notFound : new int[] {2, 3, 19, 99}) {
      errno.set(notFound);
      assertThatThrownBy(
              () ->
                  c.write(
                      Rtnl.RTM_DELROUTE, 0, RtnlConnTest::intBody, () -> "delete route x", false))
          .isExactlyInstanceOf(NotFoundException.class);
    }
    errno.set(19);
    assertThatThrownBy(
            () -> c.write(Rtnl.RTM_DELLINK, 0, RtnlConnTest::intBody, () -> "delete link 7", true))
        .isExactlyInstanceOf(LinkNotFoundException.class)
        .hasMessage("failed to delete link 7: ENODEV (No such device)");
    errno.set(1);
    assertThatThrownBy(
            () -> c.write(Rtnl.RTM_NEWLINK, 0, RtnlConnTest::intBody, () -> "add veth", false))
        .hasMessage("failed to add veth: EPERM (Operation not permitted)");
  }

  @Test
  void dumpsCollectMultiPartRepliesAcrossDatagramsUntilDone() {
    FakeTransport t =
        new FakeTransport(
            req -> {
              int seq = FakeTransport.seqOf(req);
              Datagram first = new Datagram();
              for (int i = 0; i < 3; i++) {
                int v = i;
                first.message(Rtnl.RTM_NEWROUTE, Rtnl.NLM_F_MULTI, seq, w -> w.u32(v));
              }
              Datagram second =
                  new Datagram()
                      .message(Rtnl.RTM_NEWROUTE, Rtnl.NLM_F_MULTI, seq, w -> w.u32(3))
                      .message(Rtnl.NLMSG_NOOP, Rtnl.NLM_F_MULTI, seq, w -> {})
                      .done(seq, 0, 0);
              return List.of(first.build(), second.build());
            });
    RtnlConn c = new RtnlConn(t, 0);
    assertThat(c.dump(Rtnl.RTM_GETROUTE, RtnlConnTest::intBody, FIRST_INT, () -> "list routes"))
        .containsExactly(0, 1, 2, 3);
    assertThat(FakeTransport.flagsOf(t.sent.get(0)))
        .isEqualTo(Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_DUMP);
  }

  @Test
  void anInterruptedDumpIsRetriedWithANewSequenceNumber() {
    AtomicInteger calls = new AtomicInteger();
    FakeTransport t =
        new FakeTransport(
            req -> {
              int seq = FakeTransport.seqOf(req);
              int intr = calls.incrementAndGet() == 1 ? Rtnl.NLM_F_DUMP_INTR : 0;
              return List.of(
                  new Datagram()
                      .message(Rtnl.RTM_NEWROUTE, Rtnl.NLM_F_MULTI | intr, seq, w -> w.u32(seq))
                      .done(seq, intr, 0)
                      .build());
            });
    RtnlConn c = new RtnlConn(t, 10);
    assertThat(c.dump(Rtnl.RTM_GETROUTE, RtnlConnTest::intBody, FIRST_INT, () -> "list routes"))
        .containsExactly(12);
    assertThat(t.sent).hasSize(2);
    assertThat(FakeTransport.seqOf(t.sent.get(1))).isEqualTo(12);
  }

  @Test
  void aDumpThatKeepsChangingGivesUp() {
    FakeTransport t =
        new FakeTransport(
            req ->
                List.of(
                    new Datagram()
                        .done(FakeTransport.seqOf(req), Rtnl.NLM_F_DUMP_INTR, 0)
                        .build()));
    RtnlConn c = new RtnlConn(t, 0);
    assertThatThrownBy(
            () -> c.dump(Rtnl.RTM_GETROUTE, RtnlConnTest::intBody, FIRST_INT, () -> "list routes"))
        .isInstanceOf(NetlinkException.class)
        .hasMessageStartingWith("failed to list routes (dump kept changing): EINTR");
    assertThat(t.sent).hasSize(5);
  }

  @Test
  void anErrorInDoneFailsTheDump() {
    FakeTransport t =
        new FakeTransport(
            req -> List.of(new Datagram().done(FakeTransport.seqOf(req), 0, 22).build()));
    assertThatThrownBy(
            () ->
                new RtnlConn(t, 0)
                    .dump(Rtnl.RTM_GETROUTE, RtnlConnTest::intBody, FIRST_INT, () -> "list routes"))
        .hasMessage("failed to list routes: EINVAL (Invalid argument)");
  }

  @Test
  void aGetReturnsTheReplyBeforeTheAck() {
    FakeTransport t =
        new FakeTransport(
            req -> {
              int seq = FakeTransport.seqOf(req);
              return List.of(
                  new Datagram().message(Rtnl.RTM_NEWROUTE, 0, seq, w -> w.u32(42)).build(),
                  new Datagram().error(seq, 0, null).build());
            });
    assertThat(
            new RtnlConn(t, 0)
                .get(Rtnl.RTM_GETROUTE, RtnlConnTest::intBody, FIRST_INT, () -> "get", false))
        .containsExactly(42);
  }

  @Test
  void aMalformedLengthIsRefusedInsteadOfOverread() {
    FakeTransport t =
        new FakeTransport(
            req -> {
              ByteBuffer b = new Datagram().error(FakeTransport.seqOf(req), 0, null).build();
              b.putInt(0, 4096); // claims more than the datagram holds
              return List.of(b);
            });
    assertThatThrownBy(
            () ->
                new RtnlConn(t, 0)
                    .write(Rtnl.RTM_NEWROUTE, 0, RtnlConnTest::intBody, () -> "x", false))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("malformed");
  }

  @Test
  void tryWriteReportsTheErrnoInsteadOfThrowing() {
    FakeTransport t =
        new FakeTransport(
            req ->
                List.of(
                    new Datagram()
                        .error(FakeTransport.seqOf(req), 95, "Unknown device type")
                        .build()));
    NlError e = new RtnlConn(t, 0).tryWrite(Rtnl.RTM_NEWLINK, 0, RtnlConnTest::intBody);
    assertThat(e).isEqualTo(new NlError(95, "Unknown device type"));
  }

  @Test
  void closedConnectionsRefuseRequests() {
    FakeTransport t = new FakeTransport(req -> List.of());
    RtnlConn c = new RtnlConn(t, 0);
    c.close();
    assertThat(t.closed).isTrue();
    assertThatThrownBy(() -> c.write(Rtnl.RTM_NEWROUTE, 0, RtnlConnTest::intBody, () -> "x", false))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void uncappedErrorsFindTheExtAckAfterTheEchoedRequest() {
    ByteBuffer b = ByteBuffer.allocate(256).order(java.nio.ByteOrder.nativeOrder());
    NlMsgWriter w = new NlMsgWriter(b, Rtnl.NLMSG_ERROR, Rtnl.NLM_F_ACK_TLVS, 5);
    w.u32(-22);
    w.u32(22)
        .u16(Rtnl.RTM_NEWLINK)
        .u16(0)
        .u32(5)
        .u32(0)
        .u8(1)
        .u8(2)
        .u8(3)
        .u8(4)
        .u8(5)
        .u8(6)
        .pad(); // 22-byte request, echoed whole
    w.attrString(Rtnl.NLMSGERR_ATTR_MSG, "bad thing");
    w.attrU32(Rtnl.NLMSGERR_ATTR_OFFS, 20);
    w.finish();
    assertThat(NlError.parse(b, 0, b.position())).isEqualTo(new NlError(22, "bad thing"));
  }
}
