package io.vpccni.cloud;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The tags that mark an ENI as created by vpc-cni for one cluster and node, so that garbage
 * collection can find what is ours and whose node is gone. As key/value pairs (EC2, Alibaba,
 * Volcengine) they are {@code vpc-cni:cluster}, {@code vpc-cni:node}, {@code vpc-cni:created-at};
 * as Neutron-style plain strings they are {@code key=value}, e.g. {@code vpc-cni:cluster=prod}.
 *
 * <p>Keys avoid {@code /} and values may not contain {@code ,}, {@code /} or {@code =}, because
 * Neutron puts a tag in a URL path ({@code PUT /v2.0/ports/{id}/tags/{tag}}) and separates tag
 * filters with commas. A tag string is at most {@value #MAX_TAG_LENGTH} characters (Neutron's
 * limit). The creation time is ISO-8601 UTC to the second.
 *
 * @param clusterId the cluster's id, {@code [A-Za-z0-9._-]}, 1 to 63 characters
 * @param nodeName the Kubernetes node the ENI was created for
 * @param createdAt when the controller created it (truncated to seconds)
 */
public record OwnershipTags(String clusterId, String nodeName, Instant createdAt) {

  public static final String PREFIX = "vpc-cni:";
  public static final String CLUSTER_KEY = PREFIX + "cluster";
  public static final String NODE_KEY = PREFIX + "node";
  public static final String CREATED_AT_KEY = PREFIX + "created-at";
  public static final int MAX_TAG_LENGTH = 255;

  private static final Pattern CLUSTER_ID = Pattern.compile("[A-Za-z0-9._-]{1,63}");
  private static final Pattern VALUE = Pattern.compile("[^,/=\\s]+");

  public OwnershipTags {
    Objects.requireNonNull(clusterId, "clusterId");
    Objects.requireNonNull(nodeName, "nodeName");
    Objects.requireNonNull(createdAt, "createdAt");
    if (!CLUSTER_ID.matcher(clusterId).matches()) {
      throw new IllegalArgumentException(
          "bad tag "
              + CLUSTER_KEY
              + "=\""
              + clusterId
              + "\": a cluster id is 1 to 63 of [A-Za-z0-9._-]");
    }
    checkValue(NODE_KEY, nodeName);
    createdAt = createdAt.truncatedTo(ChronoUnit.SECONDS);
  }

  /** Tags as key/value pairs, in the order cluster, node, created-at. */
  public Map<String, String> toMap() {
    var m = new LinkedHashMap<String, String>();
    m.put(CLUSTER_KEY, clusterId);
    m.put(NODE_KEY, nodeName);
    m.put(CREATED_AT_KEY, createdAt.toString());
    return java.util.Collections.unmodifiableMap(m);
  }

  /** Tags as Neutron-style {@code key=value} strings. */
  public List<String> toStrings() {
    return toStrings(toMap());
  }

  /** The key/value pairs that select every ENI of {@code clusterId}, for {@link EniFilter}. */
  public static Map<String, String> clusterSelector(String clusterId) {
    return Map.of(CLUSTER_KEY, clusterId);
  }

  /** The key/value pairs that select the ENIs of one node of one cluster. */
  public static Map<String, String> nodeSelector(String clusterId, String nodeName) {
    return Map.of(CLUSTER_KEY, clusterId, NODE_KEY, nodeName);
  }

  /** Any key/value map as {@code key=value} strings (in the map's order). */
  public static List<String> toStrings(Map<String, String> tags) {
    var out = new ArrayList<String>(tags.size());
    tags.forEach((k, v) -> out.add(k + "=" + v));
    return List.copyOf(out);
  }

  /**
   * Parses {@code key=value} strings into a map. Strings without {@code =} are tags someone else
   * put there and are kept under their whole text with an empty value; a string with an empty key
   * is rejected.
   *
   * @throws IllegalArgumentException naming the malformed tag
   */
  public static Map<String, String> parseStrings(Collection<String> tags) {
    var m = new LinkedHashMap<String, String>();
    for (String t : tags) {
      int eq = t.indexOf('=');
      if (eq == 0) {
        throw new IllegalArgumentException("malformed tag \"" + t + "\": empty key");
      }
      if (eq < 0) {
        m.put(t, "");
      } else {
        m.put(t.substring(0, eq), t.substring(eq + 1));
      }
    }
    return m;
  }

  /**
   * Reads the ownership tags from an ENI's tags. Empty when the ENI carries no {@code
   * vpc-cni:cluster} tag (not ours, or someone else's).
   *
   * @throws IllegalArgumentException naming the tag, when the cluster tag is there but a tag is
   *     missing or malformed (an ENI half-tagged by us, or tampered with)
   */
  public static Optional<OwnershipTags> fromMap(Map<String, String> tags) {
    String cluster = tags.get(CLUSTER_KEY);
    if (cluster == null) {
      return Optional.empty();
    }
    String node = required(tags, NODE_KEY);
    String created = required(tags, CREATED_AT_KEY);
    Instant at;
    try {
      at = Instant.parse(created);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "malformed tag "
              + CREATED_AT_KEY
              + "=\""
              + created
              + "\": not an ISO-8601 instant such as 2026-01-02T03:04:05Z",
          e);
    }
    return Optional.of(new OwnershipTags(cluster, node, at));
  }

  /** {@link #fromMap} over Neutron-style {@code key=value} strings. */
  public static Optional<OwnershipTags> fromStrings(Collection<String> tags) {
    return fromMap(parseStrings(tags));
  }

  /**
   * A predicate on an ENI's tags: true when the tags say it is ours for {@code clusterId}. Never
   * throws; an ENI with malformed ownership tags counts as not ours (and is left alone).
   */
  public static Predicate<Map<String, String>> isOursFor(String clusterId) {
    Objects.requireNonNull(clusterId, "clusterId");
    return tags -> {
      try {
        return fromMap(tags).map(t -> t.clusterId().equals(clusterId)).orElse(false);
      } catch (IllegalArgumentException malformed) {
        return false;
      }
    };
  }

  private static String required(Map<String, String> tags, String key) {
    String v = tags.get(key);
    if (v == null) {
      throw new IllegalArgumentException(
          "missing tag " + key + ": an ENI tagged " + CLUSTER_KEY + " must carry it");
    }
    checkValue(key, v);
    return v;
  }

  private static void checkValue(String key, String value) {
    if (!VALUE.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "malformed tag "
              + key
              + "=\""
              + value
              + "\": a value is non-empty, without spaces, ',', '/' or '='");
    }
    if (key.length() + 1 + value.length() > MAX_TAG_LENGTH) {
      throw new IllegalArgumentException(
          "malformed tag " + key + ": longer than " + MAX_TAG_LENGTH + " characters");
    }
  }
}
