package io.vpccni.e2e.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;

/**
 * Writes an OCI image layout (image-spec 1.0: {@code oci-layout}, {@code index.json}, {@code
 * blobs/sha256/}) as one tarball, the form {@code ctr images import}, {@code skopeo copy
 * oci-archive:} and {@code crane push} take. One manifest, gzip layers, no tool but the JDK.
 *
 * <p>Deterministic: layer tars are normalised by {@link Tar} and {@link TreeLayer}, gzip writes
 * mtime 0, JSON keys are written in a fixed order and the blobs in digest order; so the same inputs
 * give the same manifest digest. Layers are staged in a temporary directory (they can be hundreds
 * of MB); with a blob cache, a layer whose uncompressed digest was gzipped before is not gzipped
 * again.
 */
public final class OciLayout {
  static final String LAYER_MEDIA_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";
  static final String CONFIG_MEDIA_TYPE = "application/vnd.oci.image.config.v1+json";
  static final String MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";
  static final String INDEX_MEDIA_TYPE = "application/vnd.oci.image.index.v1+json";

  /** Writes one layer's entries. */
  @FunctionalInterface
  public interface LayerContent {
    void writeTo(Tar tar) throws IOException;
  }

  /**
   * The image config's {@code config} object and metadata.
   *
   * @param entrypoint Entrypoint, empty for none
   * @param cmd Cmd
   * @param env Env, {@code NAME=value} each
   * @param user User ({@code uid:gid}), empty for root
   * @param workingDir WorkingDir
   * @param labels Labels, written sorted by key
   * @param created the config's {@code created} (RFC 3339), empty to leave it out
   */
  public record Config(
      List<String> entrypoint,
      List<String> cmd,
      List<String> env,
      String user,
      String workingDir,
      Map<String, String> labels,
      String created) {}

  /** A written layer: its gzip blob and the digest of its uncompressed tar (the diff_id). */
  private record Layer(Path gz, String digest, long size, String diffId, String comment) {}

  /** What {@link #write} produced. */
  public record Written(String manifestDigest, String configDigest, List<String> layerDigests) {}

  private final Path workDir;
  private final Path blobCache;
  private final List<Layer> layers = new ArrayList<>();

  /**
   * @param workDir an existing directory for staged layers (the caller removes it)
   * @param blobCache a directory that keeps gzipped layers by diff_id across builds, or null
   */
  public OciLayout(Path workDir, Path blobCache) {
    this.workDir = workDir;
    this.blobCache = blobCache;
  }

  /** Adds a layer; {@code comment} goes into the config's history. */
  public OciLayout layer(String comment, LayerContent content) throws IOException {
    Path tarFile = workDir.resolve("layer-" + layers.size() + ".tar");
    MessageDigest tarDigest = sha256();
    try (OutputStream out =
        new DigestOutputStream(
            new java.io.BufferedOutputStream(Files.newOutputStream(tarFile), 1 << 16), tarDigest)) {
      Tar tar = new Tar(out);
      content.writeTo(tar);
      tar.finish();
    }
    String diffId = "sha256:" + HexFormat.of().formatHex(tarDigest.digest());
    Path gz = null;
    if (blobCache != null) {
      Path cached = blobCache.resolve(diffId.substring("sha256:".length()) + ".tar.gz");
      if (Files.isRegularFile(cached)) {
        gz = cached;
        // the cache is pruned by age of last use (scripts/make-image.sh)
        Files.setLastModifiedTime(
            cached, java.nio.file.attribute.FileTime.from(java.time.Instant.now()));
      }
    }
    if (gz == null) {
      gz = workDir.resolve("layer-" + layers.size() + ".tar.gz");
      try (InputStream in = Files.newInputStream(tarFile);
          OutputStream out =
              new GZIPOutputStream(
                  new java.io.BufferedOutputStream(Files.newOutputStream(gz), 1 << 16), 1 << 16)) {
        // GZIPOutputStream writes mtime 0 and no file name, so the blob depends on the tar only.
        in.transferTo(out);
      }
      if (blobCache != null) {
        Files.createDirectories(blobCache);
        Path cached = blobCache.resolve(diffId.substring("sha256:".length()) + ".tar.gz");
        Path tmp = Files.createTempFile(blobCache, ".layer", ".tmp");
        Files.copy(gz, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, cached, StandardCopyOption.ATOMIC_MOVE);
      }
    }
    Files.delete(tarFile);
    layers.add(new Layer(gz, digestOf(gz), Files.size(gz), diffId, comment));
    return this;
  }

  /**
   * Writes the image-layout tarball.
   *
   * @param name the reference recorded in the index ({@code io.containerd.image.name}), e.g. {@code
   *     ghcr.io/vpc-cni/vpc-cni:0.1.0}; its tag becomes {@code org.opencontainers.image.ref.name}
   */
  public Written write(Path tarball, String name, Config config) throws IOException {
    String architecture = ociArchitecture();
    String configJson =
        obj(
            field("architecture", str(architecture)),
            config.created().isEmpty() ? null : field("created", str(config.created())),
            field("os", str("linux")),
            field(
                "config",
                obj(
                    config.user().isEmpty() ? null : field("User", str(config.user())),
                    field("Env", arr(config.env())),
                    config.entrypoint().isEmpty()
                        ? null
                        : field("Entrypoint", arr(config.entrypoint())),
                    field("Cmd", arr(config.cmd())),
                    field("WorkingDir", str(config.workingDir())),
                    field("Labels", map(config.labels())))),
            field(
                "rootfs",
                obj(
                    field("type", str("layers")),
                    field("diff_ids", arr(layers.stream().map(Layer::diffId).toList())))),
            field(
                "history",
                "["
                    + layers.stream()
                        .map(l -> obj(field("created_by", str(l.comment()))))
                        .collect(Collectors.joining(","))
                    + "]"));
    byte[] configBytes = utf8(configJson);
    String configDigest = digestOf(configBytes);
    String manifest =
        obj(
            field("schemaVersion", "2"),
            field("mediaType", str(MANIFEST_MEDIA_TYPE)),
            field("config", descriptor(CONFIG_MEDIA_TYPE, configDigest, configBytes.length)),
            field(
                "layers",
                "["
                    + layers.stream()
                        .map(l -> descriptor(LAYER_MEDIA_TYPE, l.digest(), l.size()))
                        .collect(Collectors.joining(","))
                    + "]"),
            field("annotations", map(imageAnnotations(config.labels()))));
    byte[] manifestBytes = utf8(manifest);
    String manifestDigest = digestOf(manifestBytes);
    String index =
        obj(
            field("schemaVersion", "2"),
            field("mediaType", str(INDEX_MEDIA_TYPE)),
            field(
                "manifests",
                "["
                    + obj(
                        field("mediaType", str(MANIFEST_MEDIA_TYPE)),
                        field("digest", str(manifestDigest)),
                        field("size", Long.toString(manifestBytes.length)),
                        field(
                            "platform",
                            obj(
                                field("architecture", str(architecture)),
                                field("os", str("linux")))),
                        field(
                            "annotations",
                            map(
                                Map.of(
                                    "io.containerd.image.name",
                                    name,
                                    "org.opencontainers.image.ref.name",
                                    tag(name)))))
                    + "]"));

    SortedMap<String, Object> blobs = new TreeMap<>();
    blobs.put(hex(configDigest), configBytes);
    blobs.put(hex(manifestDigest), manifestBytes);
    for (Layer l : layers) {
      blobs.put(hex(l.digest()), l.gz());
    }
    Path tmp = tarball.resolveSibling("." + tarball.getFileName() + ".tmp");
    try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
      Tar tar = new Tar(out);
      tar.file("oci-layout", utf8("{\"imageLayoutVersion\":\"1.0.0\"}"), 0644);
      tar.file("index.json", utf8(index), 0644);
      tar.directory("blobs", 0755);
      tar.directory("blobs/sha256", 0755);
      for (Map.Entry<String, Object> blob : blobs.entrySet()) {
        String path = "blobs/sha256/" + blob.getKey();
        switch (blob.getValue()) {
          case byte[] bytes -> tar.file(path, bytes, 0644);
          case Path file -> tar.file(path, file, Files.size(file), 0644);
          default -> throw new IllegalStateException();
        }
      }
      tar.finish();
    }
    Files.move(tmp, tarball, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return new Written(manifestDigest, configDigest, layers.stream().map(Layer::digest).toList());
  }

  /** The OCI annotations a manifest repeats from the config's labels (version, revision…). */
  private static Map<String, String> imageAnnotations(Map<String, String> labels) {
    Map<String, String> a = new TreeMap<>();
    labels.forEach(
        (k, v) -> {
          if (k.startsWith("org.opencontainers.image.")) {
            a.put(k, v);
          }
        });
    return a;
  }

  static String tag(String name) {
    int slash = name.lastIndexOf('/');
    int colon = name.lastIndexOf(':');
    return colon > slash ? name.substring(colon + 1) : "latest";
  }

  static String ociArchitecture() {
    return switch (System.getProperty("os.arch")) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      case String other -> other;
    };
  }

  private static String descriptor(String mediaType, String digest, long size) {
    return obj(
        field("mediaType", str(mediaType)),
        field("digest", str(digest)),
        field("size", Long.toString(size)));
  }

  public static String digestOf(byte[] data) {
    return "sha256:" + HexFormat.of().formatHex(sha256().digest(data));
  }

  public static String digestOf(Path file) throws IOException {
    MessageDigest md = sha256();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return "sha256:" + HexFormat.of().formatHex(md.digest());
  }

  private static String hex(String digest) {
    return digest.substring("sha256:".length());
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }

  // A JSON writer just big enough for image configs, manifests and indexes: fields in the order
  // given (null fields left out), maps sorted by key.

  private static String field(String key, String json) {
    return str(key) + ":" + json;
  }

  private static String obj(String... fields) {
    StringBuilder s = new StringBuilder("{");
    for (String f : fields) {
      if (f != null) {
        s.append(s.length() > 1 ? "," : "").append(f);
      }
    }
    return s.append('}').toString();
  }

  private static String arr(List<String> values) {
    return values.stream().map(OciLayout::str).collect(Collectors.joining(",", "[", "]"));
  }

  private static String map(Map<String, String> values) {
    return new TreeMap<>(values)
        .entrySet().stream()
            .map(e -> field(e.getKey(), str(e.getValue())))
            .collect(Collectors.joining(",", "{", "}"));
  }

  /** A JSON string literal. */
  static String str(String value) {
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

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
