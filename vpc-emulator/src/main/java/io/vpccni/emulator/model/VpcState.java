package io.vpccni.emulator.model;

import java.util.ArrayList;
import java.util.List;

/** Everything the emulator must keep across a restart; written to and read from a JSON file. */
public final class VpcState {
  public int formatVersion = 1;
  public List<Network> networks = new ArrayList<>();
  public List<Subnet> subnets = new ArrayList<>();
  public List<Port> ports = new ArrayList<>();
  public List<Instance> instances = new ArrayList<>();
}
