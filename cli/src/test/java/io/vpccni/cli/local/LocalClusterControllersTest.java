package io.vpccni.cli.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.agentapi.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Killing controller replicas of a local cluster, with a sleeping child standing in for one. */
class LocalClusterControllersTest {
  @TempDir Path dir;
  Process fake;
  LocalCluster cluster;

  @BeforeEach
  void describeAClusterWhoseControllerIsAChildProcess() throws Exception {
    fake = new ProcessBuilder("sleep", "60").start();
    Files.writeString(
        dir.resolve("cluster.json"),
        "{\"prefix\":\"vltest\",\"pids\":["
            + fake.pid()
            + "],\"controllers\":["
            + fake.pid()
            + "]}");
    cluster = new LocalCluster(dir, dir.resolve("dist"));
  }

  @AfterEach
  void stopTheChild() {
    fake.destroyForcibly();
  }

  @Test
  void controllerPidsAreThoseInTheDescription() throws Exception {
    assertThat(cluster.controllerPids()).containsExactly(fake.pid());
  }

  @Test
  void killControllerSigkillsItAndForgetsItsPid() throws Exception {
    cluster.killController(fake.pid());

    assertThat(fake.waitFor(5, TimeUnit.SECONDS)).isTrue();
    assertThat(fake.exitValue()).as("128 + SIGKILL").isEqualTo(137);
    assertThat(cluster.controllerPids()).isEmpty();
    assertThat(Json.parseObject(Files.readString(dir.resolve("cluster.json"))).list("pids"))
        .as("down will not signal the pid again, whoever holds it by then")
        .isEmpty();
  }

  @Test
  void killControllerRefusesAPidThatIsNotOneOfItsControllers() throws Exception {
    long self = ProcessHandle.current().pid();

    assertThatThrownBy(() -> cluster.killController(self))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not a controller of this cluster");
    assertThat(fake.isAlive()).isTrue();
    assertThat(cluster.controllerPids()).containsExactly(fake.pid());
  }
}
