package io.vpccni.testkit.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IpJsonTest {
  @Test
  void readsWhatIpRoutePrints() {
    String text =
        "[{\"dst\":\"default\",\"gateway\":\"169.254.1.1\",\"dev\":\"eth0\",\"flags\":[\"onlink\"]},{},{\"dst\":\"10.0.1.5\",\"metric\":50,\"x\":null,\"up\":true,\"s\":\"a\\\"b\\u0041\"}]\n";
    List<Map<String, Object>> routes = IpJson.objects(text);
    assertThat(routes).hasSize(2); // ip -j prints {} for entries it skips
    assertThat(routes.get(0))
        .containsEntry("gateway", "169.254.1.1")
        .containsEntry("flags", List.of("onlink"));
    assertThat(routes.get(1))
        .containsEntry("metric", 50L)
        .containsEntry("x", null)
        .containsEntry("up", true)
        .containsEntry("s", "a\"bA");
    assertThat(IpJson.objects("")).isEmpty();
  }

  @Test
  void refusesBrokenJsonWithThePosition() {
    assertThatThrownBy(() -> IpJson.parse("[{\"a\":1,}]")).hasMessageContaining("at 8");
    assertThatThrownBy(() -> IpJson.parse("[1] x")).hasMessageContaining("trailing");
  }
}
