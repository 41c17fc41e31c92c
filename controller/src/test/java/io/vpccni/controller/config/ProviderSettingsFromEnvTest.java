package io.vpccni.controller.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectMapper;

class ProviderSettingsFromEnvTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ControllerConfig parse(String json, Map<String, String> env) {
    return ControllerConfig.parse(JSON.readTree(json), env::get);
  }

  @Test
  void settingOfTheFormEnvRefIsReadFromTheEnvironment() {
    ControllerConfig c =
        parse(
            """
            {"clusterId": "c1", "providerSettings": {
              "auth.username": "vpc-cni", "auth.password": "${env:OS_PASSWORD}"}}""",
            Map.of("OS_PASSWORD", "s3cret"));
    assertThat(c.providerSettings())
        .containsEntry("auth.password", "s3cret")
        .containsEntry("auth.username", "vpc-cni");
  }

  @Test
  void unsetVariableIsRefusedNamingTheSettingWithoutAValue() {
    assertThatThrownBy(
            () ->
                parse(
                    """
                    {"clusterId": "c1", "providerSettings": {"auth.password": "${env:OS_PASSWORD}"}}""",
                    Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "field \"providerSettings.auth.password\": environment variable OS_PASSWORD is not set");
  }

  @Test
  void onlyAWholeValueIsAReference() {
    ControllerConfig c =
        parse(
            """
            {"clusterId": "c1", "providerSettings": {"auth.url": "http://x/${env:HOST}"}}""",
            Map.of("HOST", "h"));
    assertThat(c.providerSettings()).containsEntry("auth.url", "http://x/${env:HOST}");
  }
}
