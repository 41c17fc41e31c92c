package io.vpccni.e2e.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.e2e.runtime.Command;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image writer behind {@code make image}: the layout it writes is valid (index → manifest →
 * config and layers, digests and sizes), GNU tar reads its layers back as the tree they came from,
 * and the same tree gives the same digest however it was made on disk.
 */
class OciLayoutTest {
  private static final String LONG_DIR =
      "opt/vpc-cni/cni/vpc-cni.d/runtime/legal/java.base/a-directory-name-long-enough-to-need-pax";

  @TempDir Path dir;

  private static final OciLayout.Config CONFIG =
      new OciLayout.Config(
          List.of(),
          List.of("/bin/app", "--help"),
          List.of("PATH=/bin", "JAVA_HOME=/opt/jre"),
          "65532:65532",
          "/",
          Map.of("org.opencontainers.image.version", "1.2.3", "b", "x\"y"),
          "2026-01-02T03:04:05Z");

  @Test
  void layoutIsValidAndEveryDigestAndSizeMatches() throws Exception {
    Path tree = tree(dir.resolve("tree"), false);
    Path tarball = dir.resolve("image.tar");
    String digest = write(tree, tarball, null).manifestDigest();

    OciLayoutCheck.Image image = OciLayoutCheck.check(tarball);
    assertThat(image.manifestDigest()).isEqualTo(digest);
    assertThat(image.refName()).isEqualTo("7");
    assertThat(
            image
                .index()
                .objects("manifests")
                .get(0)
                .object("annotations")
                .string("io.containerd.image.name"))
        .isEqualTo("localhost/test/app:7");
    assertThat(image.config().object("config").string("User")).isEqualTo("65532:65532");
    assertThat(image.config().object("config").strings("Cmd"))
        .containsExactly("/bin/app", "--help");
    assertThat(image.config().object("config").object("Labels").string("b")).isEqualTo("x\"y");
    assertThat(image.config().string("created")).isEqualTo("2026-01-02T03:04:05Z");
    assertThat(image.manifest().object("annotations").string("org.opencontainers.image.version"))
        .isEqualTo("1.2.3");
    assertThat(image.layers()).hasSize(2);

    Map<String, OciLayoutCheck.Entry> root = image.layers().get(0);
    assertThat(root.get("bin/app").mode()).isEqualTo(0755);
    assertThat(root.get("tmp/").mode()).isEqualTo(01777);
    assertThat(root.get("bin/sh").type()).isEqualTo('2');
    assertThat(root.get("bin/sh").link()).isEqualTo("app");
    // the same content twice: written once, then linked
    assertThat(root.get("lib/b/same.jar").type()).isEqualTo('1');
    assertThat(root.get("lib/b/same.jar").link()).isEqualTo("lib/a/same.jar");
    assertThat(root.get(LONG_DIR + "/LICENSE").type()).isEqualTo('0');
    assertThat(root.get("long-link").link()).isEqualTo("/" + LONG_DIR + "/LICENSE");
    // the second layer is placed under its prefix, with the prefix's directories
    assertThat(image.layers().get(1).keySet())
        .containsExactly("opt/", "opt/jre/", "opt/jre/release");
  }

  @Test
  void gnuTarReadsTheLayerBackAsTheTree() throws Exception {
    Path tree = tree(dir.resolve("tree"), false);
    Path tarball = dir.resolve("image.tar");
    write(tree, tarball, null);
    OciLayoutCheck.Image image = OciLayoutCheck.check(tarball);
    String layer = image.manifest().objects("layers").get(0).string("digest");

    Path layout = Files.createDirectory(dir.resolve("layout"));
    Path out = Files.createDirectory(dir.resolve("out"));
    Command.check(
        Duration.ofSeconds(20), "tar", "-xf", tarball.toString(), "-C", layout.toString());
    Command.check(
        Duration.ofSeconds(20),
        "tar",
        "-xzf",
        layout.resolve("blobs/sha256/" + layer.substring(7)).toString(),
        "-C",
        out.toString());
    assertThat(Files.readString(out.resolve(LONG_DIR + "/LICENSE"))).isEqualTo("license\n");
    assertThat(Files.readString(out.resolve("lib/b/same.jar"))).isEqualTo("jar bytes");
    assertThat(Files.readSymbolicLink(out.resolve("long-link")).toString())
        .isEqualTo("/" + LONG_DIR + "/LICENSE");
    assertThat(Files.isExecutable(out.resolve("bin/app"))).isTrue();
    assertThat(Files.getLastModifiedTime(out.resolve("bin/app")).toMillis()).isZero();
  }

  @Test
  void sameTreeGivesSameDigestWhateverItsTimesAndCreationOrder() throws Exception {
    Path a = dir.resolve("a.tar");
    Path b = dir.resolve("b.tar");
    String first = write(tree(dir.resolve("t1"), false), a, null).manifestDigest();
    String second = write(tree(dir.resolve("t2"), true), b, null).manifestDigest();
    assertThat(second).isEqualTo(first);
    assertThat(Files.mismatch(a, b)).isEqualTo(-1);

    // a cached gzip layer gives the same image again
    Path cache = dir.resolve("cache");
    Path t1 = dir.resolve("t1");
    assertThat(write(t1, dir.resolve("c.tar"), cache).manifestDigest()).isEqualTo(first);
    assertThat(write(t1, dir.resolve("d.tar"), cache).manifestDigest()).isEqualTo(first);
  }

  @Test
  void oneChangedByteOrModeChangesTheDigest() throws Exception {
    String base =
        write(tree(dir.resolve("t1"), false), dir.resolve("a.tar"), null).manifestDigest();
    Path changed = tree(dir.resolve("t2"), false);
    Files.writeString(changed.resolve("root/lib/a/same.jar"), "jar byteZ");
    assertThat(write(changed, dir.resolve("b.tar"), null).manifestDigest()).isNotEqualTo(base);
    Path mode = tree(dir.resolve("t3"), false);
    Files.setPosixFilePermissions(
        mode.resolve("root/bin/app"), PosixFilePermissions.fromString("rwxr-x---"));
    assertThat(write(mode, dir.resolve("c.tar"), null).manifestDigest()).isNotEqualTo(base);
  }

  @Test
  void checkRejectsATamperedBlob() throws Exception {
    Path tarball = dir.resolve("image.tar");
    write(tree(dir.resolve("t"), false), tarball, null);
    byte[] bytes = Files.readAllBytes(tarball);
    // a key only the config blob has; flip one character of it
    int at = indexOf(bytes, "\"diff_ids\"".getBytes());
    bytes[at + 1] = 'A';
    Files.write(tarball, bytes);
    assertThatThrownBy(() -> OciLayoutCheck.check(tarball))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("has another sha256");
  }

  private static OciLayout.Written write(Path tree, Path tarball, Path cache) throws IOException {
    Path work = Files.createTempDirectory(tarball.getParent(), "work");
    try {
      OciLayout layout = new OciLayout(work, cache);
      layout.layer("root", new TreeLayer(tree.resolve("root"), ""));
      layout.layer("jre", new TreeLayer(tree.resolve("jre"), "opt/jre"));
      return layout.write(tarball, "localhost/test/app:7", CONFIG);
    } finally {
      OciLayout.deleteTree(work);
    }
  }

  /** The same tree each time; {@code shuffled} creates it in another order with other mtimes. */
  private static Path tree(Path t, boolean shuffled) throws IOException {
    Path root = t.resolve("root");
    List<String> dirs = List.of("bin", "lib/a", "lib/b", "tmp", LONG_DIR);
    for (String d : shuffled ? dirs.reversed() : dirs) {
      Files.createDirectories(root.resolve(d));
    }
    Files.setPosixFilePermissions(
        root.resolve("tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
    Files.setAttribute(root.resolve("tmp"), "unix:mode", 01777);
    List<Runnable> steps =
        new java.util.ArrayList<>(
            List.of(
                () -> writeFile(root.resolve("bin/app"), "#!/bin/sh\n", "rwxr-xr-x"),
                () -> writeFile(root.resolve("lib/a/same.jar"), "jar bytes", "rw-r--r--"),
                () -> writeFile(root.resolve("lib/b/same.jar"), "jar bytes", "rw-r--r--"),
                () -> writeFile(root.resolve(LONG_DIR + "/LICENSE"), "license\n", "rw-r--r--")));
    if (shuffled) {
      java.util.Collections.reverse(steps);
    }
    steps.forEach(Runnable::run);
    Files.createSymbolicLink(root.resolve("bin/sh"), Path.of("app"));
    Files.createSymbolicLink(root.resolve("long-link"), Path.of("/" + LONG_DIR + "/LICENSE"));
    Path jre = Files.createDirectories(t.resolve("jre"));
    writeFile(jre.resolve("release"), "JAVA_VERSION=\"25\"\n", "rw-r--r--");
    if (shuffled) {
      try (var walk = Files.walk(t)) {
        for (Path p : walk.filter(p -> !Files.isSymbolicLink(p)).toList()) {
          Files.setLastModifiedTime(p, FileTime.fromMillis(1_700_000_000_000L));
        }
      }
    }
    return t;
  }

  private static void writeFile(Path p, String content, String perms) {
    try {
      Files.writeString(p, content);
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }
}
