package io.vpccni.agent.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@link Nft} runs its process, with a stand-in {@code nft} script: what it reports and that no
 * amount of output blocks it (the real tool's behaviour is {@code PrivilegedNftPolicyTest}'s).
 */
class NftProcessTest {
  @TempDir Path dir;

  Nft fake(String body) throws IOException {
    Path bin = dir.resolve("nft");
    Files.writeString(bin, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwx------"));
    return new Nft(bin.toString(), Optional.empty());
  }

  /**
   * Before: stdout was read to its end first, so nft blocked on a full stderr pipe, and so did we.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aLongErrorDoesNotBlockAndIsReportedWithTheExitStatus() throws Exception {
    Nft nft = fake("head -c 300000 /dev/zero | tr '\\0' e >&2; echo ' the end' >&2; exit 1");
    assertThatThrownBy(() -> nft.apply("table inet vpccni_policy {}\n"))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("failed to run nft -f - (exit 1): eeee")
        .hasMessageEndingWith("the end");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aLargeScriptReachesNftWhileItWritesALotAndItsOutputComesBack() throws Exception {
    Path got = dir.resolve("got");
    String script = "add element inet vpccni_policy s { 10.0.0.1 }\n".repeat(5000);
    fake("head -c 300000 /dev/zero | tr '\\0' w >&2; cat > " + got).apply(script);
    assertThat(Files.readString(got)).isEqualTo(script);

    assertThat(fake("head -c 300000 /dev/zero | tr '\\0' w").list())
        .hasSize(300_000)
        .containsOnlyOnce("w".repeat(300_000));
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void anNftThatExitsWithoutReadingTheScriptIsReportedNotABrokenPipe() throws Exception {
    Nft nft = fake("echo 'Error: syntax error' >&2; exit 1");
    assertThatThrownBy(() -> nft.apply("y".repeat(1_000_000)))
        .isInstanceOf(IOException.class)
        .hasMessage("failed to run nft -f - (exit 1): Error: syntax error");
  }
}
