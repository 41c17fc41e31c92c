package io.vpccni.cloud.openstack.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KeystoneSessionTest {
  private FakeHttpServer server;
  private final AtomicInteger issued = new AtomicInteger();
  private String expiresAt = "2099-01-01T00:00:00.000000Z";

  @BeforeEach
  void start() throws Exception {
    server = new FakeHttpServer();
    server.on("POST /identity/v3/auth/tokens", r -> tokenResponse());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private FakeHttpServer.Response tokenResponse() {
    String base = server.uri("").toString();
    String catalog =
        """
        [{"type":"identity","name":"keystone","endpoints":[
            {"interface":"public","region_id":"RegionOne","url":"%1$s/identity"}]},
         {"type":"network","name":"neutron","endpoints":[
            {"interface":"internal","region_id":"RegionOne","url":"%1$s/internal-net"},
            {"interface":"public","region_id":"RegionTwo","url":"%1$s/net-two"},
            {"interface":"public","region_id":"RegionOne","url":"%1$s/net-one"}]},
         {"type":"compute","name":"nova","endpoints":[
            {"interface":"public","region":"RegionOne","url":"%1$s/compute/v2.1"}]}]
        """
            .formatted(base);
    String body =
        "{\"token\":{\"expires_at\":\""
            + expiresAt
            + "\",\"methods\":[\"password\"],\"catalog\":"
            + catalog
            + "}}";
    return new FakeHttpServer.Response(
        201, body, Map.of("X-Subject-Token", "tok-" + issued.incrementAndGet()));
  }

  private KeystoneCredentials creds(String region, String iface) {
    return new KeystoneCredentials(
        server.uri("/identity"), "cni", null, "secret", "kube", "Default", region, iface);
  }

  private KeystoneSession session(String region, String iface, Clock clock) {
    return new KeystoneSession(
        creds(region, iface), Transport.defaultHttpClient(), Duration.ofSeconds(10), clock);
  }

  @Test
  void passwordAuthBodyAndSubjectTokenHeader() {
    KeystoneSession s = session("RegionOne", null, Clock.systemUTC());
    assertThat(s.token()).isEqualTo("tok-1");
    assertThat(s.token()).isEqualTo("tok-1");
    assertThat(issued).hasValue(1);
    assertThat(Json.MAPPER.readTree(server.requests.getFirst().body()))
        .isEqualTo(
            Json.MAPPER.readTree(
                """
                {"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"cni",
                  "domain":{"name":"Default"},"password":"secret"}}},
                 "scope":{"project":{"name":"kube","domain":{"name":"Default"}}}}}
                """));
    assertThat(server.requests.getFirst().path()).isEqualTo("/identity/v3/auth/tokens");
  }

  @Test
  void catalogLookupHonoursTypeInterfaceAndRegion() {
    String base = server.uri("").toString();
    assertThat(session("RegionOne", "public", Clock.systemUTC()).endpoint("network"))
        .isEqualTo(URI.create(base + "/net-one"));
    assertThat(session("RegionTwo", "public", Clock.systemUTC()).endpoint("network"))
        .isEqualTo(URI.create(base + "/net-two"));
    assertThat(session("RegionOne", "internal", Clock.systemUTC()).endpoint("network"))
        .isEqualTo(URI.create(base + "/internal-net"));
    assertThat(session(null, null, Clock.systemUTC()).endpoint("compute"))
        .isEqualTo(URI.create(base + "/compute/v2.1"));
    assertThatThrownBy(() -> session("RegionOne", "public", Clock.systemUTC()).endpoint("volumev3"))
        .isInstanceOfSatisfying(
            OpenStackApiException.class, e -> assertThat(e.type()).isEqualTo("EndpointNotFound"));
  }

  @Test
  void authUrlWithV3SuffixIsNotDoubled() {
    KeystoneSession s =
        new KeystoneSession(
            new KeystoneCredentials(
                server.uri("/identity/v3/"), "cni", null, "secret", "kube", null, null, null),
            Transport.defaultHttpClient());
    assertThat(s.token()).isEqualTo("tok-1");
  }

  @Test
  void neutronCallThatAnswers401FetchesANewTokenOnceAndSucceeds() {
    server.on(
        "GET /net-one/v2.0/ports/p1",
        r ->
            "tok-1".equals(r.header("X-Auth-Token"))
                ? FakeHttpServer.Response.json(
                    401,
                    "{\"error\":{\"code\":401,\"title\":\"Unauthorized\",\"message\":\"expired\"}}")
                : FakeHttpServer.Response.json(200, "{\"port\":{\"id\":\"p1\"}}"));
    NeutronClient client = new NeutronClient(session("RegionOne", null, Clock.systemUTC()));
    assertThat(client.getPort("p1").id()).isEqualTo("p1");
    assertThat(issued).hasValue(2);
    assertThat(server.requests)
        .extracting(r -> r.method() + " " + r.path() + " " + r.header("X-Auth-Token"))
        .containsExactly(
            "POST /identity/v3/auth/tokens null",
            "GET /net-one/v2.0/ports/p1 tok-1",
            "POST /identity/v3/auth/tokens null",
            "GET /net-one/v2.0/ports/p1 tok-2");
  }

  @Test
  void a401WithTheFreshTokenIsReturnedNotRetriedAgain() {
    server.on(
        "GET /net-one/v2.0/ports/p1",
        401,
        "{\"error\":{\"code\":401,\"title\":\"Unauthorized\",\"message\":\"The request you have made requires authentication.\"}}");
    NeutronClient client = new NeutronClient(session("RegionOne", null, Clock.systemUTC()));
    assertThatThrownBy(() -> client.getPort("p1"))
        .isInstanceOfSatisfying(
            OpenStackApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(401);
              assertThat(e.type()).isEqualTo("Unauthorized");
            });
    assertThat(issued).hasValue(2);
    assertThat(server.requests).hasSize(4);
  }

  @Test
  void tokenNearExpiryIsReplacedBeforeUse() {
    expiresAt = "2030-01-01T00:10:00Z";
    MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    KeystoneSession s = session("RegionOne", null, clock);
    assertThat(s.token()).isEqualTo("tok-1");
    clock.now = Instant.parse("2030-01-01T00:07:00Z");
    assertThat(s.token()).isEqualTo("tok-1");
    clock.now = Instant.parse("2030-01-01T00:08:30Z");
    assertThat(s.token()).isEqualTo("tok-2");
  }

  @Test
  void badCredentialsGiveKeystonesErrorTitle() {
    server.on(
        "POST /identity/v3/auth/tokens",
        401,
        "{\"error\":{\"code\":401,\"title\":\"Unauthorized\",\"message\":\"The request you have made requires authentication.\"}}");
    assertThatThrownBy(() -> session(null, null, Clock.systemUTC()).token())
        .isInstanceOfSatisfying(
            OpenStackApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(401);
              assertThat(e.type()).isEqualTo("Unauthorized");
              assertThat(e.operation()).isEqualTo("authenticate cni to Keystone");
            });
  }

  @Test
  void credentialsDoNotPrintThePassword() {
    assertThat(creds(null, null).toString()).doesNotContain("secret");
  }

  private static final class MutableClock extends Clock {
    volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
