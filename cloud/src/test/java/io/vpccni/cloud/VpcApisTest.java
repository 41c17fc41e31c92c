package io.vpccni.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.cloud.spi.VpcApiProvider;
import io.vpccni.netaddr.IpAddress;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VpcApisTest {

  /** Registered in src/test/resources/META-INF/services. */
  public static final class TestProvider implements VpcApiProvider {
    @Override
    public String name() {
      return "test";
    }

    @Override
    public VpcApi create(Map<String, String> settings) {
      return new NotImplemented(settings.getOrDefault("region", ""));
    }
  }

  record NotImplemented(String region) implements VpcApi {
    @Override
    public Instance describeInstance(String instanceId) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Subnet describeSubnet(String subnetId) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Eni createEni(EniCreateRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Eni describeEni(String eniId) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<Eni> listEnis(EniFilter filter) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Eni attachEni(String eniId, String instanceId, int deviceIndex) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Eni detachEni(String eniId) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void deleteEni(String eniId) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<IpAddress> assignIps(String eniId, IpAssignment request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void unassignIps(String eniId, Collection<IpAddress> ips) {
      throw new UnsupportedOperationException();
    }
  }

  @Test
  void providersAreFoundByName() {
    assertThat(VpcApis.names()).contains("test");
    assertThat(VpcApis.create("test", Map.of("region", "r1"))).isEqualTo(new NotImplemented("r1"));
  }

  @Test
  void anUnknownNameListsTheKnownProviders() {
    assertThatThrownBy(() -> VpcApis.create("nimbus", Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("failed to create cloud provider \"nimbus\": unknown provider")
        .hasMessageContaining("known providers: ")
        .hasMessageContaining("test");
  }
}
