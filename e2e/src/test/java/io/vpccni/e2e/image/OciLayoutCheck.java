package io.vpccni.e2e.image;

import io.vpccni.agentapi.Json;
import io.vpccni.agentapi.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Reads an OCI image-layout tarball back and checks it the way a runtime would: index.json names a
 * manifest blob, the manifest names a config and layers, every blob's sha256 and size match its
 * descriptor, each layer's uncompressed sha256 is the config's diff_id, and every layer entry is
 * normalised (mtime 0, uid/gid 0, no duplicate path, hard links to earlier entries). Throws {@link
 * AssertionError} naming the first mismatch. Its tar reader is independent of {@link Tar}.
 */
final class OciLayoutCheck {
  /** One entry of a layer as a tar reader sees it. */
  record Entry(
      String name, char type, long size, long mtime, int uid, int gid, int mode, String link) {}

  /** The checked image. */
  record Image(
      String manifestDigest,
      String refName,
      JsonObject index,
      JsonObject manifest,
      JsonObject config,
      List<Map<String, Entry>> layers) {}

  private OciLayoutCheck() {}

  static Image check(Path tarball) throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    try (InputStream in = Files.newInputStream(tarball)) {
      read(in, (e, data) -> files.put(e.name(), data));
    }
    expect(
        "{\"imageLayoutVersion\":\"1.0.0\"}".equals(utf8(files.get("oci-layout"))),
        "oci-layout is " + utf8(files.get("oci-layout")));
    JsonObject index = Json.parseObject(utf8(files.get("index.json")));
    expect(index.integer("schemaVersion") == 2, "index schemaVersion");
    expect(index.objects("manifests").size() == 1, "index has one manifest");
    JsonObject md = index.objects("manifests").get(0);
    expect(OciLayout.MANIFEST_MEDIA_TYPE.equals(md.string("mediaType")), "manifest mediaType");
    String manifestJson = utf8(blob(files, md));
    JsonObject manifest = Json.parseObject(manifestJson);
    expect(manifest.integer("schemaVersion") == 2, "manifest schemaVersion");
    JsonObject cd = manifest.object("config");
    expect(OciLayout.CONFIG_MEDIA_TYPE.equals(cd.string("mediaType")), "config mediaType");
    JsonObject config = Json.parseObject(utf8(blob(files, cd)));
    List<String> diffIds = config.object("rootfs").strings("diff_ids");
    List<JsonObject> layerDescriptors = manifest.objects("layers");
    expect(
        diffIds.size() == layerDescriptors.size() && diffIds.size() > 0,
        "as many diff_ids as layers");
    expect(config.list("history").size() == layerDescriptors.size(), "one history entry per layer");
    List<Map<String, Entry>> layers = new ArrayList<>();
    for (int i = 0; i < layerDescriptors.size(); i++) {
      JsonObject ld = layerDescriptors.get(i);
      expect(OciLayout.LAYER_MEDIA_TYPE.equals(ld.string("mediaType")), "layer mediaType");
      byte[] tar;
      try (InputStream gz = new GZIPInputStream(new ByteArrayInputStream(blob(files, ld)))) {
        tar = gz.readAllBytes();
      }
      expect(
          OciLayout.digestOf(tar).equals(diffIds.get(i)),
          "layer " + i + " uncompressed digest is diff_id " + diffIds.get(i));
      layers.add(entries(tar, i));
    }
    // every file under blobs/sha256 is referenced
    Set<String> referenced = new HashSet<>();
    referenced.add(md.string("digest"));
    referenced.add(cd.string("digest"));
    layerDescriptors.forEach(l -> referenced.add(l.string("digest")));
    for (String name : files.keySet()) {
      if (name.startsWith("blobs/sha256/") && !name.endsWith("/")) {
        expect(
            referenced.contains("sha256:" + name.substring("blobs/sha256/".length())),
            "unreferenced blob " + name);
      }
    }
    return new Image(
        md.string("digest"),
        md.object("annotations").string("org.opencontainers.image.ref.name"),
        index,
        manifest,
        config,
        layers);
  }

  private static Map<String, Entry> entries(byte[] tar, int layer) throws IOException {
    Map<String, Entry> entries = new LinkedHashMap<>();
    read(
        new ByteArrayInputStream(tar),
        (e, data) -> {
          String where = "layer " + layer + " entry " + e.name();
          expect(e.mtime() == 0 && e.uid() == 0 && e.gid() == 0, where + " is not normalised");
          expect(entries.put(e.name(), e) == null, where + " appears twice");
          if (e.type() == '1') {
            expect(entries.containsKey(e.link()), where + " links to a later or absent entry");
          }
        });
    return entries;
  }

  private interface Visitor {
    void visit(Entry e, byte[] data) throws IOException;
  }

  /** A ustar reader that honours PAX {@code path} and {@code linkpath}. */
  private static void read(InputStream in, Visitor visitor) throws IOException {
    Map<String, String> pax = Map.of();
    while (true) {
      byte[] h = in.readNBytes(512);
      expect(h.length == 512, "truncated tar");
      if (isZero(h)) {
        return;
      }
      String name = field(h, 0, 100);
      String prefix = field(h, 345, 155);
      if (!prefix.isEmpty()) {
        name = prefix + "/" + name;
      }
      char type = (char) h[156];
      long size = Long.parseLong(field(h, 124, 12).trim(), 8);
      byte[] data = in.readNBytes((int) size);
      in.readNBytes((int) ((512 - size % 512) % 512));
      if (type == 'x') {
        pax = paxRecords(data);
        continue;
      }
      String link = field(h, 157, 100);
      name = pax.getOrDefault("path", name);
      link = pax.getOrDefault("linkpath", link);
      pax = Map.of();
      visitor.visit(
          new Entry(
              name,
              type,
              size,
              Long.parseLong(field(h, 136, 12).trim(), 8),
              Integer.parseInt(field(h, 108, 8).trim(), 8),
              Integer.parseInt(field(h, 116, 8).trim(), 8),
              Integer.parseInt(field(h, 100, 8).trim(), 8),
              link),
          data);
    }
  }

  private static Map<String, String> paxRecords(byte[] data) {
    Map<String, String> records = new LinkedHashMap<>();
    int i = 0;
    while (i < data.length) {
      int space = indexOf(data, (byte) ' ', i);
      int length = Integer.parseInt(new String(data, i, space - i, StandardCharsets.US_ASCII));
      String record = new String(data, space + 1, length - (space - i) - 2, StandardCharsets.UTF_8);
      int eq = record.indexOf('=');
      records.put(record.substring(0, eq), record.substring(eq + 1));
      i += length;
    }
    return records;
  }

  private static int indexOf(byte[] data, byte b, int from) {
    for (int i = from; i < data.length; i++) {
      if (data[i] == b) {
        return i;
      }
    }
    throw new AssertionError("bad PAX record");
  }

  private static byte[] blob(Map<String, byte[]> files, JsonObject descriptor) {
    String digest = descriptor.string("digest");
    expect(digest.startsWith("sha256:"), "digest " + digest);
    byte[] blob = files.get("blobs/sha256/" + digest.substring("sha256:".length()));
    expect(blob != null, "blob " + digest + " is missing");
    expect(OciLayout.digestOf(blob).equals(digest), "blob " + digest + " has another sha256");
    expect(
        blob.length == descriptor.integer("size"),
        "blob " + digest + " is " + blob.length + " bytes, not " + descriptor.integer("size"));
    return blob;
  }

  private static String field(byte[] h, int offset, int length) {
    int end = offset;
    while (end < offset + length && h[end] != 0) {
      end++;
    }
    return new String(h, offset, end - offset, StandardCharsets.UTF_8);
  }

  private static boolean isZero(byte[] block) {
    for (byte b : block) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private static String utf8(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  private static void expect(boolean ok, String what) {
    if (!ok) {
      throw new AssertionError("invalid OCI image layout: " + what);
    }
  }
}
