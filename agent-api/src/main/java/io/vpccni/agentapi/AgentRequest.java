package io.vpccni.agentapi;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One request from the CNI binary to the agent (protocol version {@value #VERSION}). Sent as one
 * line of JSON on a fresh connection to the agent's unix socket; the agent answers with one {@link
 * AgentResponse} line and closes.
 *
 * @param verb ADD, DEL, CHECK, STATUS or GC (VERSION is answered by the binary itself)
 * @param containerId {@code CNI_CONTAINERID} (empty for STATUS and GC)
 * @param netns {@code CNI_NETNS} (empty when the runtime did not give one, as DEL may)
 * @param ifName {@code CNI_IFNAME}
 * @param args {@code CNI_ARGS} as key/value pairs (K8S_POD_NAME, K8S_POD_NAMESPACE, ...)
 * @param config the network configuration exactly as the runtime sent it on stdin (validated by the
 *     binary; includes {@code prevResult}, {@code runtimeConfig}, {@code
 *     cni.dev/valid-attachments})
 */
public record AgentRequest(
    int version,
    String verb,
    String containerId,
    String netns,
    String ifName,
    Map<String, String> args,
    JsonObject config) {
  public static final int VERSION = 1;

  public AgentRequest {
    args = args == null ? Map.of() : Map.copyOf(args);
    containerId = containerId == null ? "" : containerId;
    netns = netns == null ? "" : netns;
    ifName = ifName == null ? "" : ifName;
    config = config == null ? JsonObject.create() : config;
  }

  public AgentRequest(
      String verb,
      String containerId,
      String netns,
      String ifName,
      Map<String, String> args,
      JsonObject config) {
    this(VERSION, verb, containerId, netns, ifName, args, config);
  }

  /** Pod name from {@code K8S_POD_NAMESPACE}/{@code K8S_POD_NAME}, or the container id. */
  public String podRef() {
    String name = args.get("K8S_POD_NAME");
    String ns = args.get("K8S_POD_NAMESPACE");
    if (name == null || name.isEmpty()) {
      return containerId;
    }
    return (ns == null || ns.isEmpty() ? "" : ns + "/") + name;
  }

  public String toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("v", version);
    m.put("verb", verb);
    m.put("containerId", containerId);
    m.put("netns", netns);
    m.put("ifName", ifName);
    m.put("args", args);
    m.put("config", config.map());
    return Json.write(m);
  }

  /**
   * Decodes a request line.
   *
   * @throws JsonException or {@link FieldException} for a malformed request
   */
  public static AgentRequest fromJson(String line) {
    JsonObject o = Json.parseObject(line);
    int v = (int) o.integer("v");
    JsonObject argsObj = o.optObject("args").orElse(JsonObject.create());
    Map<String, String> args = new LinkedHashMap<>();
    for (String k : argsObj.map().keySet()) {
      args.put(k, argsObj.string(k));
    }
    return new AgentRequest(
        v,
        o.string("verb"),
        o.optString("containerId").orElse(""),
        o.optString("netns").orElse(""),
        o.optString("ifName").orElse(""),
        args,
        o.optObject("config").orElse(JsonObject.create()));
  }
}
