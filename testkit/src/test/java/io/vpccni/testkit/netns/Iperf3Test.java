package io.vpccni.testkit.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class Iperf3Test {
  @Test
  void readsTheReceiversRateNotTheSendersOne() {
    String json =
        "{\"end\":{\"sum_sent\":{\"bytes\":1,\"bits_per_second\":9.9e7,\"retransmits\":0},\n"
            + "\"sum_received\":{\"seconds\":4.0,\"bits_per_second\":39812345.5}}}";
    assertThat(Iperf3.receivedBitsPerSecond(json)).isEqualTo(39812345.5);
  }

  @Test
  void aReportWithoutItSaysSo() {
    assertThatThrownBy(() -> Iperf3.receivedBitsPerSecond("{\"error\":\"unable to connect\"}"))
        .hasMessageContaining("unable to connect");
  }
}
