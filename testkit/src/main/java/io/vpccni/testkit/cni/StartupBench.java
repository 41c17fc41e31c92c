package io.vpccni.testkit.cni;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Measures the CNI launcher's start-up: VERSION, and ADD against a {@link FakeAgent}, each {@code
 * runs} times after 3 warm-up rounds, with the AOT cache and without it (a copy of {@code dist/cni}
 * whose cache is deleted), interleaved. Prints medians and p90 in milliseconds of the exec as the
 * runtime sees it (fork to exit).
 *
 * <p>{@code java -cp testkit/target/classes io.vpccni.testkit.cni.StartupBench [runs] [dist/cni]}
 */
public final class StartupBench {
  private StartupBench() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    Path cni = args.length > 1 ? Path.of(args[1]) : CniExec.root().resolve("dist/cni");
    Path launcher = cni.resolve("vpc-cni");
    if (!Files.isExecutable(launcher)) {
      throw new IllegalStateException(launcher + " is missing: run make build first");
    }
    Path tmp = Files.createTempDirectory("vpc-cni-bench");
    Path noAot = tmp.resolve("no-aot");
    copyTree(cni, noAot);
    Files.delete(noAot.resolve("vpc-cni.d/vpc-cni.aot"));
    Path netns = Files.createFile(tmp.resolve("netns"));
    try (FakeAgent agent = FakeAgent.start(tmp.resolve("agent.sock"))) {
      List<CniExec> execs =
          List.of(
              CniExec.of(launcher).withTimeout(Duration.ofSeconds(20)),
              CniExec.of(noAot.resolve("vpc-cni")).withTimeout(Duration.ofSeconds(20)));
      Map<String, String> versionEnv = Map.of("CNI_COMMAND", "VERSION");
      String versionIn = "{\"cniVersion\":\"1.0.0\"}";
      Map<String, String> addEnv = CniConfigs.env("ADD", "bench0001", netns.toString(), "eth0");
      String addIn = JsonText.write(CniConfigs.netconf("1.0.0", agent.socket().toString()));
      // [launcher][verb] samples; the four runs of one round are interleaved so that a busy
      // neighbour on a shared machine slows every series alike
      List<List<List<Double>>> ms = new ArrayList<>();
      for (int l = 0; l < 2; l++) {
        ms.add(List.of(new ArrayList<>(), new ArrayList<>()));
      }
      for (int i = 0; i < runs + 3; i++) {
        for (int l = 0; l < 2; l++) {
          double v = time(execs.get(l), versionEnv, versionIn);
          double a = time(execs.get(l), addEnv, addIn);
          if (i >= 3) {
            ms.get(l).get(0).add(v);
            ms.get(l).get(1).add(a);
          }
        }
      }
      String[] labels = {"with AOT cache   ", "without AOT cache"};
      for (int l = 0; l < 2; l++) {
        System.out.println(
            labels[l]
                + "  VERSION "
                + stats(ms.get(l).get(0))
                + "   ADD "
                + stats(ms.get(l).get(1)));
      }
    } finally {
      deleteTree(tmp);
    }
  }

  private static double time(CniExec exec, Map<String, String> env, String stdin) {
    CniExec.Result r = exec.run(env, stdin);
    if (r.exitCode() != 0) {
      throw new IllegalStateException("benchmark run failed: " + r);
    }
    return r.wall().toNanos() / 1e6;
  }

  private static String stats(List<Double> samples) {
    List<Double> ms = new ArrayList<>(samples);
    ms.sort(Comparator.naturalOrder());
    return "p50 "
        + fmt(ms.get(ms.size() / 2))
        + " ms, p90 "
        + fmt(ms.get((int) (ms.size() * 0.9)))
        + " ms";
  }

  private static String fmt(double v) {
    return Long.toString(Math.round(v * 10) / 10) + "." + Math.round(v * 10) % 10;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          Files.createDirectories(t);
        } else {
          Files.copy(
              p, t, StandardCopyOption.COPY_ATTRIBUTES, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        }
      }
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.delete(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
