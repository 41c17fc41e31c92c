package io.vpccni.testkit.cni;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A stand-in for the vpc-cni agent's unix socket, speaking the agent-api wire format (one JSON line
 * each way per connection): it records every request line and answers with a canned response line
 * per verb. By default ADD gets {@link #DEFAULT_ADD_RESULT} and every other verb plain success.
 * Works at the byte level, so it has no dependency on the protocol classes it stands in for.
 */
public final class FakeAgent implements AutoCloseable {
  /** Success without a result (DEL, CHECK, STATUS, GC). */
  public static final String OK = "{\"v\":1}";

  /** A 1.1.0-shaped ADD result with one pod interface, 10.0.1.5/32. */
  public static final String DEFAULT_ADD_RESULT =
      "{\"v\":1,\"result\":{\"cniVersion\":\"1.1.0\",\"interfaces\":[{\"name\":\"eth0\","
          + "\"mac\":\"02:00:0a:00:01:05\",\"mtu\":1500,\"sandbox\":\"/var/run/netns/fake\"}],"
          + "\"ips\":[{\"address\":\"10.0.1.5/32\",\"gateway\":\"169.254.1.1\",\"interface\":0}],"
          + "\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"169.254.1.1\",\"mtu\":1500}],"
          + "\"dns\":{\"nameservers\":[\"10.96.0.10\"]}}}";

  private final ServerSocketChannel server;
  private final Path socket;
  private final Thread thread;
  private final List<String> requests = new ArrayList<>();
  private final Map<String, String> answers = new ConcurrentHashMap<>();
  private volatile String defaultAnswer = OK;
  private volatile Duration delay = Duration.ZERO;
  private volatile boolean hangUp;

  private FakeAgent(ServerSocketChannel server, Path socket) {
    this.server = server;
    this.socket = socket;
    answers.put("ADD", DEFAULT_ADD_RESULT);
    this.thread = Thread.ofPlatform().daemon().name("fake-agent " + socket).start(this::serve);
  }

  /** Listens on {@code socket} (replacing a stale socket file there). */
  public static FakeAgent start(Path socket) {
    try {
      Files.deleteIfExists(socket);
      ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      s.bind(UnixDomainSocketAddress.of(socket));
      return new FakeAgent(s, socket);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + socket, e);
    }
  }

  /** An agent error response line. */
  public static String error(int code, String msg, String details) {
    StringBuilder sb =
        new StringBuilder("{\"v\":1,\"error\":{\"code\":").append(code).append(",\"msg\":");
    JsonText.quote(sb, msg);
    sb.append(",\"details\":");
    JsonText.quote(sb, details);
    return sb.append("}}").toString();
  }

  /** A success response line carrying {@code resultJson} (a 1.1.0 result object). */
  public static String result(String resultJson) {
    return "{\"v\":1,\"result\":" + resultJson + "}";
  }

  public Path socket() {
    return socket;
  }

  /** Answers requests with this verb by {@code responseLine} (raw text, sent as is). */
  public FakeAgent answer(String verb, String responseLine) {
    answers.put(verb, responseLine);
    return this;
  }

  /** Answers every verb without its own answer by {@code responseLine}. */
  public FakeAgent answerOthers(String responseLine) {
    defaultAnswer = responseLine;
    return this;
  }

  /** Waits this long before answering (to exercise the binary's timeout). */
  public FakeAgent delay(Duration d) {
    delay = d;
    return this;
  }

  /** Closes each connection after reading the request, without answering. */
  public FakeAgent hangUp(boolean on) {
    hangUp = on;
    return this;
  }

  /** Back to the defaults: canned answers, no delay, no hang-up, no recorded requests. */
  public synchronized FakeAgent reset() {
    answers.clear();
    answers.put("ADD", DEFAULT_ADD_RESULT);
    defaultAnswer = OK;
    delay = Duration.ZERO;
    hangUp = false;
    requests.clear();
    return this;
  }

  /** The request lines received so far, in order. */
  public synchronized List<String> requests() {
    return List.copyOf(requests);
  }

  public synchronized void clearRequests() {
    requests.clear();
  }

  /** The {@code verb} of a request line. */
  public static String verbOf(String requestLine) {
    String v = TopLevelFields.find(requestLine, "verb");
    return v == null ? "" : v;
  }

  private void serve() {
    while (server.isOpen()) {
      try (SocketChannel ch = server.accept()) {
        String line = readAll(ch);
        synchronized (this) {
          requests.add(line);
        }
        if (hangUp) {
          continue;
        }
        if (!delay.isZero()) {
          Thread.sleep(delay);
        }
        String answer = answers.getOrDefault(verbOf(line), defaultAnswer);
        ByteBuffer out = ByteBuffer.wrap((answer + "\n").getBytes(StandardCharsets.UTF_8));
        while (out.hasRemaining()) {
          ch.write(out);
        }
      } catch (IOException e) {
        // client went away, or we are closing
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private static String readAll(SocketChannel ch) throws IOException {
    ByteArrayOutputStream in = new ByteArrayOutputStream();
    ByteBuffer buf = ByteBuffer.allocate(16 << 10);
    while (ch.read(buf) >= 0) {
      buf.flip();
      in.write(buf.array(), 0, buf.limit());
      buf.clear();
    }
    return in.toString(StandardCharsets.UTF_8).strip();
  }

  @Override
  public void close() {
    try {
      server.close();
      thread.interrupt();
      thread.join(2000);
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
