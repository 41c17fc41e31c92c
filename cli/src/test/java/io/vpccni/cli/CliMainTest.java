package io.vpccni.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.agentapi.AgentRequest;
import io.vpccni.agentapi.AgentResponse;
import io.vpccni.agentapi.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliMainTest {
  @TempDir Path dir;

  static final String STATE =
      "{\"node\":\"node1\",\"mode\":\"shared\",\"pool\":{\"total\":32,\"used\":2,\"cooling\":1,\"free\":29},"
          + "\"enis\":[{\"id\":\"eni-1\",\"mac\":\"02:fa:01:01:00:01\",\"deviceIndex\":1,\"subnet\":\"10.1.1.0/24\",\"table\":101,\"ips\":16,\"used\":2}],"
          + "\"attachments\":[{\"pod\":\"default/web-0\",\"containerId\":\"c1\",\"ifName\":\"eth0\",\"ip\":\"10.1.1.20\",\"eni\":\"eni-1\",\"hostIf\":\"vpc0123456789a\",\"state\":\"READY\"}]}";

  Path fakeAgent(String[] seenVerb) throws Exception {
    Path sock = dir.resolve("a.sock");
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(sock));
    Thread.ofPlatform()
        .daemon(true)
        .start(
            () -> {
              try (server;
                  SocketChannel ch = server.accept()) {
                ByteBuffer buf = ByteBuffer.allocate(65536);
                while (ch.read(buf) > 0 && buf.get(buf.position() - 1) != '\n') {
                  // read the request line
                }
                buf.flip();
                seenVerb[0] =
                    AgentRequest.fromJson(StandardCharsets.UTF_8.decode(buf).toString().strip())
                        .verb();
                ch.write(
                    ByteBuffer.wrap(
                        (AgentResponse.ok(Json.parseObject(STATE)).toJson() + "\n")
                            .getBytes(StandardCharsets.UTF_8)));
              } catch (Exception e) {
                throw new RuntimeException(e);
              }
            });
    return sock;
  }

  String run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = CliMain.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    assertThat(code).as(err.toString()).isZero();
    return out.toString();
  }

  @Test
  void poolPrintsOneLinePerEniWithUsage() throws Exception {
    String[] verb = new String[1];
    Path sock = fakeAgent(verb);
    String out = run("pool", "--socket", sock.toString());
    assertThat(verb[0]).isEqualTo("INTROSPECT");
    assertThat(out)
        .contains("32 total, 2 used, 1 cooling, 29 free")
        .containsPattern("eni-1\\s+02:fa:01:01:00:01\\s+1\\s+101\\s+10.1.1.0/24\\s+16\\s+2");
  }

  @Test
  void podsPrintsAttachments() throws Exception {
    Path sock = fakeAgent(new String[1]);
    assertThat(run("pods", "--socket", sock.toString()))
        .containsPattern("default/web-0\\s+10.1.1.20\\s+eni-1");
  }

  @Test
  void jsonOutputIsTheAgentsState() throws Exception {
    Path sock = fakeAgent(new String[1]);
    assertThat(
            Json.parseObject(run("pool", "--socket", sock.toString(), "-o", "json").strip())
                .string("node"))
        .isEqualTo("node1");
  }

  @Test
  void missingAgentIsAClearError() {
    StringWriter err = new StringWriter();
    int code =
        CliMain.run(
            new String[] {"status", "--socket", dir.resolve("none.sock").toString()},
            new PrintWriter(new StringWriter()),
            new PrintWriter(err, true));
    assertThat(code).isNotZero();
    assertThat(err.toString()).contains("cannot connect to the vpc-cni agent");
  }
}
