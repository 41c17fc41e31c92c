package io.vpccni.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.agentapi.AgentRequest;
import io.vpccni.agentapi.AgentResponse;
import io.vpccni.agentapi.Json;
import io.vpccni.agentapi.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliMainTest {
  @TempDir Path dir;
  int agents;

  static final String STATE =
      "{\"node\":\"node1\",\"mode\":\"shared\",\"pool\":{\"total\":32,\"used\":2,\"cooling\":1,\"free\":29},"
          + "\"enis\":[{\"id\":\"eni-1\",\"mac\":\"02:fa:01:01:00:01\",\"deviceIndex\":1,\"subnet\":\"10.1.1.0/24\",\"table\":101,\"ips\":16,\"used\":2}],"
          + "\"attachments\":[{\"pod\":\"default/web-0\",\"containerId\":\"c1\",\"ifName\":\"eth0\",\"ip\":\"10.1.1.20\",\"eni\":\"eni-1\",\"hostIf\":\"vpc0123456789a\",\"state\":\"READY\"}]}";

  /** The policy part of an agent with networkPolicy on: one pod isolated, one apply failed. */
  static final String POLICY_STATE =
      "{\"node\":\"node1\",\"policy\":{\"enabled\":true,\"synced\":true,\"policies\":3,\"applies\":7,"
          + "\"lastApply\":\"2026-01-01T00:00:00Z\",\"lastApplyMillis\":84,"
          + "\"lastError\":\"failed to run nft -f - (exit 1): Error: syntax error\",\"lastErrorAt\":\"2026-01-01T00:00:05Z\","
          + "\"pods\":[{\"pod\":\"prod/web-0\",\"ip\":\"10.1.1.20\","
          + "\"ingress\":{\"isolated\":true,\"policies\":[\"prod/deny\",\"prod/from-client\"]},"
          + "\"egress\":{\"isolated\":false,\"policies\":[]}},"
          + "{\"pod\":\"prod/db-0\",\"ip\":\"10.1.1.21\","
          + "\"ingress\":{\"isolated\":false,\"policies\":[]},"
          + "\"egress\":{\"isolated\":true,\"policies\":[\"prod/lock-out\"]}}]}}";

  Path fakeAgent(String[] seenVerb) throws Exception {
    return fakeAgent(seenVerb, STATE);
  }

  Path fakeAgent(String[] seenVerb, String state) throws Exception {
    Path sock = dir.resolve("a" + (++agents) + ".sock");
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
                        (AgentResponse.ok(Json.parseObject(state)).toJson() + "\n")
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
  void policyPrintsAHeaderAndOneRowPerLocalPod() throws Exception {
    String[] verb = new String[1];
    Path sock = fakeAgent(verb, POLICY_STATE);
    String out = run("policy", "--socket", sock.toString());
    assertThat(verb[0]).isEqualTo("INTROSPECT");
    List<String> lines = out.lines().toList();
    assertThat(lines).hasSize(4);
    assertThat(lines.get(0))
        .startsWith("NetworkPolicy on, synced, 3 policies, 7 applies, last apply ")
        .containsPattern("last apply \\d+[smhd] ago \\(84 ms\\)")
        .containsPattern(
            "LAST APPLY FAILED \\d+[smhd] ago: failed to run nft -f - \\(exit 1\\): Error: syntax"
                + " error$");
    assertThat(lines.get(1)).matches("POD\\s+IP\\s+INGRESS\\s+EGRESS");
    assertThat(lines.get(2))
        .matches("prod/web-0\\s+10\\.1\\.1\\.20\\s+isolated: prod/deny,prod/from-client\\s+open");
    assertThat(lines.get(3))
        .matches("prod/db-0\\s+10\\.1\\.1\\.21\\s+open\\s+isolated: prod/lock-out");
  }

  @Test
  void policyJsonIsThePolicyObject() throws Exception {
    Path sock = fakeAgent(new String[1], POLICY_STATE);
    JsonObject j =
        Json.parseObject(run("policy", "--socket", sock.toString(), "-o", "json").strip());
    assertThat(j.has("node")).as("only the policy object").isFalse();
    assertThat(j.integer("applies")).isEqualTo(7);
    assertThat(j.objects("pods").get(0).object("ingress").strings("policies"))
        .containsExactly("prod/deny", "prod/from-client");
  }

  @Test
  void policyOffIsOneClearLineAndSuccess() throws Exception {
    Path sock = fakeAgent(new String[1], "{\"node\":\"node1\",\"policy\":{\"enabled\":false}}");
    assertThat(run("policy", "--socket", sock.toString()))
        .isEqualTo(
            "NetworkPolicy is off on this node (agent config key networkPolicy): no pod is"
                + " isolated\n");
  }

  @Test
  void policyOnAnAgentWithoutThePolicyObjectSaysOff() throws Exception {
    Path sock = fakeAgent(new String[1]); // no `policy` object: off, as the agent may say it
    assertThat(run("policy", "--socket", sock.toString())).startsWith("NetworkPolicy is off");
    sock = fakeAgent(new String[1]);
    assertThat(
            Json.parseObject(run("policy", "--socket", sock.toString(), "-o", "json").strip())
                .bool("enabled", true))
        .isFalse();
  }

  @Test
  void agesReadLikeKubectl() {
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    assertThat(CliMain.Policy.age(t, t.plusSeconds(45))).isEqualTo("45s");
    assertThat(CliMain.Policy.age(t, t.plusSeconds(600))).isEqualTo("10m");
    assertThat(CliMain.Policy.age(t, t.plusSeconds(3 * 3600))).isEqualTo("3h");
    assertThat(CliMain.Policy.age(t, t.plusSeconds(5 * 86400))).isEqualTo("5d");
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
