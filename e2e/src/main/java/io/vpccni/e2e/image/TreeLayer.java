package io.vpccni.e2e.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A directory tree as a layer, placed under {@code prefix} in the image ({@code ""} for the root):
 * entries in byte order of their path, owner root, mtime 0, permission bits as on disk (with
 * set-uid, set-gid and sticky). Regular files with the same content and mode are written once and
 * then as hard links: dist/ holds the same jars under lib/agent, lib/controller and lib/cli.
 *
 * <p>Ownership is not carried over on purpose: the trees are unpacked .debs and our own build
 * output, all meant to be owned by root, and whoever unpacked them (root or not) must not change
 * the digest.
 */
public record TreeLayer(Path root, String prefix, Predicate<String> exclude)
    implements OciLayout.LayerContent {

  /** The whole tree, nothing excluded. */
  public TreeLayer(Path root, String prefix) {
    this(root, prefix, p -> false);
  }

  @Override
  public void writeTo(Tar tar) throws IOException {
    if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(root + " is not a directory");
    }
    String base = prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
    if (!base.isEmpty()) {
      // the prefix's own directories, so the layer unpacks anywhere
      String[] parts = base.split("/");
      StringBuilder dir = new StringBuilder();
      for (String part : parts) {
        dir.append(part).append('/');
        tar.directory(dir.toString(), 0755);
      }
    }
    Map<String, String> firstByContent = new HashMap<>();
    for (String relative : sortedEntries()) {
      Path p = root.resolve(relative);
      PosixFileAttributes a =
          Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      String name = base + relative;
      int mode = mode(p, a.permissions());
      if (a.isSymbolicLink()) {
        tar.symlink(name, Files.readSymbolicLink(p).toString());
      } else if (a.isDirectory()) {
        tar.directory(name, mode);
      } else if (a.isRegularFile()) {
        String key = OciLayout.digestOf(p) + " " + mode;
        String first = firstByContent.putIfAbsent(key, name);
        if (first != null) {
          tar.hardlink(name, first, mode);
        } else {
          tar.file(name, p, a.size(), mode);
        }
      } else {
        throw new IOException(p + " is neither a file, a directory nor a symlink");
      }
    }
  }

  /** Relative paths of every entry, parents before children, in byte order. */
  private List<String> sortedEntries() throws IOException {
    List<String> names = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(root)) {
      walk.filter(p -> !p.equals(root))
          .map(p -> root.relativize(p).toString())
          .filter(r -> !exclude.test(r))
          .forEach(names::add);
    }
    // Sorting whole relative paths keeps a directory before its entries ("a" < "a/b"), and byte
    // order does not depend on the locale.
    names.sort(TreeLayer::compareBytes);
    return names;
  }

  private static int compareBytes(String a, String b) {
    return java.util.Arrays.compare(
        a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private static int mode(Path p, Set<PosixFilePermission> permissions) throws IOException {
    int mode = 0;
    for (PosixFilePermission perm : permissions) {
      mode |= 1 << (8 - perm.ordinal());
    }
    // set-uid, set-gid and sticky bits are not in PosixFilePermission
    Object unixMode = Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    return mode | (((Integer) unixMode) & 07000);
  }
}
