package io.ax.core.federation;

import static org.assertj.core.api.Assertions.assertThat;

import io.ax.bridge.SocketPolicy.Transport;
import io.ax.core.model.AppId;
import io.ax.core.model.Labels;
import io.ax.core.model.ServerEntry;
import io.ax.core.net.Endpoints;
import io.ax.core.state.DataplaneState;
import io.ax.core.state.StateFixtures;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExportedServiceTest {
  private static ServerEntry server(String id, String cluster, Transport t, String serviceAddr, String labels) {
    return new ServerEntry(id, new AppId("a0000001"), "web", t, Endpoints.parse("s", serviceAddr), Endpoints.parse("h", "192.0.2.1:40000"), Labels.parse("l", labels), "node1", cluster);
  }

  @Test
  void aClustersOwnTcpEntries_areOffered_withEveryLabelPairOfTheirServers() {
    DataplaneState s = DataplaneState.EMPTY
        .withServer(server("s1", "c1", Transport.TCP, "198.18.0.1:9080", "app=reviews,version=v1"))
        .withServer(server("s2", "c1", Transport.TCP, "198.18.0.1:9080", "app=reviews,version=v2"))
        .withServer(server("s3", "c1", Transport.UDP, "198.18.0.2:53", "app=dns"))
        .withServer(server("s4", "c2", Transport.TCP, "198.18.0.3:80", "app=imported"));

    List<ExportedService> out = ExportedService.of(s, "c1");

    assertThat(out).hasSize(1);
    ExportedService reviews = out.getFirst();
    assertThat(reviews.address()).isEqualTo(Endpoints.parse("a", "198.18.0.1:9080"));
    assertThat(reviews.labels()).containsExactly(Map.entry("app", "reviews"), Map.entry("version", "v1"), Map.entry("version", "v2"));
    // As entries: one label set per value of a repeated key, so the ACL sees every server.
    assertThat(reviews.labelSets()).containsExactly(Labels.parse("l", "app=reviews,version=v1"), Labels.parse("l", "version=v2"));
  }

  @Test
  void aVService_isOfferedOnEachVport_labelledByTheServersItsBackendsReach() {
    DataplaneState s = DataplaneState.EMPTY
        .withServer(server("s1", "c1", Transport.TCP, "198.18.0.1:9080", "app=reviews"))
        .withVService(StateFixtures.vservice("reviews", "198.19.0.1", "80:9080", "198.18.0.1"))
        .withVService(StateFixtures.vservice("outside", "198.19.0.2", "443:443", "203.0.113.7"));

    List<ExportedService> out = ExportedService.of(s, "c1");

    assertThat(out).extracting(x -> x.address().toString()).containsExactly("198.18.0.1:9080", "198.19.0.1:80", "198.19.0.2:443");
    assertThat(out.get(1).name()).isEqualTo("reviews");
    assertThat(out.get(1).labels()).containsExactly(Map.entry("app", "reviews"));
    // Backends outside the mesh have no labels: the label every app has by default.
    assertThat(out.get(2).labels()).containsExactly(Map.entry("zone", "default"));
  }
}
