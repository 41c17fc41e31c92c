package io.vpccni.cni;

import io.vpccni.agentapi.FieldException;
import io.vpccni.agentapi.JsonObject;
import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.MacAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an ADD result in the shape of one spec version and writes it in the shape of another,
 * checking every field on the way (a bad field throws {@link FieldException} naming its path, such
 * as {@code prevResult.ips[0].address}). Only the spec's fields are carried; unknown ones are
 * dropped.
 *
 * <p>What differs between the versions we speak (spec §5 at each tag):
 *
 * <ul>
 *   <li>0.4.0: every {@code ips[]} entry has {@code "version": "4"|"6"}.
 *   <li>1.0.0: {@code ips[].version} removed.
 *   <li>1.1.0: adds interface {@code mtu}, {@code socketPath}, {@code pciID} and route {@code mtu},
 *       {@code advmss}, {@code priority}, {@code table}, {@code scope}.
 * </ul>
 *
 * The agent always answers in the 1.1.0 shape; {@link #convert} turns that into what the runtime's
 * configuration asked for, with {@code cniVersion} set to it.
 */
public final class ResultConverter {
  private static final long UINT32_MAX = 0xffff_ffffL;

  private ResultConverter() {}

  /** The agent's result (1.1.0 shape) as the result for a runtime speaking {@code to}. */
  public static Map<String, Object> convert(JsonObject agentResult, CniVersion to) {
    return transform(agentResult, CniVersion.LATEST, to);
  }

  /** Checks that {@code result} is a valid result of version {@code version}. */
  public static void validate(JsonObject result, CniVersion version) {
    transform(result, version, version);
  }

  /**
   * Reads {@code in} as a result of version {@code from} and writes it as version {@code to}.
   *
   * @throws FieldException naming the first bad field
   */
  public static Map<String, Object> transform(JsonObject in, CniVersion from, CniVersion to) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("cniVersion", to.text());
    List<JsonObject> ifaces = in.objects("interfaces");
    if (!ifaces.isEmpty()) {
      List<Object> list = new ArrayList<>(ifaces.size());
      for (JsonObject f : ifaces) {
        list.add(iface(f, to));
      }
      out.put("interfaces", list);
    }
    List<JsonObject> ips = in.objects("ips");
    if (!ips.isEmpty()) {
      List<Object> list = new ArrayList<>(ips.size());
      for (JsonObject ip : ips) {
        list.add(ip(ip, ifaces.size(), from, to));
      }
      out.put("ips", list);
    }
    List<JsonObject> routes = in.objects("routes");
    if (!routes.isEmpty()) {
      List<Object> list = new ArrayList<>(routes.size());
      for (JsonObject r : routes) {
        list.add(route(r, to));
      }
      out.put("routes", list);
    }
    var dns = in.optObject("dns");
    if (dns.isPresent()) {
      out.put("dns", dns(dns.get()));
    }
    return out;
  }

  private static Map<String, Object> iface(JsonObject f, CniVersion to) {
    Map<String, Object> m = new LinkedHashMap<>();
    String name = f.optString("name").orElse("");
    if (name.isEmpty()) {
      throw f.missing("name", "non-empty string");
    }
    m.put("name", name);
    var mac = f.optString("mac");
    if (mac.isPresent() && !mac.get().isEmpty()) {
      try {
        MacAddress.parse(mac.get());
      } catch (IllegalArgumentException e) {
        throw f.invalid("mac", e.getMessage());
      }
      m.put("mac", mac.get());
    }
    Long mtu = optUint(f, "mtu", UINT32_MAX);
    if (mtu != null && to.atLeast(CniVersion.V1_1_0)) {
      m.put("mtu", mtu);
    }
    var sandbox = f.optString("sandbox");
    if (sandbox.isPresent() && !sandbox.get().isEmpty()) {
      m.put("sandbox", sandbox.get());
    }
    var socketPath = f.optString("socketPath");
    var pciId = f.optString("pciID");
    if (to.atLeast(CniVersion.V1_1_0)) {
      if (socketPath.isPresent() && !socketPath.get().isEmpty()) {
        m.put("socketPath", socketPath.get());
      }
      if (pciId.isPresent() && !pciId.get().isEmpty()) {
        m.put("pciID", pciId.get());
      }
    }
    return m;
  }

  private static Map<String, Object> ip(
      JsonObject ip, int interfaces, CniVersion from, CniVersion to) {
    Map<String, Object> m = new LinkedHashMap<>();
    String address = requiredString(ip, "address", "string");
    IpAddress a = prefix(ip, "address", address);
    String family = a.isV4() ? "4" : "6";
    if (from == CniVersion.V0_4_0) {
      String v = requiredString(ip, "version", "\"4\" or \"6\"");
      if (!v.equals(family)) {
        throw ip.invalid(
            "version",
            "is \"" + Names.printable(v) + "\" but address " + address + " is IPv" + family);
      }
    }
    if (to == CniVersion.V0_4_0) {
      m.put("version", family);
    }
    Long index = optUint(ip, "interface", UINT32_MAX);
    if (index != null) {
      if (index >= interfaces) {
        throw ip.invalid(
            "interface", "is " + index + " but there are " + interfaces + " interfaces");
      }
      m.put("interface", index);
    }
    m.put("address", address);
    var gw = ip.optString("gateway");
    if (gw.isPresent() && !gw.get().isEmpty()) {
      IpAddress g = address(ip, "gateway", gw.get());
      if (g.isV4() != a.isV4()) {
        throw ip.invalid("gateway", "is not of the same IP family as " + address);
      }
      m.put("gateway", gw.get());
    }
    return m;
  }

  private static Map<String, Object> route(JsonObject r, CniVersion to) {
    Map<String, Object> m = new LinkedHashMap<>();
    String dst = requiredString(r, "dst", "string");
    prefix(r, "dst", dst);
    m.put("dst", dst);
    var gw = r.optString("gw");
    if (gw.isPresent() && !gw.get().isEmpty()) {
      address(r, "gw", gw.get());
      m.put("gw", gw.get());
    }
    Long mtu = optUint(r, "mtu", UINT32_MAX);
    Long advmss = optUint(r, "advmss", UINT32_MAX);
    Long priority = optUint(r, "priority", UINT32_MAX);
    Long table = optUint(r, "table", UINT32_MAX);
    Long scope = optUint(r, "scope", 255);
    if (to.atLeast(CniVersion.V1_1_0)) {
      putIfSet(m, "mtu", mtu);
      putIfSet(m, "advmss", advmss);
      putIfSet(m, "priority", priority);
      putIfSet(m, "table", table);
      putIfSet(m, "scope", scope);
    }
    return m;
  }

  private static Map<String, Object> dns(JsonObject d) {
    Map<String, Object> m = new LinkedHashMap<>();
    List<String> nameservers = d.strings("nameservers");
    for (int i = 0; i < nameservers.size(); i++) {
      try {
        IpAddress.parse(nameservers.get(i));
      } catch (IllegalArgumentException e) {
        throw new FieldException(d.fieldPath("nameservers") + "[" + i + "]", e.getMessage());
      }
    }
    if (!nameservers.isEmpty()) {
      m.put("nameservers", nameservers);
    }
    var domain = d.optString("domain");
    if (domain.isPresent() && !domain.get().isEmpty()) {
      m.put("domain", domain.get());
    }
    List<String> search = d.strings("search");
    if (!search.isEmpty()) {
      m.put("search", search);
    }
    List<String> options = d.strings("options");
    if (!options.isEmpty()) {
      m.put("options", options);
    }
    return m;
  }

  /** A required string field (no lambda: this runs on the start-up path). */
  static String requiredString(JsonObject o, String key, String what) {
    var v = o.optString(key);
    if (v.isEmpty()) {
      throw o.missing(key, what);
    }
    return v.get();
  }

  private static void putIfSet(Map<String, Object> m, String key, Long v) {
    if (v != null) {
      m.put(key, v);
    }
  }

  /** An optional unsigned integer field in {@code 0..max}. */
  static Long optUint(JsonObject o, String key, long max) {
    var v = o.optInteger(key);
    if (v.isEmpty()) {
      return null;
    }
    long n = v.get();
    if (n < 0 || n > max) {
      throw o.invalid(key, "must be between 0 and " + max + ", not " + n);
    }
    return n;
  }

  /**
   * Parses {@code addr/len} (CIDR, host bits allowed, as results carry interface addresses).
   * Hand-rolled rather than {@code IpPrefix.parse} to keep streams off the start-up path.
   */
  static IpAddress prefix(JsonObject o, String key, String text) {
    int slash = text.indexOf('/');
    if (slash < 0) {
      throw o.invalid(
          key, "\"" + Names.printable(text) + "\" is not in CIDR notation (address/length)");
    }
    IpAddress a = address(o, key, text.substring(0, slash));
    int len = 0;
    int digits = text.length() - slash - 1;
    for (int i = slash + 1; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        digits = 0;
        break;
      }
      len = len * 10 + (c - '0');
    }
    if (digits < 1 || digits > 3 || len > a.bitLength()) {
      throw o.invalid(key, "\"" + Names.printable(text) + "\" has a bad prefix length");
    }
    return a;
  }

  static IpAddress address(JsonObject o, String key, String text) {
    try {
      return IpAddress.parse(text);
    } catch (IllegalArgumentException e) {
      throw o.invalid(key, "\"" + Names.printable(text) + "\" is not an IP address");
    }
  }
}
