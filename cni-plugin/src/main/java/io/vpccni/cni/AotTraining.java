package io.vpccni.cni;

import io.vpccni.agentapi.AgentRequest;
import io.vpccni.agentapi.AgentResponse;
import io.vpccni.agentapi.Json;
import io.vpccni.agentapi.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The training run for the binary's AOT cache ({@code scripts/make-dist.sh} runs it once with
 * {@code -XX:AOTCacheOutput}, JDK 25, JEP 514/515): drives {@link CniPlugin} through VERSION, ADD,
 * CHECK, DEL, STATUS and GC, the common errors, and the debug log, against a throwaway in-process
 * agent on a temporary socket, so that the classes and call sites of those paths land in the cache.
 *
 * <p>It lives in the shipped jar because an AOT cache is valid only for the class path it was
 * trained with. Not used at run time.
 */
public final class AotTraining {
  static final String RESULT =
      "{\"cniVersion\":\"1.1.0\",\"interfaces\":[{\"name\":\"eth0\",\"mac\":\"02:00:0a:00:01:05\",\"mtu\":9001,"
          + "\"sandbox\":\"/var/run/netns/train\"},{\"name\":\"veth1234abcd\",\"mac\":\"02:00:00:00:00:01\"}],"
          + "\"ips\":[{\"address\":\"10.0.1.5/32\",\"gateway\":\"169.254.1.1\",\"interface\":0},"
          + "{\"address\":\"fd00::5/128\",\"interface\":0}],"
          + "\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"169.254.1.1\",\"mtu\":9001},{\"dst\":\"::/0\"}],"
          + "\"dns\":{\"nameservers\":[\"10.96.0.10\"],\"search\":[\"default.svc.cluster.local\"]}}";

  /** The container the training agent refuses, so that the agent-error path is trained too. */
  static final String REFUSED = "train-refused";

  private AotTraining() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    Path dir = Files.createTempDirectory("vpc-cni-aot");
    Path socket = dir.resolve("agent.sock");
    Path netns = Files.createFile(dir.resolve("netns"));
    Path log = dir.resolve("cni.log");
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    Thread agent = new Thread(new Agent(server), "aot-training-agent");
    agent.setDaemon(true);
    agent.start();
    System.getenv(); // CniMain reads the process environment; have its classes in the cache too

    PrintStream sink = new PrintStream(new ByteArrayOutputStream(), false, StandardCharsets.UTF_8);
    for (int i = 0; i < rounds; i++) {
      for (CniVersion v : CniVersion.values()) {
        String conf = conf(v, socket, i % 5 == 0 ? log : null);
        run(sink, env("VERSION", null, null), "{\"cniVersion\":\"" + v.text() + "\"}");
        run(sink, env("ADD", netns, "K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-" + i), conf);
        String prev = Json.write(ResultConverter.convert(Json.parseObject(RESULT), v));
        String withPrev = conf.substring(0, conf.length() - 1) + ",\"prevResult\":" + prev + "}";
        run(sink, env("CHECK", netns, null), withPrev);
        run(sink, env("DEL", null, null), withPrev);
        run(sink, env("DEL", netns, "IgnoreUnknown=1"), conf);
      }
      String conf110 = conf(CniVersion.V1_1_0, socket, null);
      run(sink, env("STATUS", null, null), conf110);
      run(
          sink,
          env("GC", null, null),
          conf110.substring(0, conf110.length() - 1)
              + ",\"cni.dev/valid-attachments\":[{\"containerID\":\"c1\",\"ifname\":\"eth0\"}]}");
      // the error paths: bad input, and an agent that is not there
      run(sink, env("ADD", netns, null), "{\"cniVersion\":\"1.0.0\",");
      run(sink, env("ADD", null, null), conf110);
      run(sink, env("BOGUS", null, null), conf110);
      Map<String, String> badIf = env("ADD", netns, null);
      badIf.put("CNI_IFNAME", "eth0/../x");
      run(sink, badIf, conf110);
      run(sink, env("ADD", netns, null), conf110.replace("\"mtu\":1500", "\"mtu\":10"));
      Map<String, String> refused = env("ADD", netns, null);
      refused.put("CNI_CONTAINERID", REFUSED);
      run(sink, refused, conf110);
      String gone = conf(CniVersion.V1_0_0, dir.resolve("absent.sock"), null);
      run(sink, env("DEL", null, null), gone);
      run(
          sink,
          env("STATUS", null, null),
          conf(CniVersion.V1_1_0, dir.resolve("absent.sock"), null));
    }
    server.close();
    boolean logged = Files.exists(log);
    System.err.println(
        "vpc-cni AOT training: "
            + invocations
            + " invocations, "
            + succeeded
            + " succeeded, log "
            + logged);
    // per version and round VERSION, ADD, CHECK and two DELs succeed, plus STATUS and GC
    if (succeeded != rounds * (5 * CniVersion.values().length + 2) || !logged) {
      System.err.println(
          "vpc-cni AOT training: the hot paths did not all succeed; refusing to train on errors");
      System.exit(1);
    }
    Files.deleteIfExists(socket);
    Files.deleteIfExists(netns);
    Files.deleteIfExists(log);
    Files.deleteIfExists(dir);
  }

  private static int invocations;
  private static int succeeded;

  private static void run(PrintStream sink, Map<String, String> env, String stdin) {
    int exit =
        CniMain.run(env, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), sink);
    invocations++;
    if (exit == 0) {
      succeeded++;
    }
  }

  private static Map<String, String> env(String verb, Path netns, String args) {
    Map<String, String> env = new HashMap<>();
    env.put("CNI_COMMAND", verb);
    env.put("CNI_PATH", "/opt/cni/bin");
    if (!verb.equals("STATUS") && !verb.equals("GC") && !verb.equals("VERSION")) {
      env.put(
          "CNI_CONTAINERID", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
      env.put("CNI_IFNAME", "eth0");
    }
    if (netns != null) {
      env.put("CNI_NETNS", netns.toString());
    }
    if (args != null) {
      env.put("CNI_ARGS", args);
    }
    return env;
  }

  private static String conf(CniVersion v, Path socket, Path log) {
    return "{\"cniVersion\":\""
        + v.text()
        + "\",\"name\":\"vpc\",\"type\":\"vpc-cni\",\"mtu\":1500,"
        + "\"agentSocket\":\""
        + socket
        + "\",\"agentTimeoutSeconds\":5,"
        + (log == null ? "" : "\"logFile\":\"" + log + "\",")
        + "\"runtimeConfig\":{\"bandwidth\":{\"ingressRate\":1000000}}}";
  }

  /** Answers every request: ADD with {@link #RESULT}, anything else with success. */
  private static final class Agent implements Runnable {
    private final ServerSocketChannel server;

    Agent(ServerSocketChannel server) {
      this.server = server;
    }

    @Override
    public void run() {
      while (server.isOpen()) {
        try (SocketChannel ch = server.accept()) {
          ByteArrayOutputStream in = new ByteArrayOutputStream();
          ByteBuffer buf = ByteBuffer.allocate(8192);
          while (ch.read(buf) >= 0) {
            buf.flip();
            in.write(buf.array(), 0, buf.limit());
            buf.clear();
          }
          AgentRequest req = AgentRequest.fromJson(in.toString(StandardCharsets.UTF_8).strip());
          AgentResponse resp;
          if (req.containerId().equals(REFUSED)) {
            resp = AgentResponse.error(11, "no free IP on this node", "the warm pool is refilling");
          } else if (req.verb().equals("ADD")) {
            resp = AgentResponse.ok(Json.parseObject(RESULT));
          } else {
            resp = AgentResponse.ok();
          }
          ch.write(ByteBuffer.wrap((resp.toJson() + "\n").getBytes(StandardCharsets.UTF_8)));
        } catch (IOException | RuntimeException e) {
          if (!server.isOpen()) {
            return;
          }
        }
      }
    }
  }

  static JsonObject result() {
    return Json.parseObject(RESULT);
  }
}
