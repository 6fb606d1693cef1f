package io.ax.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ax.admin.v1.Decision;
import io.ax.admin.v1.Endpoint;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The table of {@code ax get decisions}. */
class DecisionsViewTest {
  private static final Decision REFUSED = Decision.newBuilder()
      .setTimeUnixMicros(1_700_000_000_123_456L) // 2023-11-14T22:13:20.123456Z
      .setAppId("0000000d")
      .setApp("stranger")
      .setDestination(Endpoint.newBuilder().setIp("198.18.0.100").setPort(8080))
      .setDestinationName("web")
      .setOutcome("refused_by_acl")
      .setBackendName("none")
      .setReason("app 0000000d (labels 'tier=other') shares no label with vservice web")
      .setError("ECONNREFUSED (111)")
      .build();
  private static final Decision CONNECTED = REFUSED.toBuilder()
      .setApp("shop")
      .setOutcome("failed_over")
      .setBackend(Endpoint.newBuilder().setIp("192.0.2.2").setPort(40001))
      .setBackendName("web-b")
      .setReason("balanced over web")
      .setDialed(2)
      .clearError()
      .build();

  @Test
  void table_refusedAndFailedOver_oneRowEach() {
    Table t = new DecisionsView(Views.Columns.NORMAL, ZoneOffset.UTC).table(List.of(REFUSED, CONNECTED));

    assertThat(t.header()).containsExactly("TIME", "APP", "DESTINATION", "DECISION", "BACKEND", "REASON");
    assertThat(t.rows()).containsExactly(
        List.of("22:13:20.123", "stranger", "198.18.0.100:8080 (web)", "refused_by_acl", "-", "app 0000000d (labels 'tier=other') shares no label with vservice web"),
        List.of("22:13:20.123", "shop", "198.18.0.100:8080 (web)", "failed_over", "192.0.2.2:40001 (web-b)", "balanced over web"));
  }

  @Test
  void table_wide_addsAppIdDialedAndError() {
    Table t = new DecisionsView(Views.Columns.WIDE, ZoneOffset.UTC).table(List.of(REFUSED, CONNECTED));

    assertThat(t.header()).endsWith("APPID", "DIALED", "ERROR");
    assertThat(t.rows().get(0)).endsWith("0000000d", "0", "ECONNREFUSED (111)");
    assertThat(t.rows().get(1)).endsWith("0000000d", "2", "-");
  }
}
