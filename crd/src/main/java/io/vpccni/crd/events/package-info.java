/**
 * Kubernetes core/v1 Events as series: {@link io.vpccni.crd.events.EventRecorder} posts one Event
 * per object and reason and then only raises its count, at most once per interval, so that a pod
 * retried every second by the kubelet makes one Event that {@code kubectl describe} shows as {@code
 * (x42 over 3m)}, not 180. Shared by agent (Events on pods) and controller (Events on nodes); it
 * depends on the fabric8 client API only.
 */
package io.vpccni.crd.events;
