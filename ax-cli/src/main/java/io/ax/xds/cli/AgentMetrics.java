package io.ax.xds.cli;

import io.ax.admin.v1.VService;
import io.ax.xds.ads.AdsStats;
import io.ax.xds.dataplane.ApplyResult;
import io.ax.xds.dataplane.Dataplane;
import io.ax.xds.dataplane.DataplaneException;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The xDS agent's metrics ({@code ax agent --metrics-port}), in a registry of its own: the ADS
 * stream's counters, read from {@link AdsStats} at each scrape ({@code ax_agent_xds_*}: streams
 * opened, so reconnects are that less one, responses, ACKs, NACKs, dropped and oversized
 * responses), the pushes to the daemon through {@link #metered} ({@code ax_agent_pushes_total}
 * by result, {@code ax_agent_push_duration_seconds}, {@code ax_agent_vservices_applied_total}
 * by change), and the JVM's. Thread-safe as the library's metrics are.
 */
final class AgentMetrics {
  /** From 1 ms to 10 s: an Apply of 10,000 vservices takes about a second. */
  static final double[] PUSH_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter pushes;
  private final DistributionDataPoint pushDuration;
  private final Counter applied;

  /** @param ads the ADS client's counters, read at each scrape */
  AgentMetrics(Supplier<AdsStats> ads) {
    Objects.requireNonNull(ads, "ads");
    JvmMetrics.builder().register(registry);
    adsCounter("ax_agent_xds_streams_total", "ADS streams opened to the control plane (reconnects are this less one)", ads, AdsStats::streams);
    adsCounter("ax_agent_xds_responses_total", "xDS responses received", ads, AdsStats::responses);
    adsCounter("ax_agent_xds_acks_total", "xDS responses ACKed", ads, AdsStats::acks);
    adsCounter("ax_agent_xds_nacks_total", "xDS responses NACKed (a resource failed validation)", ads, AdsStats::nacks);
    adsCounter("ax_agent_xds_dropped_responses_total", "xDS responses dropped unread (over the queue)", ads, AdsStats::droppedResponses);
    adsCounter("ax_agent_xds_oversized_responses_total", "xDS responses over the size limit", ads, AdsStats::oversizedResponses);
    pushes = Counter.builder().name("ax_agent_pushes_total").help("Full-state pushes of the vservices to the daemon, by result").labelNames("result").register(registry);
    pushes.initLabelValues("ok");
    pushes.initLabelValues("failed");
    pushDuration = Histogram.builder()
        .name("ax_agent_push_duration_seconds")
        .help("Time of one push to the daemon (its Apply), failed ones included")
        .unit(Unit.SECONDS)
        .classicOnly()
        .classicUpperBounds(PUSH_BUCKETS)
        .register(registry);
    applied = Counter.builder().name("ax_agent_vservices_applied_total").help("Vservices of successful pushes, by what the daemon did with each").labelNames("change").register(registry);
  }

  private void adsCounter(String name, String help, Supplier<AdsStats> ads, java.util.function.ToLongFunction<AdsStats> field) {
    CounterWithCallback.builder().name(name).help(help).callback(cb -> cb.call(field.applyAsLong(ads.get()))).register(registry);
  }

  PrometheusRegistry registry() {
    return registry;
  }

  /** {@code dataplane}, each push counted and timed. */
  Dataplane metered(Dataplane dataplane) {
    Objects.requireNonNull(dataplane, "dataplane");
    return new Dataplane() {
      @Override
      public ApplyResult apply(List<VService> vservices) throws DataplaneException {
        long t0 = System.nanoTime();
        boolean ok = false;
        try {
          ApplyResult r = dataplane.apply(vservices);
          ok = true;
          applied.labelValues("created").inc(r.created());
          applied.labelValues("updated").inc(r.updated());
          applied.labelValues("deleted").inc(r.deleted());
          applied.labelValues("unchanged").inc(r.unchanged());
          applied.labelValues("rejected").inc(r.rejected().size());
          return r;
        } finally {
          pushDuration.observe((System.nanoTime() - t0) / 1e9);
          pushes.labelValues(ok ? "ok" : "failed").inc();
        }
      }

      @Override
      public void close() {
        dataplane.close();
      }
    };
  }
}
