package io.vpccni.emulator.api;

import io.vpccni.emulator.model.Port;
import io.vpccni.emulator.model.VpcException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Neutron's list query: attribute filters, tag filters, {@code fixed_ips} filters, {@code fields}.
 */
final class ListQuery {
  private static final Set<String> LIST_CONTROL =
      Set.of(
          "fields",
          "tags",
          "tags-any",
          "not-tags",
          "not-tags-any",
          "fixed_ips",
          "limit",
          "marker",
          "sort_key",
          "sort_dir",
          "page_reverse");

  private ListQuery() {}

  /**
   * Applies Neutron's list query: attribute filters (repeated values OR'ed, unknown attributes
   * refused with 400 as with filter validation on), the four tag filters, and {@code fields}.
   */
  static ObjectNode list(Request r, String key, List<ObjectNode> views, boolean strict) {
    List<ObjectNode> out = new ArrayList<>();
    for (ObjectNode v : views) {
      if (matches(r, v, strict)) {
        out.add(fields(r, v));
      }
    }
    ObjectNode root = Json.object();
    ArrayNode a = root.putArray(key);
    out.forEach(a::add);
    return root;
  }

  private static boolean matches(Request r, ObjectNode v, boolean strict) {
    for (var e : r.query().entrySet()) {
      String k = e.getKey();
      if (LIST_CONTROL.contains(k)) {
        continue;
      }
      JsonNode actual = v.get(k);
      if (actual == null) {
        if (strict) {
          throw new VpcException(
              400, "HTTPBadRequest", "[" + k + "] is invalid attribute for filtering");
        }
        return false;
      }
      String text =
          actual.isNull() ? "" : actual.isValueNode() ? actual.asString() : actual.toString();
      if (!e.getValue().contains(text)) {
        return false;
      }
    }
    List<String> tags = new ArrayList<>();
    v.get("tags").forEach(t -> tags.add(t.asString()));
    for (String all : r.params("tags")) {
      if (!tags.containsAll(split(all))) {
        return false;
      }
    }
    for (String any : r.params("tags-any")) {
      if (split(any).stream().noneMatch(tags::contains)) {
        return false;
      }
    }
    for (String all : r.params("not-tags")) {
      if (tags.containsAll(split(all))) {
        return false;
      }
    }
    for (String any : r.params("not-tags-any")) {
      if (split(any).stream().anyMatch(tags::contains)) {
        return false;
      }
    }
    return true;
  }

  /** {@code fixed_ips=ip_address=X} / {@code fixed_ips=subnet_id=S}: every key must match. */
  static boolean matchesFixedIps(Port p, List<String> filters) {
    for (String f : filters) {
      int eq = f.indexOf('=');
      if (eq < 0) {
        throw new VpcException(
            400, "HTTPBadRequest", "Invalid input for fixed_ips filter: '" + f + "'");
      }
      String k = f.substring(0, eq);
      String val = f.substring(eq + 1);
      boolean hit =
          switch (k) {
            case "ip_address" -> p.fixedIps.stream().anyMatch(ip -> ip.ipAddress().equals(val));
            case "subnet_id" -> p.fixedIps.stream().anyMatch(ip -> ip.subnetId().equals(val));
            case "ip_address_substr" ->
                p.fixedIps.stream().anyMatch(ip -> ip.ipAddress().contains(val));
            default ->
                throw new VpcException(
                    400, "HTTPBadRequest", "Invalid input for fixed_ips filter key '" + k + "'");
          };
      if (!hit) {
        return false;
      }
    }
    return true;
  }

  private static List<String> split(String csv) {
    return List.of(csv.split(","));
  }

  static ObjectNode fields(Request r, ObjectNode v) {
    List<String> fields = r.params("fields");
    if (fields.isEmpty()) {
      return v;
    }
    ObjectNode o = Json.object();
    for (String f : fields) {
      if (v.has(f)) {
        o.set(f, v.get(f));
      }
    }
    return o;
  }

  static ObjectNode single(String key, ObjectNode v) {
    ObjectNode root = Json.object();
    root.set(key, v);
    return root;
  }
}
