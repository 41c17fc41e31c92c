package io.vpccni.emulator.api;

import io.vpccni.emulator.faults.FaultRule;
import io.vpccni.emulator.faults.Faults;
import io.vpccni.emulator.model.Event;
import io.vpccni.emulator.model.Instance;
import io.vpccni.emulator.model.InstanceType;
import io.vpccni.emulator.model.Vpc;
import io.vpccni.emulator.model.VpcException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The emulator's own API under {@code /emulator}: instances, faults, state, events. Never faulted.
 * Errors use the Neutron shape.
 */
public final class AdminApi implements Api {

  /** Saves and loads the VPC state; {@code path} null means the configured state file. */
  public interface StateStore {
    Path save(Path path) throws IOException;

    Path load(Path path) throws IOException;
  }

  private final Vpc vpc;
  private final Faults faults;
  private final StateStore store;

  AdminApi(Vpc vpc, Faults faults, StateStore store) {
    this.vpc = vpc;
    this.faults = faults;
    this.store = store;
  }

  @Override
  public Optional<Route> route(Request r) {
    List<String> p = r.path();
    String m = r.method();
    String what = p.size() > 1 ? p.get(1) : "";
    Route.Handler h =
        switch (what + " " + p.size() + " " + m) {
          case "instance-types 2 GET" -> this::instanceTypes;
          case "instances 2 GET" -> this::listInstances;
          case "instances 2 POST" -> this::createInstance;
          case "instances 3 GET" -> this::showInstance;
          case "faults 2 GET" -> req -> Response.json(200, faultsView());
          case "faults 2 PUT" -> this::replaceFaults;
          case "faults 2 DELETE" -> this::clearFaults;
          case "faults 3 PUT" -> this::setFault;
          case "state 2 GET" -> req -> Response.json(200, Json.MAPPER.valueToTree(vpc.snapshot()));
          case "state 3 POST" -> this::state;
          case "events 2 GET" -> this::events;
          default -> null;
        };
    return Optional.ofNullable(h).map(handler -> new Route(null, handler));
  }

  @Override
  public Response error(int status, String type, String message) {
    ObjectNode root = Json.object();
    ObjectNode e = root.putObject("NeutronError");
    e.put("type", type);
    e.put("message", message);
    e.put("detail", "");
    return Response.json(status, root);
  }

  private Response instanceTypes(Request r) {
    ObjectNode root = Json.object();
    ArrayNode a = root.putArray("instance_types");
    for (InstanceType t : InstanceType.CATALOGUE) {
      ObjectNode o = a.addObject();
      o.put("name", t.name());
      o.put("max_enis", t.maxEnis());
      o.put("ips_per_eni", t.ipsPerEni());
    }
    return Response.json(200, root);
  }

  private Response createInstance(Request r) {
    JsonNode b = Json.member(r.body(), "instance");
    String name = Json.string(b, "name");
    String type = Json.string(b, "instance_type");
    String subnet = Json.string(b, "subnet_id");
    if (name == null || type == null || subnet == null) {
      throw new VpcException(
          400, "HTTPBadRequest", "instance needs name, instance_type and subnet_id");
    }
    Instance i = vpc.createInstance(name, type, subnet, Json.string(b, "host"));
    return Response.json(201, single(i));
  }

  private Response listInstances(Request r) {
    ObjectNode root = Json.object();
    ArrayNode a = root.putArray("instances");
    vpc.instances().forEach(i -> a.add(view(i)));
    return Response.json(200, root);
  }

  private Response showInstance(Request r) {
    Instance i =
        vpc.instance(r.segment(2))
            .orElseThrow(
                () ->
                    new VpcException(
                        404,
                        "InstanceNotFound",
                        "Instance " + r.segment(2) + " could not be found."));
    return Response.json(200, single(i));
  }

  private static ObjectNode single(Instance i) {
    ObjectNode root = Json.object();
    root.set("instance", view(i));
    return root;
  }

  private static ObjectNode view(Instance i) {
    InstanceType t = InstanceType.byName(i.instanceType).orElseThrow();
    ObjectNode o = Json.object();
    o.put("id", i.id);
    o.put("name", i.name);
    o.put("instance_type", i.instanceType);
    o.put("max_enis", t.maxEnis());
    o.put("ips_per_eni", t.ipsPerEni());
    o.put("host", i.host);
    o.put("primary_port_id", i.primaryPortId);
    ObjectNode ifs = o.putObject("interfaces");
    i.interfaces.forEach((k, v) -> ifs.put(Integer.toString(k), v));
    o.put("created_at", i.createdAt);
    return o;
  }

  private ObjectNode faultsView() {
    ObjectNode root = Json.object();
    ObjectNode rules = root.putObject("rules");
    faults.rules().forEach((op, rule) -> rules.set(op, ruleView(rule)));
    root.put("port_visibility_delay_ms", faults.portVisibilityDelayMillis());
    root.put("update_window_ms", faults.updateWindowMillis());
    return root;
  }

  private Response replaceFaults(Request r) {
    JsonNode b = r.body() == null ? Json.object() : r.body();
    try {
      faults.clear();
      JsonNode rules = b.get("rules");
      if (rules != null) {
        for (Map.Entry<String, JsonNode> e : rules.properties()) {
          faults.set(e.getKey(), rule(e.getValue()));
        }
      }
      if (b.has("port_visibility_delay_ms")) {
        faults.setPortVisibilityDelayMillis(b.get("port_visibility_delay_ms").asLong());
      }
      if (b.has("update_window_ms")) {
        faults.setUpdateWindowMillis(b.get("update_window_ms").asLong());
      }
    } catch (IllegalArgumentException e) {
      throw new VpcException(400, "HTTPBadRequest", e.getMessage());
    }
    vpc.event("faults.set", "", b.toString());
    return Response.json(200, faultsView());
  }

  private Response setFault(Request r) {
    try {
      faults.set(r.segment(2), rule(r.body() == null ? Json.object() : r.body()));
    } catch (IllegalArgumentException e) {
      throw new VpcException(400, "HTTPBadRequest", e.getMessage());
    }
    vpc.event("faults.set", r.segment(2), String.valueOf(r.body()));
    return Response.json(200, faultsView());
  }

  private Response clearFaults(Request r) {
    faults.clear();
    vpc.event("faults.cleared", "", "");
    return Response.empty(204);
  }

  private static FaultRule rule(JsonNode j) {
    FaultRule d = FaultRule.NONE;
    return new FaultRule(
        j.has("latency_ms") ? j.get("latency_ms").asLong() : d.latencyMillis(),
        j.has("throttle_fraction") ? j.get("throttle_fraction").asDouble() : d.throttleFraction(),
        j.has("rate_limit_per_second")
            ? j.get("rate_limit_per_second").asDouble()
            : d.rateLimitPerSecond(),
        j.has("retry_after_s") ? j.get("retry_after_s").asInt() : d.retryAfterSeconds(),
        j.has("error_fraction") ? j.get("error_fraction").asDouble() : d.errorFraction(),
        j.has("error_status") ? j.get("error_status").asInt() : d.errorStatus(),
        j.has("fail_next") ? j.get("fail_next").asInt() : d.failNext());
  }

  private static ObjectNode ruleView(FaultRule r) {
    ObjectNode o = Json.object();
    o.put("latency_ms", r.latencyMillis());
    o.put("throttle_fraction", r.throttleFraction());
    o.put("rate_limit_per_second", r.rateLimitPerSecond());
    o.put("retry_after_s", r.retryAfterSeconds());
    o.put("error_fraction", r.errorFraction());
    o.put("error_status", r.errorStatus());
    o.put("fail_next", r.failNext());
    return o;
  }

  private Response state(Request r) {
    String action = r.segment(2);
    String given = r.body() == null ? null : Json.string(r.body(), "path");
    Path path = given == null ? null : Path.of(given);
    try {
      Path used =
          switch (action) {
            case "save" -> store.save(path);
            case "load" -> store.load(path);
            default ->
                throw new VpcException(404, "HTTPNotFound", "The resource could not be found.");
          };
      ObjectNode o = Json.object();
      o.put("path", used.toString());
      return Response.json(200, o);
    } catch (IOException e) {
      throw new VpcException(
          500, "StateIOError", "failed to " + action + " state: " + e.getMessage());
    } catch (IllegalStateException e) {
      throw new VpcException(400, "HTTPBadRequest", e.getMessage());
    } catch (UncheckedIOException e) {
      throw new VpcException(
          500, "StateIOError", "failed to " + action + " state: " + e.getMessage());
    }
  }

  private Response events(Request r) {
    long since = r.param("since") == null ? 0 : Long.parseLong(r.param("since"));
    ObjectNode root = Json.object();
    ArrayNode a = root.putArray("events");
    for (Event e : vpc.events(since)) {
      ObjectNode o = a.addObject();
      o.put("seq", e.seq());
      o.put("time", e.time());
      o.put("type", e.type());
      o.put("resource_id", e.resourceId());
      o.put("detail", e.detail());
    }
    return Response.json(200, root);
  }
}
