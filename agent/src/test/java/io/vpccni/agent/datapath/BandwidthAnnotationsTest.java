package io.vpccni.agent.datapath;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Kubernetes quantities as bandwidths, and which source of a pod's limits wins. */
class BandwidthAnnotationsTest {
  static final Optional<Bandwidth> NONE = Optional.empty();

  @ParameterizedTest
  @CsvSource({
    "10M, 10000000",
    "1G, 1000000000",
    "500k, 500000",
    "1Mi, 1048576",
    "1Ki, 1024",
    "2.5M, 2500000",
    "1e6, 1000000",
    "1E3, 1000",
    "1500, 1500",
    "+2k, 2000",
    ".5M, 500000",
    "1P, 1000000000000000",
    "1500m, 2", // rounded up, as Quantity.Value()
  })
  void parsesKubernetesQuantities(String text, long bits) {
    assertThat(BandwidthAnnotations.parseQuantity(text)).isEqualTo(bits);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "fast", "10 M", "10MB", "10mbit", "-10M", "1.2.3M", "M", "1e", "1e99", "."})
  void refusesWhatIsNotAQuantity(String text) {
    assertThatThrownBy(() -> BandwidthAnnotations.parseQuantity(text))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aBadAnnotationIsNamedWithItsValue() {
    assertThatThrownBy(
            () -> BandwidthAnnotations.merge(Map.of("vpc-cni.io/egress-bandwidth", "fast"), NONE))
        .isInstanceOf(BandwidthAnnotations.InvalidAnnotationException.class)
        .hasMessageContaining("pod annotation vpc-cni.io/egress-bandwidth")
        .hasMessageContaining("\"fast\"");
    assertThatThrownBy(
            () ->
                BandwidthAnnotations.merge(Map.of("kubernetes.io/ingress-bandwidth", "500"), NONE))
        .as("below 1k, Kubernetes' own minimum")
        .hasMessageContaining("kubernetes.io/ingress-bandwidth")
        .hasMessageContaining("from 1k to 1P");
    assertThatThrownBy(
            () -> BandwidthAnnotations.merge(Map.of("vpc-cni.io/ingress-bandwidth", "2P"), NONE))
        .hasMessageContaining("vpc-cni.io/ingress-bandwidth");
  }

  @Test
  void aBadAnnotationIsRefusedEvenWhenAnotherSourceWins() {
    assertThatThrownBy(
            () ->
                BandwidthAnnotations.merge(
                    Map.of(
                        "vpc-cni.io/egress-bandwidth", "10M",
                        "kubernetes.io/egress-bandwidth", "lots"),
                    NONE))
        .hasMessageContaining("kubernetes.io/egress-bandwidth");
  }

  @Test
  void noAnnotationsAndNoRuntimeConfigIsNoLimit() throws Exception {
    assertThat(BandwidthAnnotations.merge(null, NONE)).isEmpty();
    assertThat(BandwidthAnnotations.merge(Map.of("other", "x"), NONE)).isEmpty();
  }

  @Test
  void vpcCniAnnotationBeatsRuntimeConfigWhichBeatsKubernetesAnnotation() throws Exception {
    Optional<Bandwidth> rc = Optional.of(new Bandwidth(20_000_000, 4_000_000, 30_000_000, 0));
    Map<String, String> k8s =
        Map.of("kubernetes.io/ingress-bandwidth", "1M", "kubernetes.io/egress-bandwidth", "2M");
    assertThat(BandwidthAnnotations.merge(k8s, NONE))
        .as("kubernetes.io alone")
        .contains(new Bandwidth(1_000_000, 0, 2_000_000, 0));
    assertThat(BandwidthAnnotations.merge(k8s, rc))
        .as("runtimeConfig over kubernetes.io, with its bursts")
        .contains(new Bandwidth(20_000_000, 4_000_000, 30_000_000, 0));
    Map<String, String> both = new java.util.HashMap<>(k8s);
    both.put("vpc-cni.io/ingress-bandwidth", "5M");
    assertThat(BandwidthAnnotations.merge(both, rc))
        .as("vpc-cni.io over runtimeConfig, per direction; its burst is the default")
        .contains(new Bandwidth(5_000_000, 0, 30_000_000, 0));
  }

  @Test
  void eachDirectionFallsBackOnItsOwn() throws Exception {
    Optional<Bandwidth> egressOnly = Optional.of(new Bandwidth(0, 0, 30_000_000, 0));
    assertThat(
            BandwidthAnnotations.merge(
                Map.of("kubernetes.io/ingress-bandwidth", "10M"), egressOnly))
        .contains(new Bandwidth(10_000_000, 0, 30_000_000, 0));
    assertThat(BandwidthAnnotations.merge(Map.of("vpc-cni.io/egress-bandwidth", "1G"), NONE))
        .contains(new Bandwidth(0, 0, 1_000_000_000, 0));
  }
}
