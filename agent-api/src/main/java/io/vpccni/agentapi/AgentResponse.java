package io.vpccni.agentapi;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The agent's answer: either success, with an optional CNI result in the newest supported shape
 * (cniVersion 1.1.0; the binary converts it to the version the runtime asked for), or an error with
 * a CNI error code.
 */
public record AgentResponse(JsonObject result, AgentError error) {

  /** A CNI-shaped error: {@code code} is one of the spec's codes or ours (≥ 100). */
  public record AgentError(int code, String msg, String details) {
    public AgentError {
      msg = msg == null ? "" : msg;
      details = details == null ? "" : details;
    }
  }

  public static AgentResponse ok() {
    return new AgentResponse(null, null);
  }

  public static AgentResponse ok(JsonObject result) {
    return new AgentResponse(result, null);
  }

  public static AgentResponse error(int code, String msg, String details) {
    return new AgentResponse(null, new AgentError(code, msg, details));
  }

  public boolean isOk() {
    return error == null;
  }

  public String toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("v", AgentRequest.VERSION);
    if (error != null) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("code", error.code());
      e.put("msg", error.msg());
      if (!error.details().isEmpty()) {
        e.put("details", error.details());
      }
      m.put("error", e);
    } else if (result != null) {
      m.put("result", result.map());
    }
    return Json.write(m);
  }

  public static AgentResponse fromJson(String line) {
    JsonObject o = Json.parseObject(line);
    var err = o.optObject("error");
    if (err.isPresent()) {
      JsonObject e = err.get();
      return error(
          (int) e.integer("code"),
          e.optString("msg").orElse(""),
          e.optString("details").orElse(""));
    }
    return new AgentResponse(o.optObject("result").orElse(null), null);
  }
}
