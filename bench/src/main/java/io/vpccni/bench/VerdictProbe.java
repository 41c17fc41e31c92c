package io.vpccni.bench;

import io.vpccni.netlink.Netns;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * When a verdict flips, seen by real packets: a TCP listener in the server pod's namespace and,
 * from the client pod's namespace, a new connection attempt every {@link #INTERVAL_NANOS}, each one
 * not waiting for the others. An attempt whose SYN passes is answered at once (both namespaces are
 * on this kernel); one the rules drop stays unanswered and is abandoned after {@link
 * #TIMEOUT_NANOS}, well before the kernel's first SYN retransmission (1 s), so every attempt's
 * verdict is that of the rules in force when it started. Sockets close with a reset (SO_LINGER 0),
 * leaving no TIME_WAIT behind (the listener closes each accepted connection normally). Packets go
 * only between the two namespaces.
 */
final class VerdictProbe implements AutoCloseable {
  static final long INTERVAL_NANOS = 2_000_000;
  static final long TIMEOUT_NANOS = 200_000_000;

  private final Netns client;
  private final InetSocketAddress target;
  private final ServerSocketChannel listener;
  private final Thread acceptor;

  /** Listens on {@code target} inside namespace {@code server}; probes from {@code client}. */
  VerdictProbe(String server, String client, InetSocketAddress target) throws Exception {
    this.target = target;
    try (Netns s = Netns.open(Netns.pathOf(server))) {
      listener =
          s.run(
              () -> {
                ServerSocketChannel ch = ServerSocketChannel.open();
                ch.bind(target, 4096);
                return ch;
              });
    }
    acceptor =
        Thread.ofPlatform()
            .name("probe-accept")
            .daemon(true)
            .start(
                () -> {
                  while (listener.isOpen()) {
                    try {
                      // closed at once, gently: a reset could reach the client before it has
                      // seen its connection complete
                      listener.accept().close();
                    } catch (IOException e) {
                      return; // closed
                    }
                  }
                });
    this.client = Netns.open(Netns.pathOf(client));
  }

  /** One attempt: when it started and, once known, whether its SYN passed. */
  private static final class Attempt {
    final long start;
    final SocketChannel channel;
    Boolean passed;

    Attempt(long start, SocketChannel channel) {
      this.start = start;
      this.channel = channel;
    }
  }

  /**
   * Probes until the verdict is {@code passes}: returns the start ({@link System#nanoTime()}) of
   * the first attempt begun at or after {@code since.get()} that got it with the next attempt
   * agreeing, once every earlier one is decided (so one lost SYN does not count as a deny). {@code
   * started} counts down once the first attempt is out, so the caller can make its change after.
   *
   * @throws IOException after {@code max} without such a pair
   */
  long awaitVerdict(boolean passes, AtomicLong since, CountDownLatch started, Duration max)
      throws Exception {
    return client.run(() -> probe(passes, since, started, max));
  }

  private long probe(boolean passes, AtomicLong since, CountDownLatch started, Duration max)
      throws IOException {
    long deadline = System.nanoTime() + max.toNanos();
    List<Attempt> attempts = new ArrayList<>();
    try (Selector selector = Selector.open()) {
      long next = System.nanoTime();
      while (System.nanoTime() < deadline) {
        long now = System.nanoTime();
        if (now >= next) {
          attempts.add(open(selector, now));
          next = now + INTERVAL_NANOS;
          started.countDown();
        }
        selector.select(1);
        for (SelectionKey k : selector.selectedKeys()) {
          if (!k.isValid()) {
            continue;
          }
          Attempt a = (Attempt) k.attachment();
          try {
            a.passed = a.channel.finishConnect();
          } catch (IOException e) {
            // refused or unreachable: nft's rules drop silently, so this is not their verdict
            throw new IOException("failed to probe " + target + ": " + e.getMessage(), e);
          }
          a.channel.close();
        }
        selector.selectedKeys().clear();
        now = System.nanoTime();
        for (Attempt a : attempts) {
          if (a.passed == null && now - a.start > TIMEOUT_NANOS) {
            a.passed = false;
            a.channel.close();
          }
        }
        long flip = flip(attempts, since.get(), passes);
        if (flip >= 0) {
          return flip;
        }
      }
      throw new IOException(
          "failed to see the verdict on "
              + target
              + " become "
              + (passes ? "pass" : "drop")
              + " within "
              + max);
    } finally {
      for (Attempt a : attempts) {
        a.channel.close();
      }
    }
  }

  private SocketChannel nonBlockingSocket() throws IOException {
    SocketChannel ch = SocketChannel.open();
    ch.configureBlocking(false);
    ch.setOption(StandardSocketOptions.SO_LINGER, 0);
    return ch;
  }

  private Attempt open(Selector selector, long now) throws IOException {
    SocketChannel ch = nonBlockingSocket();
    Attempt a = new Attempt(now, ch);
    if (ch.connect(target)) {
      a.passed = true;
      ch.close();
    } else {
      ch.register(selector, SelectionKey.OP_CONNECT, a);
    }
    return a;
  }

  /** The start of the flip to {@code passes} among attempts begun at or after {@code since}. */
  private static long flip(List<Attempt> attempts, long since, boolean passes) {
    for (int i = 0; i + 1 < attempts.size(); i++) {
      Attempt a = attempts.get(i);
      if (a.start < since) {
        continue;
      }
      if (a.passed == null) {
        return -1; // an earlier attempt may still be the first
      }
      Attempt b = attempts.get(i + 1);
      if (a.passed == passes && b.passed != null && b.passed == passes) {
        return a.start;
      }
      if (a.passed == passes && b.passed == null) {
        return -1;
      }
    }
    return -1;
  }

  @Override
  public void close() throws Exception {
    try {
      listener.close();
      acceptor.join(Duration.ofSeconds(5));
    } finally {
      client.close();
    }
  }
}
