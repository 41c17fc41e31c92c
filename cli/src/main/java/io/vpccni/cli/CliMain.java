package io.vpccni.cli;

import io.vpccni.agentapi.AgentClient;
import io.vpccni.agentapi.AgentRequest;
import io.vpccni.agentapi.AgentResponse;
import io.vpccni.agentapi.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vpc-cni-cli}: the operator's view of a node's agent. */
@Command(
    name = "vpc-cni-cli",
    mixinStandardHelpOptions = true,
    version = "vpc-cni-cli 0.1.0",
    description = "Inspect a vpc-cni agent through its socket; size a node (max-pods).",
    subcommands = {
      CliMain.Pool.class,
      CliMain.Pods.class,
      CliMain.Status.class,
      CliMain.Policy.class,
      MaxPods.class,
      io.vpccni.cli.local.LocalCommand.class
    })
public final class CliMain {
  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the CLI with the given output streams; returns the exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new CliMain());
    cl.setOut(out);
    cl.setErr(err);
    return cl.execute(args);
  }

  abstract static class AgentCommand implements Callable<Integer> {
    @Option(
        names = "--socket",
        description = "agent socket (default: ${DEFAULT-VALUE})",
        defaultValue = "/run/vpc-cni/agent.sock")
    Path socket;

    @Option(
        names = {"-o", "--output"},
        description = "table or json (default: ${DEFAULT-VALUE})",
        defaultValue = "table")
    String output;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    JsonObject introspect() throws Exception {
      AgentResponse r =
          new AgentClient(socket, Duration.ofSeconds(10))
              .call(new AgentRequest("INTROSPECT", "", "", "", Map.of(), null));
      if (!r.isOk()) {
        throw new CommandLine.ExecutionException(
            spec.commandLine(), "agent error " + r.error().code() + ": " + r.error().msg());
      }
      return r.result();
    }

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    @Override
    public Integer call() throws Exception {
      JsonObject state = introspect();
      if (output.equals("json")) {
        out().println(json(state));
      } else if (output.equals("table")) {
        table(state);
      } else {
        spec.commandLine().getErr().println("--output must be table or json, not " + output);
        return 2;
      }
      return 0;
    }

    abstract void table(JsonObject state);

    /** What {@code -o json} prints: the whole state unless a command shows a part of it. */
    Object json(JsonObject state) {
      return state;
    }
  }

  @Command(name = "pool", description = "The node's ENIs and how many of their IPs are used.")
  static final class Pool extends AgentCommand {
    @Override
    void table(JsonObject s) {
      JsonObject p = s.object("pool");
      out()
          .printf(
              "node %s  mode %s  IPs: %d total, %d used, %d cooling, %d free%n",
              s.string("node"),
              s.string("mode"),
              p.integer("total"),
              p.integer("used"),
              p.integer("cooling"),
              p.integer("free"));
      out()
          .printf(
              "%-36s %-18s %-5s %-6s %-18s %5s %5s%n",
              "ENI", "MAC", "DEV", "TABLE", "SUBNET", "IPS", "USED");
      for (JsonObject e : s.objects("enis")) {
        out()
            .printf(
                "%-36s %-18s %-5d %-6d %-18s %5d %5d%n",
                e.string("id"),
                e.string("mac"),
                e.integer("deviceIndex"),
                e.integer("table"),
                e.string("subnet"),
                e.integer("ips"),
                e.integer("used"));
      }
    }
  }

  @Command(name = "pods", description = "The pod attachments the agent holds.")
  static final class Pods extends AgentCommand {
    @Override
    void table(JsonObject s) {
      out().printf("%-32s %-15s %-16s %-14s %-7s%n", "POD", "IP", "ENI", "HOST-IF", "STATE");
      for (JsonObject a : s.objects("attachments")) {
        out()
            .printf(
                "%-32s %-15s %-16s %-14s %-7s%n",
                a.string("pod"),
                a.string("ip"),
                a.string("eni"),
                a.string("hostIf"),
                a.string("state"));
      }
    }
  }

  @Command(name = "status", description = "One line: is the agent up, and how full is the pool.")
  static final class Status extends AgentCommand {
    @Override
    void table(JsonObject s) {
      JsonObject p = s.object("pool");
      out()
          .printf(
              "agent on node %s is up (%s mode); %d/%d IPs used, %d free%n",
              s.string("node"),
              s.string("mode"),
              p.integer("used"),
              p.integer("total"),
              p.integer("free"));
    }
  }

  @Command(
      name = "policy",
      description = "NetworkPolicy on this node: is it in force, and what isolates each local pod.")
  static final class Policy extends AgentCommand {
    @Override
    Object json(JsonObject s) {
      return s.optObject("policy").orElse(JsonObject.create().put("enabled", false));
    }

    @Override
    void table(JsonObject s) {
      JsonObject p = s.optObject("policy").orElse(JsonObject.create());
      if (!p.bool("enabled", false)) {
        out()
            .println(
                "NetworkPolicy is off on this node (agent config key networkPolicy): no pod is"
                    + " isolated");
        return;
      }
      Instant now = Instant.now();
      StringBuilder h = new StringBuilder("NetworkPolicy on");
      h.append(p.bool("synced", false) ? ", synced" : ", NOT synced (ADDs are refused)");
      h.append(", ").append(p.integer("policies")).append(" policies");
      h.append(", ").append(p.integer("applies")).append(" applies");
      p.optString("lastApply")
          .ifPresentOrElse(
              t ->
                  h.append(", last apply ")
                      .append(age(Instant.parse(t), now))
                      .append(" ago (")
                      .append(p.integer("lastApplyMillis"))
                      .append(" ms)"),
              () -> h.append(", nothing applied yet"));
      p.optString("lastError")
          .ifPresent(
              e ->
                  h.append(", LAST APPLY FAILED")
                      .append(
                          p.optString("lastErrorAt")
                              .map(t -> " " + age(Instant.parse(t), now) + " ago")
                              .orElse(""))
                      .append(": ")
                      .append(e));
      out().println(h);
      List<String[]> rows = new java.util.ArrayList<>();
      rows.add(new String[] {"POD", "IP", "INGRESS", "EGRESS"});
      for (JsonObject pod : p.objects("pods")) {
        rows.add(
            new String[] {
              pod.string("pod"),
              pod.string("ip"),
              direction(pod.object("ingress")),
              direction(pod.object("egress"))
            });
      }
      // columns as wide as their widest cell: policy lists have no useful fixed width
      int[] w = new int[3];
      for (String[] r : rows) {
        for (int i = 0; i < w.length; i++) {
          w[i] = Math.max(w[i], r[i].length());
        }
      }
      String format = "%-" + w[0] + "s   %-" + w[1] + "s   %-" + w[2] + "s   %s%n";
      rows.forEach(r -> out().printf(format, (Object[]) r));
    }

    private static String direction(JsonObject d) {
      List<String> by = d.strings("policies");
      return d.bool("isolated", false) ? "isolated: " + String.join(",", by) : "open";
    }

    /** As kubectl shows ages: 45s, 12m, 3h, 5d. */
    static String age(Instant then, Instant now) {
      long s = Math.max(0, Duration.between(then, now).toSeconds());
      if (s < 120) {
        return s + "s";
      }
      if (s < 120 * 60) {
        return s / 60 + "m";
      }
      if (s < 48 * 3600) {
        return s / 3600 + "h";
      }
      return s / 86400 + "d";
    }
  }
}
