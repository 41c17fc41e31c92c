package io.vpccni.cloud.openstack;

import io.vpccni.cloud.CloudException;
import io.vpccni.cloud.CloudException.Reason;
import io.vpccni.cloud.VpcApi;
import io.vpccni.cloud.openstack.api.ComputeClient;
import io.vpccni.cloud.openstack.api.KeystoneCredentials;
import io.vpccni.cloud.openstack.api.KeystoneSession;
import io.vpccni.cloud.openstack.api.ListFilter;
import io.vpccni.cloud.openstack.api.Network;
import io.vpccni.cloud.openstack.api.NeutronClient;
import io.vpccni.cloud.openstack.api.NoAuthSession;
import io.vpccni.cloud.openstack.api.OpenStackApiException;
import io.vpccni.cloud.openstack.api.OpenStackSession;
import io.vpccni.cloud.spi.VpcApiProvider;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code openstack} provider. Settings (all strings):
 *
 * <ul>
 *   <li>{@code endpoint.network}, {@code endpoint.compute}: fixed endpoints without authentication
 *       (the VPC emulator, a noauth neutron-server); or
 *   <li>{@code auth.url}, {@code auth.username}, {@code auth.password}, {@code auth.project},
 *       optional {@code auth.domain} (user and project domain, default {@code Default}) and {@code
 *       region}: Keystone v3 password authentication, endpoints from the catalog;
 *   <li>{@code network}: the VPC network, by id or unique name (required);
 *   <li>{@code flavor.<name>=<enis>x<ipsPerEni>}: the limits of each flavor nodes may run, e.g.
 *       {@code flavor.m5.large=3x9} (Nova has none to read).
 * </ul>
 *
 * A bad, missing or unknown setting is {@code INVALID_REQUEST} naming it.
 */
public final class OpenStackVpcApiProvider implements VpcApiProvider {
  private static final String ACTION = "create the openstack provider";
  private static final String FLAVOR = "flavor.";
  private static final Set<String> KNOWN =
      Set.of(
          "endpoint.network",
          "endpoint.compute",
          "auth.url",
          "auth.username",
          "auth.password",
          "auth.project",
          "auth.domain",
          "region",
          "network");

  @Override
  public String name() {
    return "openstack";
  }

  @Override
  public VpcApi create(Map<String, String> settings) {
    for (String key : settings.keySet()) {
      if (!KNOWN.contains(key) && !key.startsWith(FLAVOR)) {
        throw invalid(
            key,
            "unknown setting; known: "
                + String.join(", ", KNOWN.stream().sorted().toList())
                + ", flavor.<name>");
      }
    }
    Map<String, FlavorLimits> flavors = new HashMap<>();
    settings.forEach(
        (k, v) -> {
          if (k.startsWith(FLAVOR)) {
            String flavor = k.substring(FLAVOR.length());
            if (flavor.isEmpty()) {
              throw invalid(k, "no flavor name after \"flavor.\"");
            }
            try {
              flavors.put(flavor, FlavorLimits.parse(v));
            } catch (IllegalArgumentException e) {
              throw invalid(k, e.getMessage());
            }
          }
        });
    OpenStackSession session = session(settings);
    NeutronClient neutron = new NeutronClient(session);
    ComputeClient compute = new ComputeClient(session);
    String network = required(settings, "network");
    return new OpenStackVpcApi(neutron, compute, resolveNetwork(neutron, network), flavors);
  }

  private static OpenStackSession session(Map<String, String> s) {
    boolean fixed = s.containsKey("endpoint.network") || s.containsKey("endpoint.compute");
    boolean keystone = s.containsKey("auth.url");
    if (fixed && keystone) {
      throw invalid("auth.url", "give either endpoint.* (no authentication) or auth.*, not both");
    }
    if (fixed) {
      return NoAuthSession.of(
          Map.of(
              OpenStackSession.NETWORK, uri(s, "endpoint.network"),
              OpenStackSession.COMPUTE, uri(s, "endpoint.compute")));
    }
    if (!keystone) {
      throw invalid("auth.url", "missing; give auth.* or endpoint.network and endpoint.compute");
    }
    String domain = s.get("auth.domain");
    var credentials =
        new KeystoneCredentials(
            uri(s, "auth.url"),
            required(s, "auth.username"),
            domain,
            required(s, "auth.password"),
            required(s, "auth.project"),
            domain,
            s.get("region"),
            null);
    return new KeystoneSession(
        credentials,
        java.net.http.HttpClient.newBuilder()
            .version(java.net.http.HttpClient.Version.HTTP_1_1)
            .connectTimeout(java.time.Duration.ofSeconds(10))
            .build());
  }

  /** The network's id: the setting as an id, else the one network of that name. */
  private static String resolveNetwork(NeutronClient neutron, String network) {
    String action = "find VPC network " + network + " (setting network)";
    try {
      return neutron.getNetwork(network).id();
    } catch (OpenStackApiException e) {
      if (!e.isNotFound()) {
        throw Errors.map(e, action);
      }
    }
    List<Network> named;
    try {
      named = neutron.listNetworks(ListFilter.all().name(network));
    } catch (OpenStackApiException e) {
      throw Errors.map(e, action);
    }
    if (named.size() != 1) {
      throw invalid(
          "network",
          named.isEmpty()
              ? "no network has id or name " + network
              : named.size() + " networks are named " + network + "; give the id");
    }
    return named.getFirst().id();
  }

  private static String required(Map<String, String> s, String key) {
    String v = s.get(key);
    if (v == null || v.isBlank()) {
      throw invalid(key, "missing");
    }
    return v.strip();
  }

  private static URI uri(Map<String, String> s, String key) {
    String v = required(s, key);
    try {
      URI u = new URI(v);
      if (u.getScheme() == null || u.getHost() == null || !u.getScheme().startsWith("http")) {
        throw invalid(key, "\"" + v + "\" is not an http(s) URL");
      }
      return u;
    } catch (URISyntaxException e) {
      throw invalid(key, "\"" + v + "\" is not a URL: " + e.getMessage());
    }
  }

  private static CloudException invalid(String key, String why) {
    return new CloudException(Reason.INVALID_REQUEST, ACTION, "setting " + key + ": " + why);
  }
}
