package io.vpccni.crd.events;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Posts core/v1 Events of type Warning as series, rate-limited per object and reason: the first
 * occurrence creates an Event; later ones within {@code interval} are only counted; the next one
 * after {@code interval} patches the same Event's count, message and last timestamp (the core/v1
 * form of a series, which {@code kubectl describe} prints as {@code (x12 over 5m)}). A series that
 * has been quiet for {@code 10 × interval} starts over with a new Event. Thread-safe. Writing an
 * Event is best effort: a failed write is reported by the return value, never thrown.
 */
public final class EventRecorder {
  /** The namespace of Events about cluster-scoped objects (as kubectl looks them up). */
  public static final String CLUSTER_EVENTS_NAMESPACE = "default";

  private final KubernetesClient kube;
  private final String component;
  private final String host;
  private final Clock clock;
  private final Duration interval;
  private final Map<String, Series> series = new HashMap<>();

  private static final class Series {
    String eventName;
    String namespace;
    int count;
    Instant first;
    Instant lastSeen;
    Instant lastWritten;
  }

  /**
   * @param component {@code source.component} ({@code vpc-cni-agent}, {@code vpc-cni-controller})
   * @param host {@code source.host}: the node the agent runs on, or empty
   * @param interval the least time between two writes of one series
   */
  public EventRecorder(
      KubernetesClient kube, String component, String host, Clock clock, Duration interval) {
    this.kube = kube;
    this.component = component;
    this.host = host == null ? "" : host;
    this.clock = clock;
    this.interval = interval;
  }

  /** What became of one call of {@link #warning}. */
  public enum Outcome {
    CREATED,
    UPDATED,
    /** counted only: the series was written less than the interval ago */
    COUNTED,
    FAILED
  }

  /** Records a Warning about {@code about} (kind, name, namespace if namespaced, and uid). */
  public Outcome warning(ObjectReference about, String reason, String message) {
    Instant now = clock.instant();
    String ns =
        about.getNamespace() == null || about.getNamespace().isEmpty()
            ? CLUSTER_EVENTS_NAMESPACE
            : about.getNamespace();
    String key = about.getKind() + "/" + ns + "/" + about.getName() + "/" + reason;
    Series s;
    synchronized (series) {
      prune(now);
      s = series.get(key);
      if (s == null || s.lastSeen.plus(interval.multipliedBy(10)).isBefore(now)) {
        s = new Series();
        s.namespace = ns;
        s.first = now;
        series.put(key, s);
      }
      s.count++;
      s.lastSeen = now;
      if (s.lastWritten != null && s.lastWritten.plus(interval).isAfter(now)) {
        return Outcome.COUNTED;
      }
      s.lastWritten = now;
    }
    synchronized (s) {
      try {
        if (s.eventName != null) {
          int count = s.count;
          try {
            kube.v1()
                .events()
                .inNamespace(ns)
                .withName(s.eventName)
                .edit(
                    e -> {
                      e.setCount(count);
                      e.setMessage(message);
                      e.setLastTimestamp(now.truncatedTo(ChronoUnit.SECONDS).toString());
                      return e;
                    });
            return Outcome.UPDATED;
          } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
              throw e;
            }
            s.eventName = null; // expired (the API server keeps Events for an hour): start anew
          }
        }
        Event ev =
            new EventBuilder()
                .withNewMetadata()
                .withName(about.getName() + "." + Long.toHexString(now.toEpochMilli()) + suffix())
                .withNamespace(ns)
                .endMetadata()
                .withInvolvedObject(about)
                .withType("Warning")
                .withReason(reason)
                .withMessage(message)
                .withCount(s.count)
                .withFirstTimestamp(s.first.truncatedTo(ChronoUnit.SECONDS).toString())
                .withLastTimestamp(now.truncatedTo(ChronoUnit.SECONDS).toString())
                .withNewSource(component, host.isEmpty() ? null : host)
                .withReportingComponent(component)
                .withReportingInstance(host.isEmpty() ? component : component + "-" + host)
                .build();
        Event created = kube.v1().events().inNamespace(ns).resource(ev).create();
        s.eventName = created.getMetadata().getName();
        return Outcome.CREATED;
      } catch (KubernetesClientException e) {
        return Outcome.FAILED;
      }
    }
  }

  private int seq;

  private synchronized String suffix() {
    return String.format(Locale.ROOT, "%04x", (seq++) & 0xffff);
  }

  private void prune(Instant now) {
    if (series.size() < 1024) {
      return;
    }
    series.values().removeIf(x -> x.lastSeen.plus(interval.multipliedBy(10)).isBefore(now));
  }
}
