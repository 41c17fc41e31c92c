package io.vpccni.e2e.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;

/**
 * A single-layer OCI image holding a static busybox and its applet links, written as an OCI
 * image-layout tarball without any image tool: tar, gzip and sha256 by hand. The harness needs no
 * registry: the tarball is imported into the private containerd with {@code ctr images import}, and
 * the same image serves as the CRI sandbox ("pause") image, its command being a long {@code sleep}.
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

  private static final String LAYER_MEDIA_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";
  private static final String CONFIG_MEDIA_TYPE = "application/vnd.oci.image.config.v1+json";
  private static final String MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";
  private static final String INDEX_MEDIA_TYPE = "application/vnd.oci.image.index.v1+json";

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
    byte[] layerTar = rootfs();
    byte[] layerGz = gzip(layerTar);
    Map<String, byte[]> blobs = new LinkedHashMap<>();

    String config =
        "{\"architecture\":"
            + json(ociArchitecture())
            + ",\"os\":\"linux\","
            + "\"config\":{\"Cmd\":"
            + jsonArray(cmd)
            + ",\"Env\":[\"PATH=/bin\"],\"WorkingDir\":\"/\"},"
            + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":["
            + json(digest(layerTar))
            + "]},"
            + "\"history\":[{\"created_by\":\"vpc-cni e2e OciImage\"}]}";
    byte[] configBytes = utf8(config);
    String manifest =
        "{\"schemaVersion\":2,\"mediaType\":"
            + json(MANIFEST_MEDIA_TYPE)
            + ","
            + "\"config\":"
            + descriptor(CONFIG_MEDIA_TYPE, configBytes)
            + ","
            + "\"layers\":["
            + descriptor(LAYER_MEDIA_TYPE, layerGz)
            + "]}";
    byte[] manifestBytes = utf8(manifest);
    String index =
        "{\"schemaVersion\":2,\"mediaType\":"
            + json(INDEX_MEDIA_TYPE)
            + ","
            + "\"manifests\":[{\"mediaType\":"
            + json(MANIFEST_MEDIA_TYPE)
            + ","
            + "\"digest\":"
            + json(digest(manifestBytes))
            + ",\"size\":"
            + manifestBytes.length
            + ","
            + "\"platform\":{\"architecture\":"
            + json(ociArchitecture())
            + ",\"os\":\"linux\"},"
            + "\"annotations\":{\"io.containerd.image.name\":"
            + json(name)
            + ","
            + "\"org.opencontainers.image.ref.name\":"
            + json(tag())
            + "}}]}";
    for (byte[] blob : List.of(layerGz, configBytes, manifestBytes)) {
      blobs.put(digest(blob).substring("sha256:".length()), blob);
    }

    try (OutputStream out = Files.newOutputStream(tarball)) {
      Tar tar = new Tar(out);
      tar.file("oci-layout", utf8("{\"imageLayoutVersion\":\"1.0.0\"}"), 0644);
      tar.file("index.json", utf8(index), 0644);
      tar.directory("blobs", 0755);
      tar.directory("blobs/sha256", 0755);
      for (Map.Entry<String, byte[]> blob : blobs.entrySet()) {
        tar.file("blobs/sha256/" + blob.getKey(), blob.getValue(), 0644);
      }
      tar.finish();
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

  private String tag() {
    int slash = name.lastIndexOf('/');
    int colon = name.lastIndexOf(':');
    return colon > slash ? name.substring(colon + 1) : "latest";
  }

  private byte[] rootfs() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Tar tar = new Tar(bytes);
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
    tar.finish();
    return bytes.toByteArray();
  }

  private static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    // GZIPOutputStream writes mtime 0, so the layer digest is stable.
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      gz.write(data);
    }
    return bytes.toByteArray();
  }

  private static String descriptor(String mediaType, byte[] blob) {
    return "{\"mediaType\":"
        + json(mediaType)
        + ",\"digest\":"
        + json(digest(blob))
        + ",\"size\":"
        + blob.length
        + "}";
  }

  static String digest(byte[] data) {
    try {
      return "sha256:"
          + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }

  private static String ociArchitecture() {
    return switch (System.getProperty("os.arch")) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      case String other -> other;
    };
  }

  private static String jsonArray(List<String> values) {
    return values.stream().map(OciImage::json).collect(Collectors.joining(",", "[", "]"));
  }

  /** A JSON string literal; image names, commands and digests need only these escapes. */
  private static String json(String value) {
    StringBuilder s = new StringBuilder("\"");
    for (char c : value.toCharArray()) {
      switch (c) {
        case '"' -> s.append("\\\"");
        case '\\' -> s.append("\\\\");
        default -> {
          if (c < 0x20) {
            s.append(String.format("\\u%04x", (int) c));
          } else {
            s.append(c);
          }
        }
      }
    }
    return s.append('"').toString();
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

  /** A ustar writer for the few entry kinds an image needs: files, directories, symlinks. */
  private static final class Tar {
    private static final int BLOCK = 512;
    private final OutputStream out;

    Tar(OutputStream out) {
      this.out = out;
    }

    void file(String path, byte[] data, int mode) throws IOException {
      header(path, mode, data.length, '0', "");
      out.write(data);
      int pad = (BLOCK - data.length % BLOCK) % BLOCK;
      out.write(new byte[pad]);
    }

    void directory(String path, int mode) throws IOException {
      header(path + "/", mode, 0, '5', "");
    }

    void symlink(String path, String target) throws IOException {
      header(path, 0777, 0, '2', target);
    }

    void finish() throws IOException {
      out.write(new byte[2 * BLOCK]);
      out.flush();
    }

    private void header(String path, int mode, long size, char type, String link)
        throws IOException {
      byte[] h = new byte[BLOCK];
      put(h, 0, 100, path);
      octal(h, 100, 8, mode);
      octal(h, 108, 8, 0); // uid
      octal(h, 116, 8, 0); // gid
      octal(h, 124, 12, size);
      octal(h, 136, 12, 0); // mtime
      h[156] = (byte) type;
      put(h, 157, 100, link);
      put(h, 257, 6, "ustar");
      put(h, 263, 2, "00");
      put(h, 265, 32, "root");
      put(h, 297, 32, "root");
      // The checksum is computed with its own field read as eight spaces.
      for (int i = 148; i < 156; i++) {
        h[i] = ' ';
      }
      long sum = 0;
      for (byte b : h) {
        sum += b & 0xff;
      }
      String chk = String.format("%06o", sum);
      put(h, 148, 6, chk);
      h[154] = 0;
      h[155] = ' ';
      out.write(h);
    }

    private static void put(byte[] h, int offset, int length, String value) {
      byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
      if (bytes.length > length) {
        throw new IllegalArgumentException("tar field too long: " + value);
      }
      System.arraycopy(bytes, 0, h, offset, bytes.length);
    }

    /** Octal digits, zero-padded, NUL-terminated, filling the field. */
    private static void octal(byte[] h, int offset, int length, long value) {
      put(h, offset, length - 1, String.format("%0" + (length - 1) + "o", value));
    }
  }
}
