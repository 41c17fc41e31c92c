package io.vpccni.cloud.openstack.api;

import io.vpccni.netaddr.IpAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Query parameters of a Neutron list call ({@code GET /v2.0/ports?...}), immutable. Attribute
 * filters are equality matches; the tag filters follow the {@code standard-attr-tag} extension:
 * {@code tags} (all of), {@code tags-any} (any of), {@code not-tags} (not all of), {@code
 * not-tags-any} (none of), each a comma-separated list (so a tag must not contain a comma); {@code
 * fields} limits the attributes returned (records then carry defaults for the others).
 */
public final class ListFilter {
  private static final ListFilter NONE = new ListFilter(List.of());

  private final List<Map.Entry<String, String>> params;

  private ListFilter(List<Map.Entry<String, String>> params) {
    this.params = List.copyOf(params);
  }

  /** No filter: everything the caller may see. */
  public static ListFilter all() {
    return NONE;
  }

  /** Any attribute, e.g. {@code eq("device_owner", "compute:kube-node")}. */
  public ListFilter eq(String attribute, String value) {
    List<Map.Entry<String, String>> next = new ArrayList<>(params);
    next.add(Map.entry(attribute, value));
    return new ListFilter(next);
  }

  public ListFilter name(String value) {
    return eq("name", value);
  }

  public ListFilter networkId(String value) {
    return eq("network_id", value);
  }

  public ListFilter deviceId(String value) {
    return eq("device_id", value);
  }

  public ListFilter deviceOwner(String value) {
    return eq("device_owner", value);
  }

  public ListFilter projectId(String value) {
    return eq("project_id", value);
  }

  /** {@code binding:host_id}. */
  public ListFilter hostId(String value) {
    return eq("binding:host_id", value);
  }

  /** Ports holding this address: {@code fixed_ips=ip_address=<ip>}. */
  public ListFilter fixedIp(IpAddress ip) {
    return eq("fixed_ips", "ip_address=" + ip);
  }

  /** Resources carrying every one of these tags. */
  public ListFilter tags(Collection<String> tags) {
    return eq("tags", joinTags(tags));
  }

  /** Resources carrying at least one of these tags. */
  public ListFilter tagsAny(Collection<String> tags) {
    return eq("tags-any", joinTags(tags));
  }

  /** Resources not carrying all of these tags. */
  public ListFilter notTags(Collection<String> tags) {
    return eq("not-tags", joinTags(tags));
  }

  /** Resources carrying none of these tags. */
  public ListFilter notTagsAny(Collection<String> tags) {
    return eq("not-tags-any", joinTags(tags));
  }

  /** Return only these attributes (repeated {@code fields=} parameters). */
  public ListFilter fields(String... names) {
    ListFilter f = this;
    for (String n : names) {
      f = f.eq("fields", n);
    }
    return f;
  }

  private static String joinTags(Collection<String> tags) {
    if (tags.isEmpty()) {
      throw new IllegalArgumentException("a tag filter needs at least one tag");
    }
    for (String t : tags) {
      if (t.indexOf(',') >= 0) {
        throw new IllegalArgumentException("a tag in a filter cannot contain a comma: " + t);
      }
    }
    return String.join(",", tags);
  }

  /** The parameters in order, unencoded. */
  public List<Map.Entry<String, String>> params() {
    return params;
  }

  /** {@code ?a=b&c=d}, percent-encoded, or the empty string. */
  public String toQueryString() {
    if (params.isEmpty()) {
      return "";
    }
    return params.stream()
        .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
        .collect(Collectors.joining("&", "?", ""));
  }

  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Override
  public String toString() {
    return toQueryString();
  }
}
