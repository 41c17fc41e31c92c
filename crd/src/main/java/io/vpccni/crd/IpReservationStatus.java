package io.vpccni.crd;

/**
 * Where the address is and who uses it. The agents write {@code phase} Bound/Released and the
 * request fields ({@code wanted*}); the controller writes the outcome of a move ({@code node},
 * {@code eniId}, {@code message}, phase Moving while it works). Writers use optimistic concurrency
 * (resourceVersion), so neither overwrites the other.
 */
public class IpReservationStatus {
  /** {@code Bound}, {@code Released} or {@code Moving}. */
  public String phase;

  /** The node whose ENI holds the address; null or empty when no ENI holds it. */
  public String node;

  /** The ENI that holds the address. */
  public String eniId;

  /** The uid of the pod that last bound it. */
  public String podUid;

  /** RFC 3339 time the pod let it go; the TTL counts from here. */
  public String releasedAt;

  /** The node whose agent asked for the address last (its pod was scheduled there). */
  public String wantedNode;

  /** The uid of the pod that asked. */
  public String wantedByUid;

  /** RFC 3339 time of that request. */
  public String wantedAt;

  /** The last move's outcome (why it failed, or where it went). */
  public String message;
}
