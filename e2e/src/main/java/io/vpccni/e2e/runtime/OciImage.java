package io.vpccni.e2e.runtime;

import io.vpccni.e2e.image.OciLayout;
import io.vpccni.e2e.image.Tar;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A single-layer OCI image holding a static busybox and its applet links, written as an OCI
 * image-layout tarball without any image tool ({@link OciLayout}, the writer of {@code make
 * image}). The harness needs no registry: the tarball is imported into the private containerd with
 * {@code ctr images import}, and the same image serves as the CRI sandbox ("pause") image, its
 * command being a long {@code sleep}.
 *
 * <p>Everything is deterministic (mtime 0, uid 0, fixed order), so the same busybox gives the same
 * digests.
 *
 * @param name the reference containerd records, e.g. {@code localhost/vpccni-e2e/busybox:latest}
 * @param cmd the image config's Cmd
 * @param busybox a statically linked busybox binary to put at /bin/busybox
 */
public record OciImage(String name, List<String> cmd, Path busybox) {

  /** Debian's busybox-static installs here. */
  public static final Path DEFAULT_BUSYBOX = Path.of("/bin/busybox");

  /** The sandbox image: busybox sleeping "forever" (until containerd kills it). */
  public static OciImage pause(String name) {
    return new OciImage(name, List.of("/bin/sleep", "2147483647"), DEFAULT_BUSYBOX);
  }

  static final List<String> APPLETS =
      List.of(
          "sh",
          "ash",
          "ip",
          "ping",
          "sleep",
          "cat",
          "ls",
          "echo",
          "true",
          "false",
          "hostname",
          "ifconfig",
          "route",
          "nc",
          "wget",
          "ps",
          "netstat",
          "mkdir",
          "rm",
          "env");

  /** Why {@code busybox} cannot go in an image (missing, or dynamically linked), or empty. */
  public static Optional<String> busyboxUnavailabilityCause(Path busybox) {
    if (!Files.isRegularFile(busybox)) {
      return Optional.of(busybox + " not found: install busybox-static");
    }
    try {
      if (hasInterpreter(busybox)) {
        return Optional.of(busybox + " is dynamically linked: install busybox-static");
      }
    } catch (IOException e) {
      return Optional.of("cannot read " + busybox + ": " + e.getMessage());
    }
    return Optional.empty();
  }

  /** Writes the image-layout tarball to {@code tarball}. */
  public void writeTo(Path tarball) throws IOException {
    busyboxUnavailabilityCause(busybox)
        .ifPresent(
            cause -> {
              throw new IllegalStateException(cause);
            });
    Path work = Files.createTempDirectory(tarball.toAbsolutePath().getParent(), ".oci-work");
    try {
      new OciLayout(work, null)
          .layer("vpc-cni e2e OciImage", this::rootfs)
          .write(
              tarball,
              name,
              new OciLayout.Config(List.of(), cmd, List.of("PATH=/bin"), "", "/", Map.of(), ""));
    } finally {
      try (var paths = Files.walk(work)) {
        for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  /** Imports the tarball into containerd's {@code k8s.io} namespace (the CRI plugin's). */
  public static void importInto(Path containerdSocket, Path tarball) {
    Command.check(
        Duration.ofSeconds(60),
        "ctr",
        "-a",
        containerdSocket.toString(),
        "-n",
        "k8s.io",
        "images",
        "import",
        tarball.toString());
  }

  private void rootfs(Tar tar) throws IOException {
    for (String dir : List.of("bin", "etc", "proc", "sys", "dev", "root", "run", "var")) {
      tar.directory(dir, 0755);
    }
    tar.directory("tmp", 01777);
    tar.file("bin/busybox", Files.readAllBytes(busybox), 0755);
    for (String applet : APPLETS) {
      tar.symlink("bin/" + applet, "busybox");
    }
    tar.file("etc/passwd", utf8("root:x:0:0:root:/root:/bin/sh\n"), 0644);
    tar.file("etc/group", utf8("root:x:0:\n"), 0644);
    tar.file("etc/hosts", utf8("127.0.0.1 localhost\n"), 0644);
  }

  static String digest(byte[] data) {
    return OciLayout.digestOf(data);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** True when the ELF file has a PT_INTERP program header, i.e. needs a dynamic loader. */
  private static boolean hasInterpreter(Path elf) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(elf.toFile(), "r")) {
      byte[] ident = new byte[16];
      f.readFully(ident);
      if (ident[0] != 0x7f
          || ident[1] != 'E'
          || ident[2] != 'L'
          || ident[3] != 'F'
          || ident[4] != 2) {
        throw new IOException("not a 64-bit ELF file");
      }
      f.seek(0x20);
      long phoff = Long.reverseBytes(f.readLong());
      f.seek(0x36);
      int phentsize = Short.toUnsignedInt(Short.reverseBytes(f.readShort()));
      int phnum = Short.toUnsignedInt(Short.reverseBytes(f.readShort()));
      for (int i = 0; i < phnum; i++) {
        f.seek(phoff + (long) i * phentsize);
        if (Integer.reverseBytes(f.readInt()) == 3) { // PT_INTERP
          return true;
        }
      }
      return false;
    }
  }
}
