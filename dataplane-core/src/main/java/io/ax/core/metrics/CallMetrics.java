package io.ax.core.metrics;

import io.ax.bridge.BridgeObserver.Answer;
import io.ax.bridge.BridgeObserver.Syscall;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The bridge's trapped calls: {@code ax_trapped_syscalls_total{syscall, answer}} and
 * {@code ax_trapped_call_duration_seconds{syscall}}, the daemon's time from taking a call off the
 * seccomp listener to answering it (what an app's system call waits on the daemon, less the
 * kernel's two wake-ups), and {@code ax_connect_decision_duration_seconds}, the part of a
 * connect spent deciding. Every data point is made at start, in arrays indexed by the enums, so a
 * call costs two array reads, one striped add and one histogram observation. Thread-safe.
 */
final class CallMetrics {
  /**
   * From 2 µs (a getsockname) to 100 ms (a bind that waits for a state write) in steps of about
   * 2.5; the answer with the same-CPU wake-up is about 4 µs, a local connect tens of µs.
   */
  static final double[] BUCKETS = {
    0.000002, 0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1
  };
  private static final Syscall[] SYSCALLS = Syscall.values();
  private static final Answer[] ANSWERS = Answer.values();

  private final CounterDataPoint[][] calls = new CounterDataPoint[SYSCALLS.length][ANSWERS.length];
  private final DistributionDataPoint[] durations = new DistributionDataPoint[SYSCALLS.length];
  private final DistributionDataPoint decisions;

  CallMetrics(PrometheusRegistry registry) {
    Counter counter = Counter.builder()
        .name("ax_trapped_syscalls_total")
        .help("System calls trapped by seccomp and handled by the daemon, by system call and how they were answered")
        .labelNames("syscall", "answer")
        .register(registry);
    Histogram histogram = Histogram.builder()
        .name("ax_trapped_call_duration_seconds")
        .help("Time from taking a trapped call off the seccomp listener to answering it (or handing it to the event loop)")
        .unit(io.prometheus.metrics.model.snapshots.Unit.SECONDS)
        .labelNames("syscall")
        .classicOnly()
        .classicUpperBounds(BUCKETS)
        .register(registry);
    decisions = Histogram.builder()
        .name("ax_connect_decision_duration_seconds")
        .help("Time the connect decision takes (the mesh's rules and load balancing, on the current snapshot)")
        .unit(io.prometheus.metrics.model.snapshots.Unit.SECONDS)
        .classicOnly()
        .classicUpperBounds(BUCKETS)
        .register(registry);
    for (Syscall s : SYSCALLS) {
      for (Answer a : ANSWERS) {
        calls[s.ordinal()][a.ordinal()] = counter.labelValues(s.display(), a.display());
      }
      durations[s.ordinal()] = histogram.labelValues(s.display());
    }
  }

  void decided(long nanos) {
    decisions.observe(nanos / 1e9);
  }

  void answered(Syscall syscall, Answer answer, long nanos) {
    calls[syscall.ordinal()][answer.ordinal()].inc();
    durations[syscall.ordinal()].observe(nanos / 1e9);
  }
}
