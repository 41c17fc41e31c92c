package io.vpccni.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CniEnvTest {
  @TempDir Path tmp;

  private Map<String, String> env(String verb) throws IOException {
    Path netns = tmp.resolve("netns");
    if (!Files.exists(netns)) {
      Files.createFile(netns);
    }
    Map<String, String> env = new HashMap<>();
    env.put("CNI_COMMAND", verb);
    env.put("CNI_CONTAINERID", "abc123");
    env.put("CNI_NETNS", netns.toString());
    env.put("CNI_IFNAME", "eth0");
    env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0");
    return env;
  }

  @Test
  void addReadsEveryVariable() throws Exception {
    CniEnv e = CniEnv.parse(Verb.ADD, env("ADD"));
    assertThat(e.containerId()).isEqualTo("abc123");
    assertThat(e.ifName()).isEqualTo("eth0");
    assertThat(e.args())
        .containsEntry("K8S_POD_NAME", "web-0")
        .containsEntry("IgnoreUnknown", "1")
        .hasSize(3);
    assertThat(e.args().keySet())
        .containsExactly("IgnoreUnknown", "K8S_POD_NAMESPACE", "K8S_POD_NAME");
  }

  @Test
  void delNeedsNoNetnsAndDoesNotCheckIt() throws Exception {
    Map<String, String> env = env("DEL");
    env.remove("CNI_NETNS");
    assertThat(CniEnv.parse(Verb.DEL, env).netns()).isEmpty();
    env.put("CNI_NETNS", "/proc/4242424/ns/net"); // the pod is gone
    assertThat(CniEnv.parse(Verb.DEL, env).netns()).isEqualTo("/proc/4242424/ns/net");
  }

  @Test
  void delSkipsMalformedArgsInsteadOfFailing() throws Exception {
    Map<String, String> env = env("DEL");
    env.put("CNI_ARGS", "K8S_POD_NAME=web-0;broken;A=B=C");
    assertThat(CniEnv.parse(Verb.DEL, env).args()).containsOnly(Map.entry("K8S_POD_NAME", "web-0"));
  }

  @Test
  void statusNeedsNothingAndGcNeedsCniPath() throws Exception {
    assertThat(CniEnv.parse(Verb.STATUS, Map.of("CNI_COMMAND", "STATUS")).containerId()).isEmpty();
    assertThatThrownBy(() -> CniEnv.parse(Verb.GC, Map.of("CNI_COMMAND", "GC")))
        .isInstanceOf(CniException.class)
        .hasMessageContaining("CNI_PATH");
    assertThat(CniEnv.parse(Verb.GC, Map.of("CNI_PATH", "/opt/cni/bin")).path())
        .isEqualTo("/opt/cni/bin");
  }

  @ParameterizedTest
  @ValueSource(strings = {"eth0", "a", "net1", "eth0.100", "very-long-name1", "\u00e9th0"})
  void acceptsValidInterfaceNames(String name) {
    assertThat(Names.ifNameProblem(name)).isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        ".",
        "..",
        "eth0/1",
        "eth0:1",
        "eth 0",
        "eth\t0",
        "eth\n0",
        "sixteen-chars-xx",
        "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9",
        "a\u00a0b"
      })
  void refusesInvalidInterfaceNames(String name) {
    assertThat(Names.ifNameProblem(name)).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "0123456789abcdef", "default-web-0", "k8s_POD.1", "A"})
  void acceptsContainerIdsOfTheSpecCharset(String id) {
    assertThat(Names.idProblem(id)).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-abc", "_abc", ".abc", "a/b", "a b", "a;b", "a:b", "\u00e9t\u00e9"})
  void refusesOtherContainerIds(String id) {
    assertThat(Names.idProblem(id)).isNotNull();
  }

  @Test
  void errorsNameTheVariableAndUseCode4() throws Exception {
    Map<String, String> env = env("ADD");
    env.put("CNI_IFNAME", "x".repeat(16));
    assertThatThrownBy(() -> CniEnv.parse(Verb.ADD, env))
        .isInstanceOfSatisfying(
            CniException.class,
            e -> {
              assertThat(e.code()).isEqualTo(4);
              assertThat(e.msg()).contains("CNI_IFNAME").contains("16 bytes");
            });
  }

  @Test
  void refusesTheNamespaceTheBinaryRunsIn() throws Exception {
    Map<String, String> env = env("ADD");
    env.put("CNI_NETNS", "/proc/self/ns/net");
    assertThatThrownBy(() -> CniEnv.parse(Verb.ADD, env)).hasMessageContaining("CNI_NETNS");
  }

  @Test
  void argsParserKeepsEmptyValuesAndOrder() throws Exception {
    assertThat(CniEnv.parseArgs("A=;B=2", false))
        .containsExactly(Map.entry("A", ""), Map.entry("B", "2"));
    assertThat(CniEnv.parseArgs("", false)).isEmpty();
  }
}
