package io.ax.xds.cli;

import io.ax.xds.pilot.PilotObserver;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.time.Duration;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * pilot-lite's metrics ({@code ax pilot --metrics-port}, 15014 as istiod's monitoring port), in
 * a registry of its own: ADS streams (connected now, opened in all, so reconnects show), responses,
 * ACKs and NACKs by resource type, the time from a response to its ACK (what istiod calls
 * convergence: the push reached the node and the node applied it), config builds by outcome and
 * their duration, files refused now, and the JVM's. The type label takes five values whatever
 * clients send ({@link PilotObserver#responseSent}).
 */
final class PilotMetrics implements PilotObserver {
  /** From 1 ms to 10 s: a build at 10,000 services takes about 100 ms, an ACK over a LAN a few ms. */
  static final double[] BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  private static final List<String> TYPES = List.of("cluster", "endpoint", "listener", "route", "other");

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter streams;
  private final Gauge connected;
  private final Counter responses;
  private final Counter acks;
  private final Counter nacks;
  private final Histogram ackLatency;
  private final Counter builds;
  private final DistributionDataPoint buildDuration;

  /** @param fileErrors how many files fail to parse now, read at each scrape */
  PilotMetrics(IntSupplier fileErrors) {
    JvmMetrics.builder().register(registry);
    streams = Counter.builder().name("ax_pilot_xds_streams_total").help("ADS streams opened by nodes (connects and reconnects)").register(registry);
    connected = Gauge.builder().name("ax_pilot_xds_connected_streams").help("ADS streams open now").register(registry);
    responses = Counter.builder().name("ax_pilot_xds_responses_total").help("xDS responses sent (pushes), by resource type").labelNames("type").register(registry);
    acks = Counter.builder().name("ax_pilot_xds_acks_total").help("xDS responses ACKed by nodes, by resource type").labelNames("type").register(registry);
    nacks = Counter.builder().name("ax_pilot_xds_nacks_total").help("xDS responses NACKed by nodes (a resource failed their validation), by resource type").labelNames("type").register(registry);
    for (String t : TYPES) {
      responses.initLabelValues(t);
      acks.initLabelValues(t);
      nacks.initLabelValues(t);
    }
    ackLatency = Histogram.builder()
        .name("ax_pilot_xds_ack_latency_seconds")
        .help("From sending a response to its ACK: the push reached the node and was applied there")
        .unit(Unit.SECONDS)
        .labelNames("type")
        .classicOnly()
        .classicUpperBounds(BUCKETS)
        .register(registry);
    builds = Counter.builder().name("ax_pilot_config_builds_total").help("Builds of the config directory, by outcome (published, unchanged, failed)").labelNames("outcome").register(registry);
    for (String o : List.of("published", "unchanged", "failed")) {
      builds.initLabelValues(o);
    }
    buildDuration = Histogram.builder()
        .name("ax_pilot_config_build_duration_seconds")
        .help("From reading the directory to the snapshot in the cache")
        .unit(Unit.SECONDS)
        .classicOnly()
        .classicUpperBounds(BUCKETS)
        .register(registry);
    GaugeWithCallback.builder().name("ax_pilot_config_files_refused").help("Files of the config directory refused now (their last good objects are still served)")
        .callback(cb -> cb.call(fileErrors.getAsInt())).register(registry);
  }

  PrometheusRegistry registry() {
    return registry;
  }

  @Override
  public void streamOpened() {
    streams.inc();
    connected.inc();
  }

  @Override
  public void streamClosed() {
    connected.dec();
  }

  @Override
  public void responseSent(String type) {
    responses.labelValues(type).inc();
  }

  @Override
  public void acked(String type, Duration sinceSent) {
    acks.labelValues(type).inc();
    ackLatency.labelValues(type).observe(sinceSent.toNanos() / 1e9);
  }

  @Override
  public void nacked(String type) {
    nacks.labelValues(type).inc();
  }

  @Override
  public void configBuilt(Duration took, String outcome) {
    builds.labelValues(outcome).inc();
    buildDuration.observe(took.toNanos() / 1e9);
  }
}
