package io.vpccni.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vpccni.agentapi.Json;
import io.vpccni.agentapi.JsonObject;
import io.vpccni.netaddr.IpAddress;
import io.vpccni.testkit.cni.BadInputCase;
import io.vpccni.testkit.cni.BadInputCases;
import io.vpccni.testkit.cni.CniConfigs;
import io.vpccni.testkit.cni.CniExec;
import io.vpccni.testkit.cni.FakeAgent;
import io.vpccni.testkit.cni.JsonText;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The binary as a process, the way runtimes exec it: every bad-input case and the happy paths,
 * through two launchers:
 *
 * <ul>
 *   <li>{@code dev}: a shell script written here that runs {@link CniMain} on this build's classes
 *       with the JDK running the tests. Always available.
 *   <li>{@code dist}: {@code dist/cni/vpc-cni} from {@code make build} (jlinked runtime, AOT
 *       cache). Skipped, with the reason, when it is missing or was built from other classes than
 *       these; {@code -Dvpccni.requireDist=true} turns the skip into a failure.
 * </ul>
 */
class LauncherExecTest {
  @TempDir static Path tmp;
  static FakeAgent agent;
  static BadInputCases.Setup setup;
  static CniExec dev;

  @BeforeAll
  static void start() throws Exception {
    agent = FakeAgent.start(tmp.resolve("agent.sock"));
    setup = BadInputCasesTest.setup(tmp, agent);
    dev = CniExec.of(devLauncher(tmp.resolve("dev/vpc-cni")));
  }

  @AfterAll
  static void stop() {
    agent.close();
  }

  static Stream<Arguments> launchers() {
    return Stream.of(Arguments.of("dev"), Arguments.of("dist"));
  }

  static CniExec launcher(String which) {
    if (which.equals("dev")) {
      return dev;
    }
    String stale = distProblem();
    if (stale != null) {
      if (Boolean.getBoolean("vpccni.requireDist")) {
        throw new IllegalStateException(stale);
      }
      assumeTrue(false, stale);
    }
    return CniExec.dist();
  }

  static Stream<Arguments> casesPerLauncher() {
    List<Arguments> out = new ArrayList<>();
    for (BadInputCase c : BadInputCases.all(setup)) {
      out.add(Arguments.of("dev", c));
      out.add(Arguments.of("dist", c));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("casesPerLauncher")
  void badInputIsRefused(String which, BadInputCase c) {
    CniExec exec = launcher(which);
    BadInputCasesTest.prepare(agent, c);
    CniExec.Result r = exec.run(c.env(), c.stdin());
    assertThat(r.timedOut()).isFalse();
    BadInputCasesTest.check(c, agent, r.exitCode(), r.stdout());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("launchers")
  void addDelCheckRoundTrip(String which) {
    CniExec exec = launcher(which);
    agent.reset();
    for (String version : List.of("0.4.0", "1.0.0", "1.1.0")) {
      Map<String, Object> conf = CniConfigs.netconf(version, agent.socket().toString());
      CniExec.Result add =
          exec.run(
              CniConfigs.env("ADD", "rt-" + version.replace('.', '-'), setup.netns(), "eth0"),
              JsonText.write(conf));
      assertThat(add.exitCode()).as(add.toString()).isZero();
      assertThat(add.stderr()).as("stderr").isEmpty();
      JsonObject result = Json.parseObject(add.stdout());
      assertThat(result.string("cniVersion")).isEqualTo(version);
      ResultConverter.validate(result, CniVersion.find(version));

      Map<String, Object> withPrev = CniConfigs.withPrevResult(conf, result.map());
      CniExec.Result check =
          exec.run(
              CniConfigs.env("CHECK", "rt-" + version.replace('.', '-'), setup.netns(), "eth0"),
              JsonText.write(withPrev));
      assertThat(check.exitCode()).as(check.toString()).isZero();
      assertThat(check.stdout()).isEmpty();
      for (int i = 0; i < 2; i++) {
        CniExec.Result del =
            exec.run(
                CniConfigs.env("DEL", "rt-" + version.replace('.', '-'), null, "eth0"),
                JsonText.write(withPrev));
        assertThat(del.exitCode()).as(del.toString()).isZero();
        assertThat(del.stdout()).isEmpty();
      }
    }
    assertThat(agent.requests())
        .extracting(FakeAgent::verbOf)
        .containsExactly(
            "ADD", "CHECK", "DEL", "DEL", "ADD", "CHECK", "DEL", "DEL", "ADD", "CHECK", "DEL",
            "DEL");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("launchers")
  void versionNeedsNoAgent(String which) {
    CniExec.Result r =
        launcher(which).run(Map.of("CNI_COMMAND", "VERSION"), "{\"cniVersion\":\"0.4.0\"}");
    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout())
        .isEqualTo(
            "{\"cniVersion\":\"0.4.0\",\"supportedVersions\":[\"0.4.0\",\"1.0.0\",\"1.1.0\"]}\n");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("launchers")
  void statusIs50WhenTheSocketIsMissing(String which) {
    CniExec.Result r =
        launcher(which)
            .run(
                Map.of("CNI_COMMAND", "STATUS"),
                JsonText.write(CniConfigs.netconf("1.1.0", tmp.resolve("absent.sock").toString())));
    assertThat(r.exitCode()).isNotZero();
    assertThat(r.code()).hasValue(50);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("launchers")
  void delIsRetriableWhenTheAgentIsDown(String which) {
    CniExec.Result r =
        launcher(which)
            .run(
                CniConfigs.env("DEL", "abc", null, "eth0"),
                JsonText.write(CniConfigs.netconf("1.0.0", tmp.resolve("absent.sock").toString())));
    assertThat(r.code()).hasValue(11);
  }

  @Test
  void distLauncherIgnoresJavaOptionsFromTheEnvironment() {
    CniExec exec = launcher("dist");
    CniExec.Result r =
        exec.run(
            Map.of(
                "CNI_COMMAND",
                "VERSION",
                "JAVA_TOOL_OPTIONS",
                "-Xlog:all=info",
                "JDK_JAVA_OPTIONS",
                "-version"),
            "{\"cniVersion\":\"1.0.0\"}");
    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout()).startsWith("{\"cniVersion\":\"1.0.0\"");
    assertThat(r.stderr()).isEmpty();
  }

  @Test
  void distLauncherKeepsStdoutCleanWhenTheAotCacheIsUnusable() throws Exception {
    launcher("dist");
    Path copy = tmp.resolve("broken-aot");
    copyTree(CniExec.distBinary().getParent(), copy);
    Files.writeString(copy.resolve("vpc-cni.d/vpc-cni.aot"), "not an AOT cache");
    CniExec.Result r =
        CniExec.of(copy.resolve("vpc-cni")).run(Map.of("CNI_COMMAND", "VERSION"), "");
    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout())
        .isEqualTo(
            "{\"cniVersion\":\"1.1.0\",\"supportedVersions\":[\"0.4.0\",\"1.0.0\",\"1.1.0\"]}\n");
    assertThat(r.stderr()).contains("AOT cache");
  }

  // -- launchers --------------------------------------------------------------------------

  /** The jars or class folders this build runs the binary from. */
  static List<Path> codeSources() throws URISyntaxException {
    List<Path> l = new ArrayList<>();
    for (Class<?> c : List.of(CniMain.class, Json.class, IpAddress.class)) {
      l.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()));
    }
    return l;
  }

  static Path devLauncher(Path file) throws Exception {
    Files.createDirectories(file.getParent());
    StringBuilder cp = new StringBuilder();
    for (Path p : codeSources()) {
      cp.append(cp.isEmpty() ? "" : ":").append(p);
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Files.writeString(
        file,
        "#!/bin/sh\nunset JAVA_TOOL_OPTIONS JDK_JAVA_OPTIONS _JAVA_OPTIONS\n"
            + "exec '"
            + java
            + "' -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto"
            + " -Xlog:disable -Xlog:all=warning:stderr -cp '"
            + cp
            + "' io.vpccni.cni.CniMain\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }

  /**
   * Why {@code dist/cni} cannot stand for this build, or null: it is missing, or one of its jars
   * differs from the classes under test (a stale {@code make build}).
   */
  static String distProblem() {
    Path launcher = CniExec.distBinary();
    if (!Files.isExecutable(launcher)) {
      return launcher + " is missing: run make build first";
    }
    try {
      List<Path> sources = codeSources();
      String[] jars = {"cni-plugin.jar", "agent-api.jar", "netaddr.jar"};
      for (int i = 0; i < jars.length; i++) {
        Path jar = launcher.resolveSibling("vpc-cni.d/lib/" + jars[i]);
        String diff = firstDifference(sources.get(i), jar);
        if (diff != null) {
          return launcher + " was built from other code (" + diff + "): run make build";
        }
      }
      return null;
    } catch (IOException | URISyntaxException e) {
      return "cannot compare dist/cni with this build: " + e;
    }
  }

  /** The first class that differs between a class folder (or jar) and a jar, or null. */
  static String firstDifference(Path source, Path distJar) throws IOException {
    if (!Files.isRegularFile(distJar)) {
      return distJar + " missing";
    }
    try (JarFile dist = new JarFile(distJar.toFile())) {
      if (Files.isDirectory(source)) {
        try (Stream<Path> s = Files.walk(source)) {
          for (Path p : (Iterable<Path>) s.filter(f -> f.toString().endsWith(".class"))::iterator) {
            String name = source.relativize(p).toString();
            ZipEntry e = dist.getEntry(name);
            if (e == null) {
              return name + " not in " + distJar.getFileName();
            }
            try (InputStream in = dist.getInputStream(e)) {
              if (!Arrays.equals(in.readAllBytes(), Files.readAllBytes(p))) {
                return name + " changed";
              }
            }
          }
        }
        return null;
      }
      return Arrays.equals(Files.readAllBytes(source), Files.readAllBytes(distJar))
          ? null
          : source.getFileName() + " changed";
    }
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }
}
