package io.vpccni.e2e.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Writes an OCI image-layout tarball from directory trees, one layer each ({@code
 * scripts/make-image.sh} calls it for {@code make image}):
 *
 * <pre>
 * ImageMain --out FILE --name REF [--blob-cache DIR] [--exclude REGEX]
 *           --layer DIR:PREFIX:COMMENT ...   (PREFIX "" for the image root)
 *           [--env K=V ...] [--label K=V ...] [--cmd ARG ...] [--entrypoint ARG ...]
 *           [--user UID:GID] [--workdir DIR] [--created RFC3339]
 * </pre>
 *
 * Prints the manifest digest, the config digest and each layer's digest.
 */
public final class ImageMain {
  private ImageMain() {}

  private record LayerArg(Path dir, String prefix, String comment) {}

  public static void main(String[] args) throws IOException {
    Path out = null;
    String name = null;
    Path blobCache = null;
    Pattern exclude = null;
    List<LayerArg> layers = new ArrayList<>();
    List<String> env = new ArrayList<>();
    List<String> cmd = new ArrayList<>();
    List<String> entrypoint = new ArrayList<>();
    Map<String, String> labels = new LinkedHashMap<>();
    String user = "";
    String workdir = "/";
    String created = "";
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (i + 1 >= args.length) {
        usage("missing value of " + flag);
      }
      String v = args[++i];
      switch (flag) {
        case "--out" -> out = Path.of(v);
        case "--name" -> name = v;
        case "--blob-cache" -> blobCache = Path.of(v);
        case "--exclude" -> exclude = Pattern.compile(v);
        case "--layer" -> {
          String[] parts = v.split(":", 3);
          if (parts.length != 3) {
            usage("--layer wants DIR:PREFIX:COMMENT, not " + v);
          }
          layers.add(new LayerArg(Path.of(parts[0]), parts[1], parts[2]));
        }
        case "--env" -> env.add(v);
        case "--label" -> {
          int eq = v.indexOf('=');
          if (eq < 1) {
            usage("--label wants KEY=VALUE, not " + v);
          }
          labels.put(v.substring(0, eq), v.substring(eq + 1));
        }
        case "--cmd" -> cmd.add(v);
        case "--entrypoint" -> entrypoint.add(v);
        case "--user" -> user = v;
        case "--workdir" -> workdir = v;
        case "--created" -> created = v;
        default -> usage("unknown flag " + flag);
      }
    }
    if (out == null || name == null || layers.isEmpty()) {
      usage("--out, --name and at least one --layer are required");
    }
    Path work = Files.createTempDirectory(out.toAbsolutePath().getParent(), ".image-work");
    try {
      OciLayout layout = new OciLayout(work, blobCache);
      Pattern excluded = exclude;
      for (LayerArg l : layers) {
        layout.layer(
            l.comment(),
            new TreeLayer(
                l.dir(), l.prefix(), r -> excluded != null && excluded.matcher(r).matches()));
      }
      OciLayout.Written w =
          layout.write(
              out,
              name,
              new OciLayout.Config(entrypoint, cmd, env, user, workdir, labels, created));
      System.out.println("manifest " + w.manifestDigest());
      System.out.println("config " + w.configDigest());
      for (int i = 0; i < layers.size(); i++) {
        System.out.println("layer " + w.layerDigests().get(i) + " " + layers.get(i).comment());
      }
    } finally {
      OciLayout.deleteTree(work);
    }
  }

  private static void usage(String problem) {
    System.err.println("image: " + problem);
    System.err.println(
        "usage: ImageMain --out FILE --name REF [--blob-cache DIR] [--exclude REGEX]"
            + " --layer DIR:PREFIX:COMMENT... [--env K=V] [--label K=V] [--cmd ARG]"
            + " [--entrypoint ARG] [--user U] [--workdir D] [--created T]");
    System.exit(2);
  }
}
