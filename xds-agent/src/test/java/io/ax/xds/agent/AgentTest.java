package io.ax.xds.agent;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.ax.admin.v1.VService;
import io.ax.xds.ads.Backoff;
import io.ax.xds.dataplane.ApplyResult;
import io.ax.xds.dataplane.Dataplane;
import io.ax.xds.dataplane.DataplaneException;
import io.ax.xds.resource.ClusterResource;
import io.ax.xds.resource.EndpointResource;
import io.ax.xds.resource.ListenerResource;
import io.ax.xds.resource.EnvoyProtos;
import io.ax.xds.resource.InvalidResourceException;
import io.ax.xds.resource.ResourceParser;
import io.ax.xds.translate.Translation;
import io.ax.xds.translate.XdsSnapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The agent's glue on a manual clock: debounce, notes once, retries and resyncs. */
class AgentTest {
  static final Agent.Config CONFIG = new Agent.Config(Duration.ofMillis(50), Duration.ofSeconds(30),
      new Backoff(Duration.ofMillis(200), Duration.ofSeconds(30), 2.0, 0.0));

  /** Records every apply; fails the next {@code failures} of them. */
  static final class RecordingDataplane implements Dataplane {
    final List<List<String>> applied = new ArrayList<>();
    final AtomicInteger failures = new AtomicInteger();

    @Override
    public ApplyResult apply(List<VService> vservices) throws DataplaneException {
      applied.add(vservices.stream().map(VService::getName).toList());
      if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new DataplaneException("cannot reach the daemon at /var/run/appswitch/admin.sock: connection refused");
      }
      return new ApplyResult(vservices.size(), 0, 0, 0, List.of());
    }

    @Override
    public void close() {}
  }

  final ManualScheduler clock = new ManualScheduler();
  final RecordingDataplane dataplane = new RecordingDataplane();
  final List<String> notes = new ArrayList<>();
  final AtomicInteger translations = new AtomicInteger();
  final Function<XdsSnapshot, Translation> translator = s -> {
    translations.incrementAndGet();
    List<VService> vs = s.clusters().keySet().stream().sorted().map(n -> VService.newBuilder().setName(n).build()).toList();
    return new Translation(vs, List.copyOf(notes));
  };
  final Agent agent = new Agent(translator, dataplane, clock, new SplittableRandom(1), CONFIG);
  final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  /** A complete snapshot: EDS clusters with their endpoints, and a listener. */
  static XdsSnapshot clusters(String... names) {
    XdsSnapshot s = incomplete(names);
    Map<String, EndpointResource> endpoints = new HashMap<>();
    for (String n : names) {
      try {
        endpoints.put(n, ResourceParser.parseEndpoints(EnvoyProtos.assignment(n, EnvoyProtos.endpoint("10.0.0.1", 80, HealthStatus.HEALTHY, 1))));
      } catch (InvalidResourceException e) {
        throw new AssertionError(e);
      }
    }
    return new XdsSnapshot(s.clusters(), endpoints, s.listeners(), s.routes());
  }

  /** EDS clusters whose endpoints have not arrived yet, and a listener. */
  static XdsSnapshot incomplete(String... names) {
    Map<String, ClusterResource> m = Arrays.stream(names).collect(Collectors.toMap(n -> n, n -> {
      try {
        return ResourceParser.parseCluster(EnvoyProtos.edsCluster(n, Cluster.LbPolicy.ROUND_ROBIN));
      } catch (InvalidResourceException e) {
        throw new AssertionError(e);
      }
    }));
    try {
      ListenerResource l = ResourceParser.parseListener(EnvoyProtos.tcpListener("10.96.0.1", 80, names.length == 0 ? "none" : names[0]));
      return new XdsSnapshot(m, Map.of(), Map.of(l.name(), l), Map.of());
    } catch (InvalidResourceException e) {
      throw new AssertionError(e);
    }
  }

  @BeforeEach
  void captureLogs() {
    logs.start();
    ((Logger) LoggerFactory.getLogger(Agent.class)).addAppender(logs);
  }

  @AfterEach
  void releaseLogs() {
    ((Logger) LoggerFactory.getLogger(Agent.class)).detachAppender(logs);
  }

  List<String> messages(String containing) {
    return logs.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains(containing)).toList();
  }

  @Test
  void onSnapshot_burst_coalescedIntoOnePushAfterTheDebounce() {
    agent.onSnapshot(clusters("a"));
    agent.onSnapshot(clusters("a", "b"));
    agent.onSnapshot(clusters("a", "b", "c"));

    clock.advance(Duration.ofMillis(49));
    assertThat(dataplane.applied).isEmpty();
    clock.advance(Duration.ofMillis(1));

    assertThat(dataplane.applied).containsExactly(List.of("a", "b", "c"));
    assertThat(translations).hasValue(1);
    assertThat(messages("pushed 3 vservices (update): 3 created")).hasSize(1);
  }

  @Test
  void onSnapshot_sameTranslation_isNotPushedAgain() {
    agent.onSnapshot(clusters("a"));
    clock.advance(Duration.ofMillis(50));

    agent.onSnapshot(clusters("a"));
    clock.advance(Duration.ofMillis(50));

    assertThat(dataplane.applied).hasSize(1);
    assertThat(translations).hasValue(2);
  }

  @Test
  void push_daemonDown_retriedWithBackoffUntilItWorks() {
    dataplane.failures.set(2);
    agent.onSnapshot(clusters("a"));
    clock.advance(Duration.ofMillis(50));
    assertThat(dataplane.applied).hasSize(1);

    clock.advance(Duration.ofMillis(199));
    assertThat(dataplane.applied).hasSize(1);
    clock.advance(Duration.ofMillis(1)); // first retry after 200 ms: fails again
    assertThat(dataplane.applied).hasSize(2);
    clock.advance(Duration.ofMillis(400)); // second retry after 400 ms: works
    assertThat(dataplane.applied).hasSize(3);

    clock.advance(Duration.ofSeconds(10));
    assertThat(dataplane.applied).hasSize(3);
    assertThat(messages("failed")).hasSize(2).allMatch(m -> m.contains("connection refused"));
    assertThat(messages("pushed 1 vservices (retry)")).hasSize(1);
  }

  @Test
  void push_failedThenSameSnapshot_pushesTheNewestStateOnRetry() {
    dataplane.failures.set(1);
    agent.onSnapshot(clusters("a"));
    clock.advance(Duration.ofMillis(50));

    agent.onSnapshot(clusters("a", "b"));
    clock.advance(Duration.ofMillis(50)); // a new flush pushes at once, replacing the retry

    assertThat(dataplane.applied).containsExactly(List.of("a"), List.of("a", "b"));
    clock.advance(Duration.ofSeconds(1));
    assertThat(dataplane.applied).hasSize(2);
  }

  @Test
  void resync_afterAPush_reappliesTheWholeStateEveryInterval() {
    agent.onSnapshot(clusters("a", "b"));
    clock.advance(Duration.ofMillis(50));

    clock.advance(Duration.ofSeconds(30));
    assertThat(dataplane.applied).hasSize(2);
    clock.advance(Duration.ofSeconds(30));

    assertThat(dataplane.applied).hasSize(3).allMatch(List.of("a", "b")::equals);
    assertThat(clock.pending()).isEqualTo(1); // the next resync, nothing else
  }

  @Test
  void notes_loggedOnceWhileTheyHoldAndAgainWhenTheyReturn() {
    notes.add("route 9080: header match on end-user ignored (L7 rules are out of reach at connect())");
    agent.onSnapshot(clusters("a"));
    clock.advance(Duration.ofMillis(50));
    agent.onSnapshot(clusters("a", "b"));
    clock.advance(Duration.ofMillis(50));
    assertThat(messages("header match")).hasSize(1);

    notes.clear();
    agent.onSnapshot(clusters("a"));
    clock.advance(Duration.ofMillis(50));
    notes.add("route 9080: header match on end-user ignored (L7 rules are out of reach at connect())");
    agent.onSnapshot(clusters("a", "b"));
    clock.advance(Duration.ofMillis(50));

    assertThat(messages("header match")).hasSize(2);
  }

  @Test
  void translation_throws_nothingPushedAndTheNextSnapshotWorks() {
    Agent failing = new Agent(s -> {
      if (s.clusters().containsKey("bad")) {
        throw new IllegalStateException("translator bug");
      }
      return translator.apply(s);
    }, dataplane, clock, new SplittableRandom(1), CONFIG);

    failing.onSnapshot(clusters("bad"));
    clock.advance(Duration.ofMillis(50));
    assertThat(dataplane.applied).isEmpty();

    failing.onSnapshot(clusters("good"));
    clock.advance(Duration.ofMillis(50));
    assertThat(dataplane.applied).containsExactly(List.of("good"));
  }

  @Test
  void onSnapshot_endpointsNotYetArrived_waitsForThemInsteadOfPushingEmptyServices() {
    agent.onSnapshot(incomplete("a"));
    clock.advance(Duration.ofMillis(500));
    assertThat(dataplane.applied).isEmpty();

    agent.onSnapshot(clusters("a"));
    clock.advance(Duration.ofMillis(50));

    assertThat(dataplane.applied).containsExactly(List.of("a"));
    clock.advance(Agent.Config.DEFAULT_WARMUP);
    assertThat(dataplane.applied).hasSize(1);
  }

  @Test
  void onSnapshot_endpointsNeverArrive_pushedAfterTheWarmupWithAWarning() {
    agent.onSnapshot(incomplete("a"));
    clock.advance(Agent.Config.DEFAULT_WARMUP.minusMillis(1));
    assertThat(dataplane.applied).isEmpty();

    clock.advance(Duration.ofMillis(51));

    assertThat(dataplane.applied).containsExactly(List.of("a"));
    assertThat(messages("still no EDS for 1 cluster")).hasSize(1);
  }
}
