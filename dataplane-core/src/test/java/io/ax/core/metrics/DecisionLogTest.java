package io.ax.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.SocketPolicy.ConnectDecision.Refuse.Cause;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.sys.Errno;
import io.ax.core.metrics.ConnectLabels.Outcome;
import io.ax.core.metrics.DecisionLog.Entry;
import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.model.Labels;
import io.ax.core.net.Endpoints;
import io.ax.core.net.Ipv4;
import io.ax.core.state.DataplaneState;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@link DecisionLog}: entries named when made, the recent ones bounded, watchers bounded and filtered. */
class DecisionLogTest {
  private static final Inet4Endpoint VIP = Endpoints.parse("vip", "10.96.0.1:80");
  private static final Inet4Endpoint A = Endpoints.parse("a", "203.0.113.1:80");
  private static final Inet4Endpoint B = Endpoints.parse("b", "203.0.113.2:80");
  private static final DataplaneState MESH = DataplaneState.EMPTY
      .withApp(new App(new AppId("0000000a"), "shop", "n1", "c", Ipv4.parse("ip", "10.0.0.1"), "user", Labels.DEFAULT, 1))
      .withApp(new App(new AppId("0000000b"), "cart", "n1", "c", Ipv4.parse("ip", "10.0.0.2"), "user", Labels.DEFAULT, 1));

  private final AtomicLong clock = new AtomicLong(1_700_000_000_000_000L);
  private DataplaneState state = MESH;
  private final DecisionLog log = new DecisionLog(() -> state, clock::incrementAndGet);

  @Test
  void connectEnded_failover_entryNamesTheLastBackendAndWhatWasBalanced() {
    log.connectEnded("0000000a", VIP, new ConnectDecision.Targets("10.96.0.1:80", List.of(A, B)), 2, 0);

    Entry e = log.recent("").getFirst();
    assertThat(e.timeUnixMicros()).isEqualTo(1_700_000_000_000_001L);
    assertThat(e.names().sourceApp()).isEqualTo("shop");
    assertThat(e.outcome()).isEqualTo(Outcome.FAILED_OVER);
    assertThat(e.backend()).contains(B);
    assertThat(e.dialed()).isEqualTo(2);
    assertThat(e.reason()).isEqualTo("balanced over 10.96.0.1:80");
  }

  @Test
  void connectEnded_refused_entryKeepsTheReasonAndTheAppNameAfterTheAppLeft() {
    log.connectEnded("0000000a", VIP, new ConnectDecision.Refuse(Errno.ECONNREFUSED, "app 0000000a shares no label with vservice db", Cause.ACCESS), 0, Errno.ECONNREFUSED);
    state = DataplaneState.EMPTY; // the failing client exited

    Entry e = log.recent("shop").getFirst();
    assertThat(e.names().sourceApp()).isEqualTo("shop");
    assertThat(e.outcome()).isEqualTo(Outcome.REFUSED_BY_ACL);
    assertThat(e.backend()).isEmpty();
    assertThat(e.errno()).isEqualTo(Errno.ECONNREFUSED);
    assertThat(e.reason()).contains("shares no label");
  }

  @Test
  void recent_moreThanItKeeps_theLatestInOrder() {
    for (int i = 0; i < DecisionLog.RECENT + 10; i++) {
      log.connectEnded("0000000a", VIP, ConnectDecision.DIRECT, 1, 0);
    }

    List<Entry> recent = log.recent("");
    assertThat(recent).hasSize(DecisionLog.RECENT);
    assertThat(recent.getFirst().timeUnixMicros()).isEqualTo(1_700_000_000_000_011L);
    assertThat(recent.getLast().timeUnixMicros()).isEqualTo(1_700_000_000_000_000L + DecisionLog.RECENT + 10);
  }

  @Test
  void recent_byNameOrId_onlyThatApps() {
    log.connectEnded("0000000a", VIP, ConnectDecision.DIRECT, 1, 0);
    log.connectEnded("0000000b", VIP, ConnectDecision.DIRECT, 1, 0);

    assertThat(log.recent("cart")).extracting(Entry::appId).containsExactly("0000000b");
    assertThat(log.recent("0000000a")).extracting(Entry::appId).containsExactly("0000000a");
    assertThat(log.recent("nobody")).isEmpty();
  }

  @Test
  void watch_recentThenNew_filteredByApp() throws Exception {
    log.connectEnded("0000000a", VIP, ConnectDecision.DIRECT, 1, 0);
    log.connectEnded("0000000b", VIP, ConnectDecision.DIRECT, 1, 0);
    try (DecisionLog.Watcher w = log.watch("shop")) {
      log.connectEnded("0000000b", VIP, ConnectDecision.DIRECT, 1, 0);
      log.connectEnded("0000000a", VIP, ConnectDecision.DIRECT, 1, Errno.ETIMEDOUT);

      assertThat(w.poll(1, TimeUnit.SECONDS).map(Entry::outcome)).contains(Outcome.CONNECTED);
      assertThat(w.poll(1, TimeUnit.SECONDS).map(Entry::outcome)).contains(Outcome.REFUSED_BY_BACKEND);
      assertThat(w.poll(0, TimeUnit.SECONDS)).as("cart's are not shop's").isEmpty();
    }
    assertThat(log.watchers()).isZero();
  }

  @Test
  void watch_readerTooSlow_missesAndCountsWhatDidNotFit() throws Exception {
    try (DecisionLog.Watcher w = log.watch("")) {
      for (int i = 0; i < DecisionLog.WATCH_BACKLOG + 5; i++) {
        log.connectEnded("0000000a", VIP, ConnectDecision.DIRECT, 1, 0);
      }

      assertThat(w.takeMissed()).isEqualTo(5);
      assertThat(w.takeMissed()).as("told once").isZero();
      Optional<Entry> first = w.poll(0, TimeUnit.SECONDS);
      assertThat(first.map(Entry::timeUnixMicros)).contains(1_700_000_000_000_001L);
    }
  }

  @Test
  void close_twice_isHarmless() {
    DecisionLog.Watcher w = log.watch("");
    w.close();
    w.close();
    assertThat(log.watchers()).isZero();
  }
}
