package io.vpccni.agent.server;

import io.vpccni.agentapi.AgentRequest;
import io.vpccni.agentapi.AgentResponse;
import io.vpccni.agentapi.FieldException;
import io.vpccni.agentapi.JsonException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's unix socket: one JSON request line in, one response line out, per connection. The
 * socket file is created mode 0600 inside a 0700 directory, so only root can talk to the agent.
 * Each connection is served on its own virtual thread (namespace work inside a handler runs on
 * dedicated platform threads, see the netlink module), so a slow pod never blocks another.
 */
public final class AgentServer implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(AgentServer.class);
  static final int MAX_REQUEST = 1 << 20;

  private final Path path;
  private final Function<AgentRequest, AgentResponse> handler;
  private final ServerSocketChannel server;
  private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
  private final Thread acceptor;
  private volatile boolean closed;

  public AgentServer(Path path, Function<AgentRequest, AgentResponse> handler) throws IOException {
    this.path = path;
    this.handler = handler;
    Path dir = path.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    if (Files.exists(path)) {
      if (isLive(path)) {
        throw new IOException("another vpc-cni agent is already serving " + path);
      }
      Files.delete(path); // stale socket of a crashed agent
    }
    this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(path));
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
    this.acceptor =
        Thread.ofPlatform().name("agent-accept").daemon(true).unstarted(this::acceptLoop);
  }

  public void start() {
    acceptor.start();
    logger.info("serving CNI requests on {}", path);
  }

  private static boolean isLive(Path p) {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(p));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        SocketChannel ch = server.accept();
        workers.execute(() -> serve(ch));
      } catch (IOException e) {
        if (!closed) {
          logger.error("accept failed on {}", path, e);
        }
        return;
      }
    }
  }

  private void serve(SocketChannel ch) {
    try (ch) {
      String line = readRequest(ch);
      AgentResponse resp;
      try {
        resp = handler.apply(AgentRequest.fromJson(line));
      } catch (JsonException | FieldException e) {
        resp = AgentResponse.error(6, "failed to decode the agent request: " + e.getMessage(), "");
      }
      ByteBuffer out = ByteBuffer.wrap((resp.toJson() + "\n").getBytes(StandardCharsets.UTF_8));
      while (out.hasRemaining()) {
        ch.write(out);
      }
    } catch (IOException e) {
      logger.warn("client connection failed: {}", e.getMessage());
    }
  }

  private static String readRequest(SocketChannel ch) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(16 << 10);
    while (true) {
      int n = ch.read(buf);
      if (n < 0) {
        break;
      }
      if (n > 0 && buf.get(buf.position() - 1) == '\n') {
        break;
      }
      if (!buf.hasRemaining()) {
        if (buf.capacity() >= MAX_REQUEST) {
          throw new IOException("request larger than " + MAX_REQUEST + " bytes");
        }
        ByteBuffer bigger = ByteBuffer.allocate(buf.capacity() * 4);
        buf.flip();
        bigger.put(buf);
        buf = bigger;
      }
    }
    buf.flip();
    return StandardCharsets.UTF_8.decode(buf).toString().strip();
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    workers.shutdown();
    try {
      Files.deleteIfExists(path);
    } catch (IOException ignored) {
      // best effort
    }
  }
}
