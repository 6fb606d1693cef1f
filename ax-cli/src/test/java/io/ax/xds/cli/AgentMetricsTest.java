package io.ax.xds.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ax.admin.v1.VService;
import io.ax.xds.ads.AdsStats;
import io.ax.xds.dataplane.ApplyResult;
import io.ax.xds.dataplane.Dataplane;
import io.ax.xds.dataplane.DataplaneException;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The agent's metrics: pushes counted and timed, the ADS counters as they are at each scrape. */
class AgentMetricsTest {
  private final AtomicReference<AdsStats> ads = new AtomicReference<>(new AdsStats(1, 5, 4, 1, 0, 0, 0));
  private final AgentMetrics metrics = new AgentMetrics(ads::get);

  private String scrape() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, metrics.registry().scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void metered_pushesThatWorkAndFail_countedByResultAndChange() throws Exception {
    AtomicReference<DataplaneException> failure = new AtomicReference<>();
    Dataplane fake = new Dataplane() {
      @Override
      public ApplyResult apply(List<VService> vservices) throws DataplaneException {
        if (failure.get() != null) {
          throw failure.get();
        }
        return new ApplyResult(2, 1, 0, 3, List.of("bad-one"));
      }

      @Override
      public void close() {}
    };
    Dataplane metered = metrics.metered(fake);

    metered.apply(List.of());
    failure.set(new DataplaneException("daemon unreachable", null));
    assertThatThrownBy(() -> metered.apply(List.of())).isSameAs(failure.get());

    String text = scrape();
    assertThat(text).contains("ax_agent_pushes_total{result=\"ok\"} 1.0", "ax_agent_pushes_total{result=\"failed\"} 1.0",
        "ax_agent_push_duration_seconds_count 2",
        "ax_agent_vservices_applied_total{change=\"created\"} 2.0", "ax_agent_vservices_applied_total{change=\"unchanged\"} 3.0",
        "ax_agent_vservices_applied_total{change=\"rejected\"} 1.0");
  }

  @Test
  void scrape_adsCounters_readAtEachScrape() throws Exception {
    assertThat(scrape()).contains("ax_agent_xds_acks_total 4.0", "ax_agent_xds_nacks_total 1.0", "ax_agent_xds_streams_total 1.0");

    ads.set(new AdsStats(3, 9, 7, 2, 0, 0, 0)); // two reconnects, more ACKs and a NACK

    assertThat(scrape()).contains("ax_agent_xds_acks_total 7.0", "ax_agent_xds_nacks_total 2.0", "ax_agent_xds_streams_total 3.0");
  }
}
