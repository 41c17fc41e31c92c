package io.vpccni.e2e.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.e2e.runtime.Command;
import io.vpccni.e2e.runtime.Containerd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The image {@code make image} builds runs what the Helm chart runs: built by {@code
 * scripts/make-image.sh} from this build's dist/, checked as an OCI layout, imported into the
 * harness's private containerd and run with {@code ctr run} (read-only root filesystem, /tmp
 * mounted, as in the chart): agent, controller and CLI answer {@code --version} and {@code --help},
 * {@code nft} runs, and the chart's own install-cni script copies the CNI binary and its runtime
 * into a host directory, where the copy answers {@code CNI_COMMAND=VERSION} when exec'd on the
 * host.
 *
 * <p>No packets: every container gets a new network namespace with only {@code lo} (ctr's default),
 * and containerd runs in the run's node namespace, which has no link to the host.
 */
@Tag("e2e")
@Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PrivilegedVpcCniImageTest {
  private static final Path ROOT = Path.of(System.getProperty("vpccni.root", "."));
  private static final String DIST_DIR = "/opt/vpc-cni";
  private static final String CTR_NAMESPACE = "e2e-image";
  private static final String CONF_NAME = "10-vpc-cni.conflist";

  @Test
  void imageRunsEveryCommandOfTheChartAndItsInstallerInstallsAWorkingCniBinary() throws Exception {
    for (String f :
        List.of("dist/bin/vpc-cni-agent", "dist/cni/vpc-cni", "scripts/make-image.sh")) {
      Assumptions.assumeTrue(
          Files.exists(ROOT.resolve(f)), ROOT.resolve(f) + " missing: make build");
    }
    Containerd.unavailabilityCause().ifPresent(Assumptions::abort);
    Containerd containerd =
        Containerd.start(Containerd.Options.defaults().withLogCopyDir(Path.of("target/e2e-logs")));
    try (containerd) {
      Path scratch = containerd.scratchDir("image");
      Path tarball = scratch.resolve("vpc-cni-oci.tar");
      String name = "localhost/" + containerd.runId() + "/vpc-cni:test";

      long t0 = System.nanoTime();
      Command.Result built =
          Command.check(
              Duration.ofSeconds(240),
              ROOT.resolve("scripts/make-image.sh").toString(),
              "--out",
              tarball.toString(),
              "--name",
              name);
      long t1 = System.nanoTime();
      OciLayoutCheck.Image image = OciLayoutCheck.check(tarball);
      var config = image.config().object("config");
      assertThat(config.strings("Env")).contains("JAVA_HOME=" + DIST_DIR + "/jre");
      assertThat(config.string("User")).isEqualTo("65532:65532");
      var labels = config.object("Labels");
      assertThat(labels.string("org.opencontainers.image.version")).isEqualTo(pomVersion());
      assertThat(labels.string("org.opencontainers.image.revision"))
          .startsWith(
              Command.check(
                      Duration.ofSeconds(10), "git", "-C", ROOT.toString(), "rev-parse", "HEAD")
                  .stdout()
                  .strip());
      assertThat(image.layers()).hasSize(3);
      assertThat(image.layers().get(2))
          .containsKeys(
              "opt/vpc-cni/bin/vpc-cni-agent",
              "opt/vpc-cni/bin/vpc-cni-controller",
              "opt/vpc-cni/bin/vpc-cni-cli",
              "opt/vpc-cni/cni/vpc-cni",
              "opt/vpc-cni/cni/vpc-cni.d/vpc-cni.aot")
          .doesNotContainKey("opt/vpc-cni/bin/vpc-cni-emulator");

      Command.check(
          Duration.ofSeconds(120),
          "ctr",
          "-a",
          containerd.socket().toString(),
          "-n",
          CTR_NAMESPACE,
          "images",
          "import",
          tarball.toString());
      long t2 = System.nanoTime();

      Runner ctr = new Runner(containerd, name, scratch);
      String version = pomVersion();
      // One container for all the commands (each container costs a runc start): set -e makes the
      // first failing command fail the container, and each announces itself first.
      String out =
          ctr.run(
              List.of(),
              "/bin/sh",
              "-ec",
              String.join(
                  "\n",
                  "echo \"uid=$(id -u) JAVA_HOME=$JAVA_HOME\"",
                  "for c in vpc-cni-agent vpc-cni-controller; do",
                  "  for a in --version --help; do",
                  "    echo \"== $c $a\"; " + DIST_DIR + "/bin/$c $a 2>&1",
                  "  done",
                  "done",
                  "echo '== cli'; vpc-cni-cli --version",
                  "echo '== nft'; nft --version"));
      assertThat(out)
          .contains(
              "uid=65532 JAVA_HOME=" + DIST_DIR + "/jre",
              "== vpc-cni-agent --version\nvpc-cni-agent " + version + "\n",
              "== vpc-cni-agent --help\nusage: vpc-cni-agent --config FILE",
              "== vpc-cni-controller --version\nvpc-cni-controller " + version + "\n",
              "== vpc-cni-controller --help\nusage: vpc-cni-controller --config FILE",
              "== cli\nvpc-cni-cli 0.1.0",
              "== nft\nnftables v");
      long t3 = System.nanoTime();

      // The chart's init container, its script taken from the template. ctr 1.6 cannot override
      // the image's user (the chart runs this container as root), so the host directories are
      // handed to the image's user.
      Path hostBin = Files.createDirectories(scratch.resolve("host-cni-bin"));
      Path hostConf = Files.createDirectories(scratch.resolve("host-net.d"));
      Path configDir = Files.createDirectories(scratch.resolve("config"));
      String conflist = "{\"cniVersion\":\"1.0.0\",\"name\":\"vpc-cni\",\"plugins\":[]}\n";
      Files.writeString(configDir.resolve(CONF_NAME), conflist);
      Command.check(
          Duration.ofSeconds(10), "chown", "65532:65532", hostBin.toString(), hostConf.toString());
      ctr.run(
          List.of(
              bind(hostBin, "/host/opt/cni/bin", "rw"),
              bind(hostConf, "/host/etc/cni/net.d", "rw"),
              bind(configDir, "/etc/vpc-cni", "ro")),
          "/bin/sh",
          "-ec",
          installCniScript());
      assertThat(Files.readString(hostConf.resolve(CONF_NAME))).isEqualTo(conflist);
      assertThat(hostBin.resolve("vpc-cni.d/runtime/bin/java")).isExecutable();
      try (var left = Files.list(hostBin)) {
        assertThat(left.map(p -> p.getFileName().toString()).sorted().toList())
            .as("no temporary names left")
            .containsExactly("vpc-cni", "vpc-cni.d");
      }
      Command.Result reply =
          Command.check(
              Duration.ofSeconds(30),
              "sh",
              "-c",
              "echo '{\"cniVersion\":\"1.0.0\"}' | env -i CNI_COMMAND=VERSION \"$0\"",
              hostBin.resolve("vpc-cni").toString());
      assertThat(reply.stdout().strip())
          .isEqualTo(
              "{\"cniVersion\":\"1.0.0\",\"supportedVersions\":[\"0.4.0\",\"1.0.0\",\"1.1.0\"]}");
      long t4 = System.nanoTime();
      System.out.printf(
          "image %s (%d MB): make-image %d ms, import %d ms, commands %d ms, install-cni +"
              + " VERSION %d ms%n%s",
          image.manifestDigest(),
          Files.size(tarball) >> 20,
          ms(t1 - t0),
          ms(t2 - t1),
          ms(t3 - t2),
          ms(t4 - t3),
          built.stderr());
    }
  }

  /** Runs containers of the image with {@code ctr run --rm}, each in the run's cgroup. */
  private record Runner(Containerd containerd, String image, Path scratch) {
    /** Runs {@code argv} in a new container, asserts exit 0, returns stdout then stderr. */
    String run(List<String> mounts, String... argv) throws IOException {
      String id = "c" + Long.toHexString(System.nanoTime());
      Path tmp = Files.createDirectories(scratch.resolve("tmp-" + id));
      Files.setPosixFilePermissions(
          tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  "ctr",
                  "-a",
                  containerd.socket().toString(),
                  "-n",
                  CTR_NAMESPACE,
                  "run",
                  "--rm",
                  "--read-only",
                  "--cgroup",
                  containerd.layout().cgroupParent() + "/" + id,
                  "--mount",
                  bind(tmp, "/tmp", "rw")));
      for (String m : mounts) {
        cmd.add("--mount");
        cmd.add(m);
      }
      cmd.add(image);
      cmd.add(id);
      cmd.addAll(List.of(argv));
      Command.Result r = Command.run(Duration.ofSeconds(60), cmd);
      assertThat(r.exitCode()).as("%s%n%s", String.join(" ", argv), r).isZero();
      return r.stdout() + r.stderr();
    }
  }

  private static String bind(Path source, String target, String mode) {
    return "type=bind,src=" + source + ",dst=" + target + ",options=rbind:" + mode;
  }

  /**
   * The install-cni init container's script from the chart's DaemonSet template, with the two
   * values it uses at their defaults.
   */
  static String installCniScript() throws IOException {
    String template =
        Files.readString(ROOT.resolve("deploy/helm/vpc-cni/templates/agent-daemonset.yaml"));
    Matcher m =
        Pattern.compile(
                "- name: install-cni\\n.*?- -ec\\n\\s*- \\|\\n(.*?)\\n\\s*securityContext:",
                Pattern.DOTALL)
            .matcher(template);
    assertThat(m.find()).as("install-cni script in agent-daemonset.yaml").isTrue();
    String script =
        m.group(1)
            .lines()
            .map(String::strip)
            .map(
                l ->
                    l.replace("{{ .Values.image.distDir }}", DIST_DIR)
                        .replace("{{ .Values.cni.confName }}", CONF_NAME))
            .reduce("", (a, b) -> a + b + "\n");
    assertThat(script).as("the script uses only the values substituted here").doesNotContain("{{");
    return script;
  }

  private static String pomVersion() throws IOException {
    Matcher m =
        Pattern.compile("\\n  <version>([^<]+)</version>")
            .matcher(Files.readString(ROOT.resolve("pom.xml")));
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }
}
