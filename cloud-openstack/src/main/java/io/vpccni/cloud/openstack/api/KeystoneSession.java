package io.vpccni.cloud.openstack.api;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Keystone v3 password token ({@code POST /v3/auth/tokens}; the token is the {@code
 * X-Subject-Token} response header) and endpoint lookup in the token's service catalog. A token is
 * fetched on first use, again when it is within {@link #EXPIRY_MARGIN} of its {@code expires_at},
 * and again after a service answered 401 ({@link #invalidate}). Thread-safe; at most one
 * authentication runs at a time.
 */
public final class KeystoneSession implements OpenStackSession {
  /** A token this close to expiry is replaced before use. */
  public static final Duration EXPIRY_MARGIN = Duration.ofMinutes(2);

  private record Token(String id, Instant expiresAt, JsonNode catalog) {}

  private final KeystoneCredentials credentials;
  private final HttpClient http;
  private final Duration timeout;
  private final Clock clock;
  private Token current;

  public KeystoneSession(
      KeystoneCredentials credentials, HttpClient http, Duration timeout, Clock clock) {
    this.credentials = credentials;
    this.http = http;
    this.timeout = timeout;
    this.clock = clock;
  }

  public KeystoneSession(KeystoneCredentials credentials, HttpClient http) {
    this(credentials, http, Duration.ofSeconds(30), Clock.systemUTC());
  }

  @Override
  public String token() {
    return valid().id();
  }

  @Override
  public URI endpoint(String serviceType) {
    return endpointIn(valid().catalog(), serviceType);
  }

  @Override
  public synchronized boolean invalidate(String token) {
    if (current != null && current.id().equals(token)) {
      current = null;
    }
    return true;
  }

  private synchronized Token valid() {
    if (current == null || !clock.instant().plus(EXPIRY_MARGIN).isBefore(current.expiresAt())) {
      current = authenticate();
    }
    return current;
  }

  private URI tokensUri() {
    String base = credentials.authUrl().toString();
    base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    if (!base.endsWith("/v3")) {
      base = base + "/v3";
    }
    return URI.create(base + "/auth/tokens");
  }

  private Token authenticate() {
    String operation = "authenticate " + credentials.userName() + " to Keystone";
    ObjectNode body = Json.MAPPER.createObjectNode();
    ObjectNode identity = body.putObject("auth").putObject("identity");
    identity.putArray("methods").add("password");
    ObjectNode user = identity.putObject("password").putObject("user");
    user.put("name", credentials.userName());
    user.putObject("domain").put("name", credentials.userDomainName());
    user.put("password", credentials.password());
    ObjectNode project = ((ObjectNode) body.get("auth")).putObject("scope").putObject("project");
    project.put("name", credentials.projectName());
    project.putObject("domain").put("name", credentials.projectDomainName());
    HttpRequest request =
        HttpRequest.newBuilder(tokensUri())
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(body)))
            .build();
    HttpResponse<String> response = Transport.send(http, request, operation);
    if (response.statusCode() != 201 && response.statusCode() != 200) {
      throw Transport.error(response.statusCode(), response.body(), operation);
    }
    Optional<String> id = response.headers().firstValue("X-Subject-Token");
    if (id.isEmpty()) {
      throw new OpenStackApiException(
          response.statusCode(), "MissingToken", "no X-Subject-Token header", operation);
    }
    JsonNode token = Json.parse(response.body(), operation).path("token");
    Instant expires;
    try {
      String text = Json.str(token, "expires_at");
      expires = text.isEmpty() ? Instant.MAX : Instant.parse(text);
    } catch (DateTimeParseException e) {
      expires = clock.instant().plus(EXPIRY_MARGIN.multipliedBy(2));
    }
    return new Token(id.get(), expires, token.path("catalog"));
  }

  private URI endpointIn(JsonNode catalog, String serviceType) {
    for (JsonNode service : catalog) {
      if (!serviceType.equals(Json.str(service, "type"))) {
        continue;
      }
      for (JsonNode ep : service.path("endpoints")) {
        String region =
            Json.str(ep, "region_id").isEmpty()
                ? Json.str(ep, "region")
                : Json.str(ep, "region_id");
        if (credentials.endpointInterface().equals(Json.str(ep, "interface"))
            && (credentials.region() == null || credentials.region().equals(region))) {
          return URI.create(Json.str(ep, "url"));
        }
      }
    }
    throw new OpenStackApiException(
        OpenStackApiException.NO_RESPONSE,
        "EndpointNotFound",
        "the Keystone catalog has no "
            + credentials.endpointInterface()
            + " endpoint of type "
            + serviceType
            + (credentials.region() == null ? "" : " in region " + credentials.region()),
        "find the " + serviceType + " endpoint");
  }
}
