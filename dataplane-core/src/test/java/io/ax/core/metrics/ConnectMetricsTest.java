package io.ax.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.sys.Errno;
import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.model.Labels;
import io.ax.core.model.ServerEntry;
import io.ax.core.net.Endpoints;
import io.ax.core.net.Ipv4;
import io.ax.core.state.DataplaneState;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@link ConnectMetrics}: counts per label set, names refreshed after a change, and the series limit. */
class ConnectMetricsTest {
  private static final Inet4Endpoint VIP = Endpoints.parse("vip", "10.96.0.1:80");
  private static final Inet4Endpoint HOST = Endpoints.parse("host", "192.168.1.10:40000");

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final AtomicReference<DataplaneState> state = new AtomicReference<>(mesh("web"));

  private static DataplaneState mesh(String serverName) {
    App client = new App(new AppId("0000000a"), "shop", "n1", "c", Ipv4.parse("ip", "10.0.0.1"), "user", Labels.DEFAULT, 1);
    App server = new App(new AppId("0000000b"), serverName, "n1", "c", Ipv4.parse("ip", "10.0.0.2"), "user", Labels.DEFAULT, 1);
    return DataplaneState.EMPTY.withApp(client).withApp(server)
        .withServer(new ServerEntry("s1", server.id(), serverName, Transport.TCP, Endpoints.parse("s", "10.0.0.2:80"), HOST, Labels.DEFAULT, "n1", "c"));
  }

  private double count(String source, String destination, String backend, String outcome) {
    for (MetricSnapshot m : registry.scrape()) {
      if (m.getMetadata().getName().equals("ax_connections_opened")) {
        for (CounterSnapshot.CounterDataPointSnapshot p : ((CounterSnapshot) m).getDataPoints()) {
          var l = p.getLabels();
          if (l.get("source_app").equals(source) && l.get("destination").equals(destination) && l.get("backend").equals(backend) && l.get("outcome").equals(outcome)) {
            return p.getValue();
          }
        }
      }
    }
    return -1;
  }

  @Test
  void ended_connectsAndFailovers_countedUnderTheirNamesAndOutcomes() {
    ConnectMetrics metrics = new ConnectMetrics(registry, state::get, 100);
    ConnectDecision d = new ConnectDecision.Targets("10.96.0.1:80", List.of(HOST));

    for (int i = 0; i < 3; i++) {
      metrics.ended("0000000a", VIP, d, 1, 0);
    }
    metrics.ended("0000000a", VIP, new ConnectDecision.Targets("10.96.0.1:80", List.of(Endpoints.parse("x", "203.0.113.1:80"), HOST)), 2, 0);
    metrics.ended("0000000a", VIP, d, 1, Errno.ECONNREFUSED);

    assertThat(count("shop", "unknown", "web", "connected")).isEqualTo(3);
    assertThat(count("shop", "unknown", "web", "failed_over")).isEqualTo(1);
    assertThat(count("shop", "unknown", "web", "refused_by_backend")).isEqualTo(1);
  }

  @Test
  void invalidate_afterTheServerIsRenamed_newConnectsCountUnderTheNewName() {
    ConnectMetrics metrics = new ConnectMetrics(registry, state::get, 100);
    ConnectDecision d = new ConnectDecision.Targets("x", List.of(HOST));
    metrics.ended("0000000a", VIP, d, 1, 0);

    state.set(mesh("web-v2"));
    metrics.ended("0000000a", VIP, d, 1, 0);
    assertThat(count("shop", "unknown", "web-v2", "connected")).as("cached until invalidated").isEqualTo(-1);
    metrics.invalidate();
    metrics.ended("0000000a", VIP, d, 1, 0);

    assertThat(count("shop", "unknown", "web", "connected")).isEqualTo(2);
    assertThat(count("shop", "unknown", "web-v2", "connected")).isEqualTo(1);
  }

  @Test
  void ended_refusalsToEveryPortOfAnAddress_cacheStaysBoundedAndAllAreCounted() {
    ConnectMetrics metrics = new ConnectMetrics(registry, state::get, 100);
    ConnectDecision refused = new ConnectDecision.Refuse(Errno.ECONNREFUSED, "nothing serves it", ConnectDecision.Refuse.Cause.NO_BACKEND);
    int n = ConnectMetrics.MAX_CACHED + 10;

    for (int i = 0; i < n; i++) {
      metrics.ended("0000000a", new Inet4Endpoint(VIP.ip() + i / 65535, 1 + i % 65535), refused, 0, Errno.ECONNREFUSED);
    }

    assertThat(metrics.cachedKeys()).isLessThanOrEqualTo(ConnectMetrics.MAX_CACHED);
    assertThat(metrics.seriesCount()).isEqualTo(1);
    assertThat(count("shop", "unknown", "none", "no_backend")).isEqualTo(n);
  }

  @Test
  void ended_beyondTheSeriesLimit_countsUnderOverflow() {
    ConnectMetrics metrics = new ConnectMetrics(registry, state::get, 2);
    // Three external backends: three label sets, one too many.
    for (int i = 1; i <= 3; i++) {
      metrics.ended("0000000a", VIP, new ConnectDecision.Targets("x", List.of(Endpoints.parse("x", "203.0.113." + i + ":80"))), 1, 0);
    }
    metrics.ended("0000000a", VIP, new ConnectDecision.Targets("x", List.of(Endpoints.parse("x", "203.0.113.3:80"))), 1, 0);

    assertThat(metrics.seriesCount()).isEqualTo(2);
    assertThat(count("shop", "unknown", "203.0.113.1:80", "connected")).isEqualTo(1);
    assertThat(count("shop", "unknown", "203.0.113.2:80", "connected")).isEqualTo(1);
    assertThat(count("shop", "unknown", "203.0.113.3:80", "connected")).isEqualTo(-1);
    assertThat(count("overflow", "overflow", "overflow", "connected")).isEqualTo(2);
  }
}
