package io.vpccni.netlink.internal.ffm;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.vpccni.netlink.internal.Errors;
import io.vpccni.netlink.internal.Transport;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An {@code AF_NETLINK}/{@code NETLINK_ROUTE} socket with its own native send and receive buffers.
 * Not thread-safe: the owning handle serialises access. The socket belongs to the network namespace
 * of the thread that created it, for its whole life.
 */
public final class NetlinkSocket implements Transport {
  /** Large enough for any dump datagram the kernel builds (it caps them near 32 KiB). */
  private static final int RECEIVE_BUFFER = 64 * 1024;

  private static final int SEND_BUFFER = 16 * 1024;
  private static final int SOCKADDR_NL_SIZE = 12;
  private static final int RECEIVE_TIMEOUT_SECONDS = 30;
  private static final int MAX_EINTR_RETRIES = 100;

  private final Arena arena;
  private final int fd;
  private final MemorySegment errno;
  private final MemorySegment kernelAddr;
  private final MemorySegment sendSegment;
  private final ByteBuffer sendBuffer;
  private MemorySegment recvSegment;
  private ByteBuffer recvBuffer;
  private boolean closed;

  private NetlinkSocket(Arena arena, int fd, MemorySegment errno, MemorySegment kernelAddr) {
    this.arena = arena;
    this.fd = fd;
    this.errno = errno;
    this.kernelAddr = kernelAddr;
    this.sendSegment = arena.allocate(SEND_BUFFER, 8);
    this.sendBuffer = sendSegment.asByteBuffer().order(ByteOrder.nativeOrder());
    this.recvSegment = arena.allocate(RECEIVE_BUFFER, 8);
    this.recvBuffer = recvSegment.asByteBuffer().order(ByteOrder.nativeOrder());
  }

  /**
   * Opens and binds a socket in the calling thread's network namespace, with extended acks, capped
   * acks and strict checking of dump requests turned on.
   */
  public static NetlinkSocket open() {
    Arena arena = Arena.ofShared();
    boolean ok = false;
    try {
      MemorySegment errno = Libc.allocateErrno(arena);
      int fd =
          Libc.socket(
              errno, Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, Libc.NETLINK_ROUTE);
      if (fd < 0) {
        throw Errors.syscall("open netlink socket", -fd);
      }
      try {
        MemorySegment addr = arena.allocate(SOCKADDR_NL_SIZE, 4); // zeroed: pid 0, groups 0
        addr.set(JAVA_SHORT, 0, (short) Libc.AF_NETLINK);
        check(Libc.bind(errno, fd, addr, SOCKADDR_NL_SIZE), "bind netlink socket");
        MemorySegment one = arena.allocate(JAVA_INT);
        one.set(JAVA_INT, 0, 1);
        // Extended acks (4.12+) carry the kernel's explanation; capped acks (4.2+) do not echo
        // our request; strict checking (4.20+) lets the kernel filter dumps by table or
        // ifindex. All three are optional: the codecs cope without them and filter dumps again.
        Libc.setsockopt(errno, fd, Libc.SOL_NETLINK, Libc.NETLINK_EXT_ACK, one, 4);
        Libc.setsockopt(errno, fd, Libc.SOL_NETLINK, Libc.NETLINK_CAP_ACK, one, 4);
        Libc.setsockopt(errno, fd, Libc.SOL_NETLINK, Libc.NETLINK_GET_STRICT_CHK, one, 4);
        MemorySegment timeout = arena.allocate(16, 8); // struct timeval
        timeout.set(JAVA_LONG, 0, RECEIVE_TIMEOUT_SECONDS);
        check(
            Libc.setsockopt(errno, fd, Libc.SOL_SOCKET, Libc.SO_RCVTIMEO, timeout, 16),
            "set SO_RCVTIMEO");
        NetlinkSocket s = new NetlinkSocket(arena, fd, errno, addr);
        ok = true;
        return s;
      } finally {
        if (!ok) {
          Libc.close(errno, fd);
        }
      }
    } finally {
      if (!ok) {
        arena.close();
      }
    }
  }

  private static void check(int r, String what) {
    if (r < 0) {
      throw Errors.syscall(what, -r);
    }
  }

  @Override
  public ByteBuffer requestBuffer() {
    ensureOpen();
    return sendBuffer.clear();
  }

  @Override
  public void send(ByteBuffer request) {
    ensureOpen();
    if (request != sendBuffer) {
      throw new IllegalArgumentException("build requests in requestBuffer()");
    }
    long len = request.position();
    for (int attempt = 0; ; attempt++) {
      long r = Libc.sendto(errno, fd, sendSegment, len, 0, kernelAddr, SOCKADDR_NL_SIZE);
      if (r == -Libc.EINTR && attempt < MAX_EINTR_RETRIES) {
        continue;
      }
      if (r < 0) {
        throw Errors.syscall("send netlink request", (int) -r);
      }
      if (r != len) {
        throw new IllegalStateException("netlink send wrote " + r + " of " + len + " bytes");
      }
      return;
    }
  }

  @Override
  public ByteBuffer receive() {
    ensureOpen();
    // Peek at the datagram's real size first (MSG_TRUNC reports it without copying), so a
    // message larger than the buffer grows the buffer instead of being cut and lost.
    long size = recvRetrying(MemorySegment.NULL, 0, Libc.MSG_PEEK | Libc.MSG_TRUNC);
    if (size > recvSegment.byteSize()) {
      long newSize = Math.max(size, recvSegment.byteSize() * 2);
      recvSegment = arena.allocate(newSize, 8);
      recvBuffer = recvSegment.asByteBuffer().order(ByteOrder.nativeOrder());
    }
    long n = recvRetrying(recvSegment, recvSegment.byteSize(), Libc.MSG_TRUNC);
    if (n > recvSegment.byteSize()) {
      throw new IllegalStateException("netlink datagram of " + n + " bytes was truncated");
    }
    return recvBuffer.clear().limit((int) n);
  }

  private long recvRetrying(MemorySegment buf, long len, int flags) {
    for (int attempt = 0; ; attempt++) {
      long r = Libc.recv(errno, fd, buf, len, flags);
      if (r == -Libc.EINTR && attempt < MAX_EINTR_RETRIES) {
        continue;
      }
      if (r < 0) {
        throw Errors.syscall("receive netlink reply", (int) -r);
      }
      return r;
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("netlink handle is closed");
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    Libc.close(errno, fd);
    arena.close();
  }
}
