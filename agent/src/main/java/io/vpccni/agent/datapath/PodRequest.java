package io.vpccni.agent.datapath;

import java.nio.file.Path;

/**
 * What a datapath needs from an ADD: where the pod lives, what to call its interface, and its
 * bandwidth limits if it has any.
 */
public record PodRequest(
    String containerId,
    String ifName,
    Path netns,
    int mtu,
    String podRef,
    java.util.Optional<Bandwidth> bandwidth) {
  public PodRequest(String containerId, String ifName, Path netns, int mtu, String podRef) {
    this(containerId, ifName, netns, mtu, podRef, java.util.Optional.empty());
  }
}
