package io.vpccni.agent.datapath;

import java.nio.file.Path;

/** What a datapath needs from an ADD: where the pod lives and what to call its interface. */
public record PodRequest(String containerId, String ifName, Path netns, int mtu, String podRef) {}
