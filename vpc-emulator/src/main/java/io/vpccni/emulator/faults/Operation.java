package io.vpccni.emulator.faults;

import java.util.Set;

/** The names of the API operations faults can target. */
public final class Operation {
  public static final String NETWORKS_LIST = "networks.list";
  public static final String NETWORKS_SHOW = "networks.show";
  public static final String NETWORKS_CREATE = "networks.create";
  public static final String NETWORKS_DELETE = "networks.delete";
  public static final String SUBNETS_LIST = "subnets.list";
  public static final String SUBNETS_SHOW = "subnets.show";
  public static final String SUBNETS_CREATE = "subnets.create";
  public static final String IP_AVAILABILITY = "network_ip_availabilities.show";
  public static final String PORTS_LIST = "ports.list";
  public static final String PORTS_SHOW = "ports.show";
  public static final String PORTS_CREATE = "ports.create";
  public static final String PORTS_UPDATE = "ports.update";
  public static final String PORTS_DELETE = "ports.delete";
  public static final String PORTS_TAGS = "ports.tags";
  public static final String SERVERS_SHOW = "servers.show";
  public static final String INTERFACE_LIST = "servers.interface.list";
  public static final String INTERFACE_ATTACH = "servers.interface.attach";
  public static final String INTERFACE_DETACH = "servers.interface.detach";

  public static final Set<String> NAMES =
      Set.of(
          NETWORKS_LIST,
          NETWORKS_SHOW,
          NETWORKS_CREATE,
          NETWORKS_DELETE,
          SUBNETS_LIST,
          SUBNETS_SHOW,
          SUBNETS_CREATE,
          IP_AVAILABILITY,
          PORTS_LIST,
          PORTS_SHOW,
          PORTS_CREATE,
          PORTS_UPDATE,
          PORTS_DELETE,
          PORTS_TAGS,
          SERVERS_SHOW,
          INTERFACE_LIST,
          INTERFACE_ATTACH,
          INTERFACE_DETACH);

  private Operation() {}
}
