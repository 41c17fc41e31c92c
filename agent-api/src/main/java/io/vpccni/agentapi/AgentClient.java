package io.vpccni.agentapi;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Sends one {@link AgentRequest} to the agent's unix socket and reads its {@link AgentResponse}.
 * JDK only and allocation-light: it runs inside the short-lived CNI binary.
 */
public final class AgentClient {
  /** Largest response accepted (a CNI result is a few KiB). */
  static final int MAX_RESPONSE = 4 << 20;

  private final Path socket;
  private final Duration timeout;

  public AgentClient(Path socket, Duration timeout) {
    this.socket = socket;
    this.timeout = timeout;
  }

  /**
   * Performs one round trip.
   *
   * @throws AgentUnavailableException when the socket is missing or refuses connections (the agent
   *     is not running), or the agent closes without answering
   * @throws IOException for a timeout or another transport failure
   */
  public AgentResponse call(AgentRequest request) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      try {
        ch.connect(UnixDomainSocketAddress.of(socket));
      } catch (IOException e) {
        throw new AgentUnavailableException(
            "cannot connect to the vpc-cni agent at " + socket + ": " + e.getMessage(), e);
      }
      ch.configureBlocking(false);
      try (Selector sel = Selector.open()) {
        ByteBuffer out =
            ByteBuffer.wrap((request.toJson() + "\n").getBytes(StandardCharsets.UTF_8));
        ch.register(sel, SelectionKey.OP_WRITE);
        while (out.hasRemaining()) {
          await(sel, deadline);
          ch.write(out);
        }
        ch.shutdownOutput();
        ch.register(sel, SelectionKey.OP_READ);
        ByteBuffer in = ByteBuffer.allocate(16 << 10);
        while (true) {
          await(sel, deadline);
          int n = ch.read(in);
          if (n < 0) {
            break;
          }
          if (!in.hasRemaining()) {
            if (in.capacity() >= MAX_RESPONSE) {
              throw new IOException("agent response larger than " + MAX_RESPONSE + " bytes");
            }
            ByteBuffer bigger = ByteBuffer.allocate(in.capacity() * 4);
            in.flip();
            bigger.put(in);
            in = bigger;
          }
        }
        in.flip();
        String text = StandardCharsets.UTF_8.decode(in).toString().strip();
        if (text.isEmpty()) {
          throw new AgentUnavailableException(
              "the vpc-cni agent closed the connection without answering", null);
        }
        return AgentResponse.fromJson(text);
      }
    }
  }

  private void await(Selector sel, long deadline) throws IOException {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw new IOException(
          "no answer from the vpc-cni agent at "
              + socket
              + " within "
              + timeout.toMillis()
              + " ms");
    }
    sel.select(Math.max(1, left / 1_000_000));
    sel.selectedKeys().clear();
  }

  /** The agent is not there to answer (socket missing, connection refused, closed early). */
  public static final class AgentUnavailableException extends IOException {
    public AgentUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
