package io.vpccni.agent.config;

import io.vpccni.agentapi.FieldException;
import io.vpccni.agentapi.Json;
import io.vpccni.agentapi.JsonException;
import io.vpccni.agentapi.JsonObject;
import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.IpPrefix;
import io.vpccni.netaddr.MacAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the node's ENIs from a static JSON file: {@code {"enis":[{"id":..,"mac":..,"deviceIndex":1,
 * "subnet":"10.0.1.0/24","gateway":"10.0.1.1","primaryIp":"10.0.1.10","ips":["10.0.1.11"]}]}}, and
 * optionally {@code "pool"}: the SubnetPool the ENI's IPs serve (absent: the default pool). Every
 * field is checked (address in subnet, no IP twice, device indexes unique) and an error names the
 * field, e.g. {@code enis[1].ips[3]}.
 */
public final class StaticEniSource {
  private StaticEniSource() {}

  public static List<EniSpec> load(Path file) throws IOException {
    String text = Files.readString(file);
    try {
      return parse(Json.parseObject(text));
    } catch (JsonException | FieldException e) {
      throw new IllegalArgumentException("invalid ENI file " + file + ": " + e.getMessage(), e);
    }
  }

  public static List<EniSpec> parse(JsonObject root) {
    List<EniSpec> out = new ArrayList<>();
    Set<IpAddress> seenIps = new HashSet<>();
    Set<Integer> seenIndexes = new HashSet<>();
    Set<String> seenIds = new HashSet<>();
    for (JsonObject e : root.objects("enis")) {
      String id = e.string("id");
      if (id.isBlank() || !seenIds.add(id)) {
        throw e.invalid("id", id.isBlank() ? "must not be empty" : "duplicate ENI id " + id);
      }
      MacAddress mac = field(e, "mac", () -> MacAddress.parse(e.string("mac")));
      long idx = e.integer("deviceIndex");
      if (idx < 1 || idx > 64) {
        throw e.invalid(
            "deviceIndex", "must be between 1 and 64 (0 is the primary ENI), not " + idx);
      }
      if (!seenIndexes.add((int) idx)) {
        throw e.invalid("deviceIndex", "duplicate device index " + idx);
      }
      IpPrefix subnet = field(e, "subnet", () -> IpPrefix.parse(e.string("subnet")).network());
      IpAddress gw = field(e, "gateway", () -> IpAddress.parse(e.string("gateway")));
      if (!subnet.contains(gw)) {
        throw e.invalid("gateway", gw + " is not in subnet " + subnet);
      }
      IpAddress primary = field(e, "primaryIp", () -> IpAddress.parse(e.string("primaryIp")));
      if (!subnet.contains(primary) || !seenIps.add(primary)) {
        throw e.invalid(
            "primaryIp",
            primary
                + (subnet.contains(primary) ? " appears twice" : " is not in subnet " + subnet));
      }
      List<String> ipTexts = e.strings("ips");
      List<IpAddress> ips = new ArrayList<>();
      for (int i = 0; i < ipTexts.size(); i++) {
        String path = "ips[" + i + "]";
        IpAddress ip;
        try {
          ip = IpAddress.parse(ipTexts.get(i));
        } catch (IllegalArgumentException ex) {
          throw e.invalid(path, ex.getMessage());
        }
        if (!subnet.contains(ip)) {
          throw e.invalid(path, ip + " is not in subnet " + subnet);
        }
        if (ip.equals(gw) || !seenIps.add(ip)) {
          throw e.invalid(path, ip + (ip.equals(gw) ? " is the gateway" : " appears twice"));
        }
        ips.add(ip);
      }
      out.add(
          new EniSpec(
              id, mac, (int) idx, subnet, gw, primary, ips, e.optString("pool").orElse("")));
    }
    return out;
  }

  private interface Parse<T> {
    T get();
  }

  private static <T> T field(JsonObject o, String key, Parse<T> p) {
    try {
      return p.get();
    } catch (FieldException ex) {
      throw ex;
    } catch (IllegalArgumentException ex) {
      throw o.invalid(key, ex.getMessage());
    }
  }
}
