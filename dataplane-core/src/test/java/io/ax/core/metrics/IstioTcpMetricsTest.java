package io.ax.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.sys.TcpDiag.Counters;
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
import org.junit.jupiter.api.Test;

/** {@link IstioTcpMetrics}: opened, bytes as the kernel counts them, closed on the free event or after two polls without it. */
class IstioTcpMetricsTest {
  private static final Inet4Endpoint HOST = Endpoints.parse("h", "192.168.1.10:40000");
  private static final DataplaneState MESH = DataplaneState.EMPTY
      .withApp(new App(new AppId("0000000a"), "shop", "n1", "c", Ipv4.parse("ip", "10.0.0.1"), "user", Labels.DEFAULT, 1))
      .withApp(new App(new AppId("0000000b"), "web", "n1", "c", Ipv4.parse("ip", "10.0.0.2"), "user", Labels.DEFAULT, 1))
      .withServer(new ServerEntry("s1", new AppId("0000000b"), "web", Transport.TCP, Endpoints.parse("s", "10.0.0.2:80"), HOST, Labels.DEFAULT, "n1", "c"));
  private static final ConnectDecision TO_WEB = new ConnectDecision.Targets("10.0.0.2:80", List.of(HOST));

  private PrometheusRegistry registry = new PrometheusRegistry();
  private final IstioTcpMetrics metrics = new IstioTcpMetrics(registry, () -> MESH, 100, 100);

  /** The value of {@code name} for shop → web (all four exist from its first connection on), -1 without such a series. */
  private double value(String name) {
    for (MetricSnapshot m : registry.scrape()) {
      if ((m.getMetadata().getName() + "_total").equals(name)) {
        for (CounterSnapshot.CounterDataPointSnapshot p : ((CounterSnapshot) m).getDataPoints()) {
          if (p.getLabels().get("source_workload").equals("shop") && p.getLabels().get("destination_workload").equals("web")) {
            return p.getValue();
          }
        }
      }
    }
    return -1;
  }

  @Test
  void openedPolledAndFreed_bytesAddUpOnceAndTheConnectionCloses() throws Exception {
    metrics.opened("0000000a", TO_WEB, 1, 77);
    metrics.poll(each -> each.accept(new Counters(77, 1_000, 10)));
    metrics.poll(each -> each.accept(new Counters(77, 1_000, 10))); // nothing new
    metrics.destroyed(new Counters(77, 5_000, 2_001));
    metrics.destroyed(new Counters(77, 5_000, 2_001)); // a second event for it: already closed

    assertThat(value("istio_tcp_connections_opened_total")).isEqualTo(1);
    assertThat(value("istio_tcp_connections_closed_total")).isEqualTo(1);
    assertThat(value("istio_tcp_received_bytes_total")).as("what the client sent: the request").isEqualTo(5_000);
    assertThat(value("istio_tcp_sent_bytes_total")).as("what the client received: the response").isEqualTo(2_001);
    assertThat(metrics.followed()).isZero();
  }

  @Test
  void poll_connectionMissingFromTwoPolls_closedWithoutItsEvent() throws Exception {
    metrics.opened("0000000a", TO_WEB, 1, 77);
    metrics.poll(each -> each.accept(new Counters(77, 100, 0)));

    metrics.poll(each -> {});
    assertThat(value("istio_tcp_connections_closed_total")).as("one poll may miss a socket").isZero();
    metrics.poll(each -> {});

    assertThat(value("istio_tcp_connections_closed_total")).isEqualTo(1);
    assertThat(value("istio_tcp_received_bytes_total")).isEqualTo(100);
    assertThat(metrics.followed()).isZero();
  }

  @Test
  void opened_otherSockets_areNotCounted() throws Exception {
    metrics.opened("0000000a", TO_WEB, 1, 77);
    metrics.destroyed(new Counters(99, 1_000_000, 1_000_000)); // the daemon's own or another program's socket

    assertThat(value("istio_tcp_received_bytes_total")).isZero();
    assertThat(value("istio_tcp_connections_closed_total")).isZero();
    assertThat(metrics.followed()).isEqualTo(1);
  }

  @Test
  void opened_beyondTheSeriesLimit_countsUnderOverflowWhichAppearsOnlyThen() {
    IstioTcpMetrics one = new IstioTcpMetrics(registry = new PrometheusRegistry(), () -> MESH, 1, 100);
    one.opened("0000000a", TO_WEB, 1, 1);
    assertThat(registry.scrape().stream().flatMap(m -> m.getDataPoints().stream()))
        .noneMatch(p -> p.getLabels().get("source_workload").equals("overflow"));

    one.opened("0000000a", ConnectDecision.DIRECT, 1, 2); // a second label set: past the limit

    assertThat(value("istio_tcp_connections_opened_total")).isEqualTo(1);
    double overflowed = registry.scrape().stream()
        .filter(m -> m.getMetadata().getName().equals("istio_tcp_connections_opened"))
        .flatMap(m -> ((CounterSnapshot) m).getDataPoints().stream())
        .filter(p -> p.getLabels().get("destination_service").equals("overflow"))
        .mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue).sum();
    assertThat(overflowed).isEqualTo(1);
  }

  @Test
  void opened_beyondTheFollowedLimit_countedOpenedButNotFollowed() {
    IstioTcpMetrics small = new IstioTcpMetrics(registry = new PrometheusRegistry(), () -> MESH, 100, 1);
    small.opened("0000000a", TO_WEB, 1, 1);
    small.opened("0000000a", TO_WEB, 1, 2);

    assertThat(small.followed()).isEqualTo(1);
    assertThat(value("istio_tcp_connections_opened_total")).isEqualTo(2);
  }
}
