package io.vpccni.e2e.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A tar writer for the entry kinds an image layer needs: files, directories, symlinks and hard
 * links. Every header is normalised (mtime 0, uid and gid 0, owner names root) so the same tree
 * gives the same bytes. Names and link targets that do not fit ustar's fields get a PAX extended
 * header ({@code path=}, {@code linkpath=}), which containerd, podman and GNU tar all read.
 */
public final class Tar {
  private static final int BLOCK = 512;
  private final OutputStream out;

  public Tar(OutputStream out) {
    this.out = out;
  }

  public void file(String path, byte[] data, int mode) throws IOException {
    header(path, mode, data.length, '0', "");
    out.write(data);
    pad(data.length);
  }

  /** A regular file whose content is streamed from {@code source} ({@code size} bytes). */
  public void file(String path, Path source, long size, int mode) throws IOException {
    header(path, mode, size, '0', "");
    long copied;
    try (InputStream in = Files.newInputStream(source)) {
      copied = in.transferTo(out);
    }
    if (copied != size) {
      throw new IOException(source + " changed while it was archived");
    }
    pad(size);
  }

  public void directory(String path, int mode) throws IOException {
    header(path.endsWith("/") ? path : path + "/", mode, 0, '5', "");
  }

  public void symlink(String path, String target) throws IOException {
    header(path, 0777, 0, '2', target);
  }

  /** A hard link to {@code target}, an entry written earlier in the same archive. */
  public void hardlink(String path, String target, int mode) throws IOException {
    header(path, mode, 0, '1', target);
  }

  public void finish() throws IOException {
    out.write(new byte[2 * BLOCK]);
    out.flush();
  }

  private void pad(long size) throws IOException {
    out.write(new byte[(int) ((BLOCK - size % BLOCK) % BLOCK)]);
  }

  private void header(String path, int mode, long size, char type, String link) throws IOException {
    byte[] name = path.getBytes(StandardCharsets.UTF_8);
    byte[] linkName = link.getBytes(StandardCharsets.UTF_8);
    if (name.length > 100 || linkName.length > 100) {
      StringBuilder pax = new StringBuilder();
      if (name.length > 100) {
        pax.append(paxRecord("path", path));
      }
      if (linkName.length > 100) {
        pax.append(paxRecord("linkpath", link));
      }
      byte[] records = pax.toString().getBytes(StandardCharsets.UTF_8);
      out.write(block("PaxHeaders/" + truncate(path, 80), 0644, records.length, 'x', ""));
      out.write(records);
      pad(records.length);
    }
    out.write(block(truncate(path, 100), mode, size, type, truncate(link, 100)));
  }

  /** A PAX record: its decimal length (counting itself) and {@code key=value\n}. */
  static String paxRecord(String key, String value) {
    int body = (" " + key + "=" + value + "\n").getBytes(StandardCharsets.UTF_8).length;
    int length = body + Integer.toString(body).length();
    if (Integer.toString(length).length() != Integer.toString(body).length()) {
      length++;
    }
    return length + " " + key + "=" + value + "\n";
  }

  /** The leading bytes of {@code s} that fit in {@code max} bytes, on a character boundary. */
  private static String truncate(String s, int max) {
    String t = s;
    while (t.getBytes(StandardCharsets.UTF_8).length > max) {
      t = t.substring(0, t.length() - 1);
    }
    return t;
  }

  private static byte[] block(String path, int mode, long size, char type, String link) {
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
    put(h, 148, 6, String.format("%06o", sum));
    h[154] = 0;
    h[155] = ' ';
    return h;
  }

  private static void put(byte[] h, int offset, int length, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > length) {
      throw new IllegalArgumentException("tar field too long: " + value);
    }
    System.arraycopy(bytes, 0, h, offset, bytes.length);
  }

  /** Octal digits, zero-padded, NUL-terminated, filling the field. */
  private static void octal(byte[] h, int offset, int length, long value) {
    String digits = Long.toOctalString(value);
    if (digits.length() > length - 1) {
      throw new IllegalArgumentException("tar field overflow: " + value);
    }
    put(h, offset, length - 1, "0".repeat(length - 1 - digits.length()) + digits);
  }
}
