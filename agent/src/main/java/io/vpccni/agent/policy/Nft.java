package io.vpccni.agent.policy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@code nft} tool: one script, one transaction ({@code nft -f -}); nothing of a script
 * that fails applies. In the node's namespace given by path when the agent runs outside it (the
 * local cluster), else in the agent's own.
 */
public final class Nft implements RuleApplier {
  private final String nft;
  private final Optional<Path> netns;

  public Nft(String nftBinary, Optional<Path> netns) {
    this.nft = nftBinary;
    this.netns = netns;
  }

  /** Applies the script atomically. */
  @Override
  public void apply(String script) throws IOException {
    run(List.of("-f", "-"), script);
  }

  /** Parses and checks the script against the kernel without applying it ({@code nft -c}). */
  public void check(String script) throws IOException {
    run(List.of("-c", "-f", "-"), script);
  }

  /** The current ruleset of our table, empty if there is none. */
  public String list() throws IOException {
    try {
      return run(List.of("list", "table", "inet", NftRenderer.TABLE), "");
    } catch (IOException e) {
      if (e.getMessage().contains("No such file or directory")) {
        return "";
      }
      throw e;
    }
  }

  /** Removes our table; absent is fine. */
  public void delete() throws IOException {
    apply("table inet " + NftRenderer.TABLE + " {}\ndelete table inet " + NftRenderer.TABLE + "\n");
  }

  private String run(List<String> args, String stdin) throws IOException {
    List<String> cmd = new ArrayList<>();
    netns.ifPresent(p -> cmd.addAll(List.of("nsenter", "--net=" + p)));
    cmd.add(nft);
    cmd.addAll(args);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
    // both outputs drain while the script is written and nft runs: a full pipe on either side
    // would otherwise block nft, and with it this thread, past the 30 s limit
    CompletableFuture<byte[]> out = drain(p.getInputStream());
    CompletableFuture<byte[]> err = drain(p.getErrorStream());
    try {
      try (var in = p.getOutputStream()) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        // nft exited before reading it all: its exit status and stderr say why
      }
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("failed to run nft " + String.join(" ", args) + ": no exit in 30 s");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running nft", e);
    }
    if (p.exitValue() != 0) {
      throw new IOException(
          "failed to run nft "
              + String.join(" ", args)
              + " (exit "
              + p.exitValue()
              + "): "
              + new String(err.join(), StandardCharsets.UTF_8).strip());
    }
    return new String(out.join(), StandardCharsets.UTF_8);
  }

  /** Reads the stream to its end on a virtual thread (it ends when nft exits). */
  private static CompletableFuture<byte[]> drain(InputStream s) {
    CompletableFuture<byte[]> f = new CompletableFuture<>();
    Thread.ofVirtual()
        .name("nft-output")
        .start(
            () -> {
              try (s) {
                f.complete(s.readAllBytes());
              } catch (IOException e) {
                f.complete(new byte[0]);
              }
            });
    return f;
  }
}
