package io.ax.xds.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.ax.xds.resource.EnvoyProtos;
import io.ax.xds.resource.ListenerResource;
import io.ax.xds.resource.ResourceParser;
import io.ax.xds.resource.RouteResource;
import io.ax.xds.translate.XdsSnapshot;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WarmingTest {
  @Test
  void missing_completeSnapshot_empty() {
    assertThat(Warming.missing(AgentTest.clusters("a", "b"), Warming.Phase.START)).isEmpty();
    assertThat(Warming.missing(XdsSnapshot.EMPTY, Warming.Phase.START)).isEmpty();
  }

  @Test
  void missing_endpointsOfTwoClusters_named() {
    assertThat(Warming.missing(AgentTest.incomplete("a", "b"), Warming.Phase.RUNNING)).contains("EDS for 2 clusters");
  }

  @Test
  void missing_clustersButNoListenerYet_waitsForLds() {
    XdsSnapshot s = AgentTest.clusters("a");
    XdsSnapshot noListener = new XdsSnapshot(s.clusters(), s.endpoints(), Map.of(), Map.of());
    assertThat(Warming.missing(noListener, Warming.Phase.START)).contains("LDS");
    assertThat(Warming.missing(noListener, Warming.Phase.RUNNING)).as("a running mesh may have no listeners").isEmpty();
  }

  @Test
  void missing_routeNamedByAListener_waitsForRds() throws Exception {
    XdsSnapshot s = AgentTest.clusters("a");
    ListenerResource http = ResourceParser.parseListener(EnvoyProtos.httpListener(9080, "9080"));
    XdsSnapshot withoutRoute = new XdsSnapshot(s.clusters(), s.endpoints(), Map.of(http.name(), http), Map.of());
    assertThat(Warming.missing(withoutRoute, Warming.Phase.RUNNING)).contains("RDS for 1 route");

    RouteResource route = ResourceParser.parseRoute(EnvoyProtos.routes("9080", EnvoyProtos.vhost("a", List.of("a"), EnvoyProtos.toCluster(EnvoyProtos.prefix("/"), "a"))));
    assertThat(Warming.missing(new XdsSnapshot(s.clusters(), s.endpoints(), Map.of(http.name(), http), Map.of("9080", route)), Warming.Phase.RUNNING)).isEmpty();
  }
}
