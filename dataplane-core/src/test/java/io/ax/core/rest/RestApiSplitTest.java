package io.ax.core.rest;

import static io.ax.core.rest.RestApiCreateTest.bytes;
import static io.ax.core.rest.RestApiCreateTest.tree;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ax.core.lb.LbPolicy;
import io.ax.core.model.Backend;
import io.ax.core.model.PortMapping;
import io.ax.core.model.Subset;
import io.ax.core.model.VService;
import io.ax.core.net.Ipv4;
import io.ax.core.state.DataplaneState;
import io.ax.core.state.DataplaneStore;
import io.ax.core.state.StatePersistence;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The REST API and the new vservice fields: LB names on create, subsets and owner on read. */
class RestApiSplitTest {
  private final DataplaneStore store = new DataplaneStore(DataplaneState.EMPTY, StatePersistence.NONE);
  private final RestApi api = new RestApi(store, s -> Map.of(), Map::of);

  @ParameterizedTest
  @CsvSource({"LeastConn, LeastConn", "least_conn, LeastConn", "ConsistentHash, ConsistentHash", "RoundRobin, RoundRobin"})
  void create_newLbTypeNames_accepted(String type, String shown) {
    RestResponse r = api.handle("POST", RestApiCreateTest.CREATE, bytes(
        "{\"name\":\"web\",\"ip\":\"1.1.1.1\",\"type\":\"" + type + "\",\"backendips\":[\"10.0.0.5\"],\"ports\":[{\"extport\":80}]}"));

    assertThat(r.status()).as(r.json()).isEqualTo(200);
    assertThat(store.current().vservices().get("web").policy().displayName()).isEqualTo(shown);
  }

  @Test
  void create_unknownType_400NamingTheKnownOnes() {
    RestResponse r = api.handle("POST", RestApiCreateTest.CREATE, bytes("{\"name\":\"web\",\"ip\":\"1.1.1.1\",\"type\":\"Maglev\",\"ports\":[{\"extport\":80}]}"));

    assertThat(r.status()).isEqualTo(400);
    assertThat(tree(r).get("details").asText()).isEqualTo("type: unknown load balancer type 'Maglev' (expected Random, RoundRobin, LeastConn or ConsistentHash)");
  }

  @Test
  void get_appliedSplit_showsSubsetsWeightsHostnamesAndOwner() {
    Ipv4 ip = Ipv4.parse("ip", "10.96.36.43");
    store.createVService(new VService("reviews.default-9080", ip, List.of(new PortMapping(9080, 9080)), List.of(), LbPolicy.ROUND_ROBIN,
        VService.Exposure.INTERNAL, Optional.empty(),
        List.of(new Subset("v1", 80, LbPolicy.LEAST_CONN, List.of(new Backend(Ipv4.parse("b", "10.244.0.5"), OptionalInt.empty(), 3)))),
        List.of("reviews.default.svc.cluster.local"), "xds-agent"));

    JsonNode vs = tree(api.handle("GET", "/appswitch/v1/vservices/reviews.default-9080", new byte[0]));

    assertThat(vs.get("owner").asText()).isEqualTo("xds-agent");
    assertThat(vs.get("hostnames").get(0).asText()).isEqualTo("reviews.default.svc.cluster.local");
    JsonNode subset = vs.get("subsets").get(0);
    assertThat(subset.get("name").asText()).isEqualTo("v1");
    assertThat(subset.get("weight").asInt()).isEqualTo(80);
    assertThat(subset.get("lb_type").asText()).isEqualTo("LEAST_CONN");
    assertThat(subset.get("backends").get(0).get("weight").asInt()).isEqualTo(3);
  }
}
