package io.vpccni.e2e.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hand-written image layout is what containerd expects: content-addressed blobs, a layer with
 * busybox.
 */
class OciImageTest {

  @TempDir Path dir;

  @Test
  void layoutBlobsAreNamedByTheirSha256AndTheLayerHoldsBusyboxAndApplets() throws Exception {
    OciImage.busyboxUnavailabilityCause(OciImage.DEFAULT_BUSYBOX).ifPresent(Assumptions::abort);
    Path tarball = dir.resolve("image.tar");
    OciImage.pause("localhost/test/pause:latest").writeTo(tarball);

    Path out = Files.createDirectory(dir.resolve("layout"));
    Command.check(Duration.ofSeconds(20), "tar", "-xf", tarball.toString(), "-C", out.toString());
    assertThat(Files.readString(out.resolve("oci-layout")))
        .isEqualTo("{\"imageLayoutVersion\":\"1.0.0\"}");
    String index = Files.readString(out.resolve("index.json"));
    assertThat(index).contains("\"io.containerd.image.name\":\"localhost/test/pause:latest\"");

    List<Path> blobs;
    try (Stream<Path> files = Files.list(out.resolve("blobs/sha256"))) {
      blobs = files.toList();
    }
    assertThat(blobs).hasSize(3);
    for (Path blob : blobs) {
      assertThat(OciImage.digest(Files.readAllBytes(blob)))
          .isEqualTo("sha256:" + blob.getFileName());
    }
    // The layer is by far the largest blob (config and manifest are a few hundred bytes of JSON).
    Path layer =
        blobs.stream()
            .max(java.util.Comparator.comparingLong(b -> b.toFile().length()))
            .orElseThrow();
    String listing =
        Command.check(Duration.ofSeconds(20), "tar", "-tvzf", layer.toString()).stdout();
    assertThat(listing)
        .contains(
            "bin/busybox", "bin/sh -> busybox", "bin/ping -> busybox", "bin/sleep -> busybox");
  }

  @Test
  void sameInputGivesSameDigests() throws Exception {
    OciImage.busyboxUnavailabilityCause(OciImage.DEFAULT_BUSYBOX).ifPresent(Assumptions::abort);
    OciImage image = OciImage.pause("localhost/test/pause:latest");
    image.writeTo(dir.resolve("one.tar"));
    image.writeTo(dir.resolve("two.tar"));
    assertThat(Files.readAllBytes(dir.resolve("one.tar")))
        .isEqualTo(Files.readAllBytes(dir.resolve("two.tar")));
  }
}
