package io.vpccni.cni;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.agentapi.Json;
import io.vpccni.agentapi.JsonObject;
import io.vpccni.testkit.cni.BadInputCase;
import io.vpccni.testkit.cni.BadInputCases;
import io.vpccni.testkit.cni.FakeAgent;
import io.vpccni.testkit.cni.JsonText;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every bad-input case, in-process, against a fake agent. {@link LauncherExecTest} execs them. */
class BadInputCasesTest {
  @TempDir static Path tmp;
  static FakeAgent agent;
  static BadInputCases.Setup setup;

  @BeforeAll
  static void start() throws Exception {
    agent = FakeAgent.start(tmp.resolve("agent.sock"));
    setup = setup(tmp, agent);
  }

  static BadInputCases.Setup setup(Path dir, FakeAgent agent) throws Exception {
    Path netns = Files.createFile(dir.resolve("netns"));
    Path plain = Files.createFile(dir.resolve("plain-file"));
    return new BadInputCases.Setup(agent.socket().toString(), netns.toString(), plain.toString());
  }

  @AfterAll
  static void stop() {
    agent.close();
  }

  static List<BadInputCase> cases() {
    return BadInputCases.all(setup);
  }

  @Test
  void thereAreAtLeast40() throws Exception {
    assertThat(cases()).hasSizeGreaterThanOrEqualTo(40);
    assertThat(cases()).extracting(BadInputCase::name).doesNotHaveDuplicates();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void isRefusedWithTheSpecCode(BadInputCase c) {
    prepare(agent, c);
    CniPlugin.Reply r = new CniPlugin().execute(c.env(), new ByteArrayInputStream(c.stdin()));
    check(c, agent, r.exitCode(), r.stdout());
  }

  @ParameterizedTest(name = "baseline {0}")
  @MethodSource("verbs")
  void theValidBaselineSucceeds(String verb) {
    agent.reset();
    String stdin = JsonText.write(BadInputCases.validConfig(setup, verb));
    CniPlugin.Reply r =
        new CniPlugin()
            .execute(
                BadInputCases.validEnv(setup, verb), new ByteArrayInputStream(stdin.getBytes()));
    assertThat(r.exitCode()).as(r.stdout()).isZero();
  }

  static List<String> verbs() {
    return List.of("ADD", "CHECK", "DEL", "STATUS", "GC", "VERSION");
  }

  /** Cases the agent must refuse: the fake is told to refuse them as the real one must. */
  static void prepare(FakeAgent agent, BadInputCase c) {
    agent.reset();
    if (!c.rejectedBeforeAgent()) {
      agent.answer(
          c.verb(), FakeAgent.error(c.expectedCode(), "refused: " + c.messageContains(), ""));
    }
  }

  static void check(BadInputCase c, FakeAgent agent, int exit, String stdout) {
    assertThat(exit).as("exit code; stdout: %s", stdout).isNotZero();
    JsonObject out = Json.parseObject(stdout);
    assertThat(out.map().keySet()).containsExactly("cniVersion", "code", "msg", "details");
    assertThat(out.integer("code")).as(stdout).isEqualTo(c.expectedCode());
    assertThat(out.string("msg")).as(stdout).contains(c.messageContains());
    if (c.rejectedBeforeAgent()) {
      assertThat(agent.requests()).as("requests that reached the agent").isEmpty();
    } else {
      assertThat(agent.requests()).hasSize(1);
    }
  }
}
