package io.vpccni.cni;

import io.vpccni.agentapi.AgentClient;
import io.vpccni.agentapi.AgentRequest;
import io.vpccni.agentapi.AgentResponse;
import io.vpccni.agentapi.FieldException;
import io.vpccni.agentapi.Json;
import io.vpccni.agentapi.JsonException;
import io.vpccni.agentapi.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One CNI invocation: environment and stdin in, exit code and stdout text out. {@link CniMain}
 * wires it to the process; tests and the AOT training run call it in-process.
 *
 * <p>Order of checks, so that each input has exactly one error: {@code CNI_COMMAND} (4), reading
 * stdin (5), then for VERSION the reply; otherwise the other {@code CNI_*} variables (4), decoding
 * stdin (6), the configuration (1 or 7), and only then one request to the agent. Everything before
 * the agent request changes nothing anywhere.
 */
public final class CniPlugin {
  /**
   * Ours: a configuration with a prevResult is a few KiB; anything over this is refused (code 5).
   */
  public static final int MAX_STDIN = 1 << 20;

  /**
   * What the process prints and how it exits. {@code stdout} is empty when there is nothing to
   * print.
   */
  public record Reply(int exitCode, String stdout) {}

  /** Runs one invocation. Never throws. */
  public Reply execute(Map<String, String> env, InputStream stdin) {
    long start = System.nanoTime();
    Verb verb = null;
    CniEnv cniEnv = null;
    JsonObject config = null;
    NetConf conf = null;
    CniVersion errorVersion = CniVersion.LATEST;
    Reply reply;
    CniException failure = null;
    try {
      verb = Verb.parse(env.get("CNI_COMMAND"));
      byte[] raw = readStdin(stdin);
      if (verb == Verb.VERSION) {
        return version(raw);
      }
      String text = null;
      CniException decodeError = null;
      try {
        text = utf8(raw);
        config = Json.parseObject(text);
        CniVersion v = NetConf.versionOrNull(config);
        if (v != null) {
          errorVersion = v;
        }
      } catch (CniException e) {
        decodeError = e;
      } catch (JsonException e) {
        decodeError =
            new CniException(
                CniException.DECODING_FAILURE,
                "failed to decode the network config on stdin: " + e.getMessage(),
                raw.length == 0 ? "stdin was empty" : "stdin must be one JSON object");
      }
      cniEnv = CniEnv.parse(verb, env);
      if (decodeError != null) {
        throw decodeError;
      }
      conf = NetConf.parse(verb, config);
      errorVersion = conf.version();
      reply = callAgent(verb, cniEnv, conf);
    } catch (CniException e) {
      failure = e;
      reply = error(errorVersion, e);
    } catch (RuntimeException | Error e) {
      failure =
          new CniException(
              CniException.INTERNAL, "vpc-cni internal error: " + e, "a bug: please report it");
      reply = error(errorVersion, failure);
    }
    Path log =
        conf != null ? conf.logFile() : config != null ? NetConf.logFileOrNull(config) : null;
    if (log != null) {
      DebugLog.append(log, verb, cniEnv, env, reply.exitCode(), failure, System.nanoTime() - start);
    }
    return reply;
  }

  /**
   * VERSION: answered here, never by the agent. The reply's {@code cniVersion} is the one the
   * runtime sent (spec §5 "VERSION Success"), even one we do not support, so that it learns what we
   * do; with no input it is the newest.
   */
  private static Reply version(byte[] raw) throws CniException {
    String text = utf8(raw);
    String version = CniVersion.LATEST.text();
    if (!text.isBlank()) {
      JsonObject o;
      try {
        o = Json.parseObject(text);
      } catch (JsonException e) {
        throw new CniException(
            CniException.DECODING_FAILURE,
            "failed to decode the VERSION input on stdin: " + e.getMessage(),
            "expected {\"cniVersion\": \"...\"}");
      }
      Object v = o.raw("cniVersion");
      if (v != null) {
        String given = v instanceof String str ? str : null;
        if (given == null || !CniVersion.isWellFormed(given)) {
          String what = given == null ? Json.typeName(v) : "\"" + Names.printable(given) + "\"";
          throw new CniException(
              CniException.DECODING_FAILURE,
              "failed to decode cniVersion: " + what + " is not a version such as \"1.1.0\"",
              "VERSION input is {\"cniVersion\": \"MAJOR.MINOR.PATCH\"}");
        }
        version = given;
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("cniVersion", version);
    out.put("supportedVersions", CniVersion.SUPPORTED);
    return new Reply(0, Json.write(out) + "\n");
  }

  /**
   * The one request to the agent, and how its absence maps to codes:
   *
   * <ul>
   *   <li>STATUS: not reachable or not answering → 50 (cannot service ADD); the agent's own error
   *       (50, 51, ...) passes through.
   *   <li>ADD, CHECK, GC: not reachable or not answering → 11, try again later.
   *   <li>DEL: also 11, deliberately. DEL of an unknown container succeeds (the agent does that),
   *       but when the agent cannot be asked we do not know what it holds: reporting success would
   *       let the runtime drop its cached result while the pod's IP, routes and rules stay
   *       allocated until the next GC. Kubelet and containerd retry a failed DEL (StopPodSandbox is
   *       retried until it succeeds), so the DEL completes once the agent is back, which the
   *       DaemonSet ensures. The price: while the agent is down, pod teardown waits for it.
   * </ul>
   */
  private static Reply callAgent(Verb verb, CniEnv env, NetConf conf) throws CniException {
    AgentRequest request =
        new AgentRequest(
            verb.name(), env.containerId(), env.netns(), env.ifName(), env.args(), conf.json());
    AgentClient client = new AgentClient(conf.agentSocket(), conf.agentTimeout());
    AgentResponse response;
    try {
      response = client.call(request);
    } catch (AgentClient.AgentUnavailableException e) {
      throw agentAbsent(verb, "the vpc-cni agent is not available at " + conf.agentSocket(), e);
    } catch (IOException e) {
      throw agentAbsent(verb, "no answer from the vpc-cni agent at " + conf.agentSocket(), e);
    } catch (JsonException | FieldException e) {
      throw new CniException(
          CniException.AGENT_PROTOCOL_ERROR,
          "failed to read the vpc-cni agent's answer: " + e.getMessage(),
          "the agent at "
              + conf.agentSocket()
              + " does not speak protocol version "
              + AgentRequest.VERSION);
    }
    if (!response.isOk()) {
      AgentResponse.AgentError e = response.error();
      int code = e.code() > 0 ? e.code() : CniException.AGENT_PROTOCOL_ERROR;
      throw new CniException(code, e.msg(), e.details());
    }
    if (verb != Verb.ADD) {
      return new Reply(0, "");
    }
    if (response.result() == null) {
      throw new CniException(
          CniException.AGENT_PROTOCOL_ERROR, "the vpc-cni agent answered ADD without a result", "");
    }
    Map<String, Object> result;
    try {
      result = ResultConverter.convert(response.result(), conf.version());
    } catch (FieldException e) {
      throw new CniException(
          CniException.AGENT_PROTOCOL_ERROR,
          "invalid result from the vpc-cni agent: " + e.getMessage(),
          "the agent must answer in the cniVersion 1.1.0 result shape");
    }
    return new Reply(0, Json.write(result) + "\n");
  }

  private static CniException agentAbsent(Verb verb, String what, IOException cause) {
    if (verb == Verb.STATUS) {
      return new CniException(
          CniException.PLUGIN_NOT_AVAILABLE, what, String.valueOf(cause.getMessage()));
    }
    return new CniException(
        CniException.TRY_AGAIN_LATER,
        what + "; try again later",
        String.valueOf(cause.getMessage()));
  }

  static Reply error(CniVersion version, CniException e) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("cniVersion", version.text());
    out.put("code", e.code());
    out.put("msg", e.msg());
    out.put("details", e.details());
    return new Reply(1, Json.write(out) + "\n");
  }

  private static byte[] readStdin(InputStream in) throws CniException {
    byte[] raw;
    try {
      raw = in.readNBytes(MAX_STDIN + 1);
    } catch (IOException e) {
      throw new CniException(
          CniException.IO_FAILURE,
          "failed to read the network config from stdin",
          String.valueOf(e.getMessage()));
    }
    if (raw.length > MAX_STDIN) {
      throw new CniException(
          CniException.IO_FAILURE,
          "failed to read the network config from stdin: larger than " + MAX_STDIN + " bytes",
          "a network configuration, even with a prevResult, is a few KiB");
    }
    return raw;
  }

  private static String utf8(byte[] raw) throws CniException {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(raw))
          .toString();
    } catch (CharacterCodingException e) {
      throw new CniException(
          CniException.DECODING_FAILURE,
          "failed to decode the network config on stdin: not valid UTF-8",
          String.valueOf(e.getMessage()));
    }
  }
}
