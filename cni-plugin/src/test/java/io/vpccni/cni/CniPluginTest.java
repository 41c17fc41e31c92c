package io.vpccni.cni;

import static io.vpccni.testkit.cni.JsonText.obj;
import static io.vpccni.testkit.cni.JsonText.with;
import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.agentapi.AgentRequest;
import io.vpccni.agentapi.Json;
import io.vpccni.agentapi.JsonObject;
import io.vpccni.testkit.cni.CniConfigs;
import io.vpccni.testkit.cni.FakeAgent;
import io.vpccni.testkit.cni.JsonText;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The verbs in-process, against a fake agent on a real unix socket. */
class CniPluginTest {
  static final String ID = "0123456789abcdef";

  @TempDir Path tmp;
  FakeAgent agent;
  String netns;

  @BeforeEach
  void start() throws Exception {
    agent = FakeAgent.start(tmp.resolve("agent.sock"));
    netns = Files.createFile(tmp.resolve("netns")).toString();
  }

  @AfterEach
  void stop() {
    agent.close();
  }

  CniPlugin.Reply run(Map<String, String> env, Object stdin) {
    String text = stdin instanceof String s ? s : JsonText.write(stdin);
    return new CniPlugin()
        .execute(env, new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
  }

  Map<String, Object> conf(String version) {
    return CniConfigs.netconf(version, agent.socket().toString());
  }

  Map<String, String> env(String verb) {
    Map<String, String> env = CniConfigs.env(verb, ID, netns, "eth0");
    env.put("CNI_ARGS", "K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0");
    return env;
  }

  static JsonObject json(CniPlugin.Reply r) {
    return Json.parseObject(r.stdout());
  }

  AgentRequest lastRequest() {
    List<String> r = agent.requests();
    assertThat(r).isNotEmpty();
    return AgentRequest.fromJson(r.get(r.size() - 1));
  }

  @Nested
  class Add {
    @ParameterizedTest
    @ValueSource(strings = {"0.4.0", "1.0.0", "1.1.0"})
    void printsTheResultInTheConfigsVersion(String version) {
      CniPlugin.Reply r = run(env("ADD"), conf(version));
      assertThat(r.exitCode()).as(r.stdout()).isZero();
      JsonObject out = json(r);
      assertThat(out.string("cniVersion")).isEqualTo(version);
      assertThat(out.objects("ips").get(0).string("address")).isEqualTo("10.0.1.5/32");
      assertThat(out.objects("ips").get(0).has("version")).isEqualTo(version.equals("0.4.0"));
      assertThat(out.objects("interfaces").get(0).has("mtu")).isEqualTo(version.equals("1.1.0"));
      assertThat(r.stdout()).endsWith("\n");
    }

    @Test
    void sendsOneRequestWithTheAttachmentAndTheWholeConfig() {
      Map<String, Object> c = with(conf("1.0.0"), "runtimeConfig", obj("portMappings", List.of()));
      c.put("vendorKey", "kept");
      run(env("ADD"), c);
      assertThat(agent.requests()).hasSize(1);
      AgentRequest req = lastRequest();
      assertThat(req.verb()).isEqualTo("ADD");
      assertThat(req.containerId()).isEqualTo(ID);
      assertThat(req.netns()).isEqualTo(netns);
      assertThat(req.ifName()).isEqualTo("eth0");
      assertThat(req.podRef()).isEqualTo("default/web-0");
      assertThat(req.config().string("vendorKey")).isEqualTo("kept");
      assertThat(req.config().object("runtimeConfig").list("portMappings")).isEmpty();
    }

    @Test
    void agentErrorsPassThroughWithTheirCode() {
      agent.answer(
          "ADD", FakeAgent.error(11, "no free IP on this node", "warm pool empty; refilling"));
      CniPlugin.Reply r = run(env("ADD"), conf("1.0.0"));
      assertThat(r.exitCode()).isNotZero();
      JsonObject out = json(r);
      assertThat(out.integer("code")).isEqualTo(11);
      assertThat(out.string("msg")).isEqualTo("no free IP on this node");
      assertThat(out.string("details")).isEqualTo("warm pool empty; refilling");
      assertThat(out.string("cniVersion")).isEqualTo("1.0.0");
    }

    @Test
    void agentDownIsTryAgainLater() {
      agent.close();
      JsonObject out = json(run(env("ADD"), conf("1.0.0")));
      assertThat(out.integer("code")).isEqualTo(11);
      assertThat(out.string("msg")).contains("agent").contains(agent.socket().toString());
    }

    @Test
    void agentTooSlowIsTryAgainLater() {
      agent.delay(Duration.ofMillis(2500));
      JsonObject out = json(run(env("ADD"), with(conf("1.0.0"), "agentTimeoutSeconds", 1)));
      assertThat(out.integer("code")).isEqualTo(11);
      assertThat(out.string("msg")).contains("no answer");
    }

    @Test
    void agentHangingUpIsTryAgainLater() {
      agent.hangUp(true);
      assertThat(json(run(env("ADD"), conf("1.0.0"))).integer("code")).isEqualTo(11);
    }

    @Test
    void agentGarbageIsAProtocolError() {
      agent.answer("ADD", "this is not json");
      JsonObject out = json(run(env("ADD"), conf("1.0.0")));
      assertThat(out.integer("code")).isEqualTo(CniException.AGENT_PROTOCOL_ERROR);
    }

    @Test
    void anInvalidAgentResultIsAProtocolErrorNamingTheField() {
      agent.answer("ADD", FakeAgent.result("{\"ips\":[{\"address\":\"10.0.0.1\"}]}"));
      JsonObject out = json(run(env("ADD"), conf("1.0.0")));
      assertThat(out.integer("code")).isEqualTo(CniException.AGENT_PROTOCOL_ERROR);
      assertThat(out.string("msg")).contains("result.ips[0].address");
    }

    @Test
    void aMissingResultIsAProtocolError() {
      agent.answer("ADD", FakeAgent.OK);
      assertThat(json(run(env("ADD"), conf("1.0.0"))).integer("code"))
          .isEqualTo(CniException.AGENT_PROTOCOL_ERROR);
    }

    @Test
    void logFileGetsOneLinePerInvocation() throws Exception {
      Path log = tmp.resolve("cni.log");
      run(env("ADD"), with(conf("1.0.0"), "logFile", log.toString()));
      run(env("ADD"), with(with(conf("1.0.0"), "logFile", log.toString()), "mtu", 1));
      List<String> lines = Files.readAllLines(log);
      assertThat(lines).hasSize(2);
      assertThat(lines.get(0))
          .contains(
              " vpc-cni ADD ", "containerId=" + ID, "ifname=eth0", "pod=default/web-0", "exit=0");
      assertThat(lines.get(1)).contains("exit=1", "code=7", "mtu");
    }
  }

  @Nested
  class Del {
    @Test
    void succeedsRepeatedly() {
      for (int i = 0; i < 3; i++) {
        CniPlugin.Reply r = run(env("DEL"), conf("1.0.0"));
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).isEmpty();
      }
      assertThat(agent.requests()).hasSize(3);
    }

    @Test
    void succeedsWithoutNetnsOrPrevResult() {
      Map<String, String> env = env("DEL");
      env.remove("CNI_NETNS");
      assertThat(run(env, conf("1.0.0")).exitCode()).isZero();
      assertThat(lastRequest().netns()).isEmpty();
      assertThat(lastRequest().config().has("prevResult")).isFalse();
    }

    @Test
    void succeedsWhenTheNamespaceIsGone() {
      Map<String, String> env = env("DEL");
      env.put("CNI_NETNS", "/var/run/netns/gone-long-ago");
      assertThat(run(env, conf("1.0.0")).exitCode()).isZero();
      assertThat(lastRequest().netns()).isEqualTo("/var/run/netns/gone-long-ago");
    }

    @Test
    void passesPrevResultUntouched() {
      Map<String, Object> prev = CniConfigs.result("0.4.0", netns, "10.0.1.5/32");
      prev.put("extra", "kept");
      run(env("DEL"), with(conf("1.0.0"), "prevResult", prev));
      assertThat(Json.write(lastRequest().config().raw("prevResult")))
          .isEqualTo(JsonText.write(prev));
    }

    @Test
    void stillReachesTheAgentWhenFieldsAddWouldRefuseAreBad() {
      Map<String, String> env = env("DEL");
      env.put("CNI_ARGS", "K8S_POD_NAME=web-0;garbage");
      CniPlugin.Reply r = run(env, with(with(conf("1.0.0"), "mtu", 1), "dns", "none"));
      assertThat(r.exitCode()).as(r.stdout()).isZero();
      assertThat(lastRequest().args()).containsOnly(Map.entry("K8S_POD_NAME", "web-0"));
    }

    @Test
    void agentDownIsTryAgainLaterSoTheRuntimeRetries() {
      agent.close();
      CniPlugin.Reply r = run(env("DEL"), conf("1.0.0"));
      assertThat(r.exitCode()).isNotZero();
      assertThat(json(r).integer("code")).isEqualTo(CniException.TRY_AGAIN_LATER);
    }

    @Test
    void unknownContainerIsTheAgentsSuccess() {
      Map<String, String> env = env("DEL");
      env.put("CNI_CONTAINERID", "never-added");
      assertThat(run(env, conf("1.0.0")).exitCode()).isZero();
      assertThat(lastRequest().containerId()).isEqualTo("never-added");
    }
  }

  @Nested
  class Check {
    @ParameterizedTest
    @ValueSource(strings = {"0.4.0", "1.0.0", "1.1.0"})
    void forwardsPrevResultAndPrintsNothing(String version) {
      Map<String, Object> prev = CniConfigs.result(version, netns, "10.0.1.5/32");
      CniPlugin.Reply r = run(env("CHECK"), with(conf(version), "prevResult", prev));
      assertThat(r.exitCode()).as(r.stdout()).isZero();
      assertThat(r.stdout()).isEmpty();
      assertThat(Json.write(lastRequest().config().raw("prevResult")))
          .isEqualTo(JsonText.write(prev));
    }

    @Test
    void agentFindingAProblemFailsTheCheck() {
      agent.answer("CHECK", FakeAgent.error(7, "route 0.0.0.0/0 missing in the pod", ""));
      Map<String, Object> prev = CniConfigs.result("1.0.0", netns, "10.0.1.5/32");
      JsonObject out = json(run(env("CHECK"), with(conf("1.0.0"), "prevResult", prev)));
      assertThat(out.integer("code")).isEqualTo(7);
    }
  }

  @Nested
  class Status {
    Map<String, String> env = Map.of("CNI_COMMAND", "STATUS");

    @Test
    void readyAgentMeansSuccess() {
      CniPlugin.Reply r = run(env, conf("1.1.0"));
      assertThat(r.exitCode()).isZero();
      assertThat(r.stdout()).isEmpty();
      assertThat(lastRequest().verb()).isEqualTo("STATUS");
    }

    @Test
    void missingSocketIs50() {
      CniPlugin.Reply r =
          run(env, CniConfigs.netconf("1.1.0", tmp.resolve("no-such.sock").toString()));
      assertThat(r.exitCode()).isNotZero();
      JsonObject out = json(r);
      assertThat(out.integer("code")).isEqualTo(50);
      assertThat(out.string("cniVersion")).isEqualTo("1.1.0");
    }

    @Test
    void slowAgentIs50() {
      agent.delay(Duration.ofMillis(2500));
      assertThat(json(run(env, with(conf("1.1.0"), "agentTimeoutSeconds", 1))).integer("code"))
          .isEqualTo(50);
    }

    @ParameterizedTest
    @ValueSource(ints = {50, 51})
    void agentsOwnStatusCodesPassThrough(int code) {
      agent.answer("STATUS", FakeAgent.error(code, "no free IP in the warm pool", ""));
      assertThat(json(run(env, conf("1.1.0"))).integer("code")).isEqualTo(code);
    }
  }

  @Nested
  class Gc {
    @Test
    void forwardsTheValidAttachments() {
      Map<String, Object> c =
          with(
              conf("1.1.0"),
              "cni.dev/valid-attachments",
              List.of(
                  obj("containerID", "c1", "ifname", "eth0"),
                  obj("containerID", "c2", "ifname", "net1")));
      CniPlugin.Reply r = run(Map.of("CNI_COMMAND", "GC", "CNI_PATH", "/opt/cni/bin"), c);
      assertThat(r.exitCode()).as(r.stdout()).isZero();
      assertThat(lastRequest().config().objects("cni.dev/valid-attachments")).hasSize(2);
    }
  }

  @Nested
  class Version {
    @ParameterizedTest
    @ValueSource(strings = {"0.4.0", "1.0.0", "1.1.0", "0.3.1", "2.0.0"})
    void answersInTheVersionAsked(String version) {
      CniPlugin.Reply r =
          run(Map.of("CNI_COMMAND", "VERSION"), "{\"cniVersion\":\"" + version + "\"}");
      assertThat(r.exitCode()).isZero();
      assertThat(r.stdout())
          .isEqualTo(
              "{\"cniVersion\":\""
                  + version
                  + "\",\"supportedVersions\":[\"0.4.0\",\"1.0.0\",\"1.1.0\"]}\n");
      assertThat(agent.requests()).isEmpty();
    }

    @Test
    void withoutInputAnswersInTheNewest() {
      assertThat(json(run(Map.of("CNI_COMMAND", "VERSION"), "")).string("cniVersion"))
          .isEqualTo("1.1.0");
    }

    @Test
    void ignoresOtherVariables() {
      assertThat(run(Map.of("CNI_COMMAND", "VERSION", "CNI_IFNAME", "bad/name"), "{}").exitCode())
          .isZero();
    }
  }

  @Test
  void errorsHaveTheSpecShape() {
    CniPlugin.Reply r = run(env("ADD"), with(conf("0.4.0"), "mtu", 1));
    assertThat(r.exitCode()).isEqualTo(1);
    JsonObject out = json(r);
    assertThat(out.map().keySet()).containsExactly("cniVersion", "code", "msg", "details");
    assertThat(out.string("cniVersion")).isEqualTo("0.4.0");
  }

  @Test
  void errorsBeforeTheConfigIsReadUseTheNewestVersion() {
    assertThat(json(run(Map.of(), conf("1.0.0"))).string("cniVersion")).isEqualTo("1.1.0");
  }
}
