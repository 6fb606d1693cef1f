package io.ax.core.rest;

import static io.ax.core.rest.RestApiCreateTest.CREATE;
import static io.ax.core.rest.RestApiCreateTest.EXTERNAL;
import static io.ax.core.rest.RestApiCreateTest.bytes;
import static io.ax.core.rest.RestApiCreateTest.tree;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.model.NodeInfo;
import io.ax.core.model.ProxyInfo;
import io.ax.core.net.Endpoints;
import io.ax.core.state.DataplaneState;
import io.ax.core.state.DataplaneStore;
import io.ax.core.state.StateFixtures;
import io.ax.core.state.StatePersistence;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The GET and DELETE side of {@link RestApi}, and the answers for paths and methods it does not serve. */
class RestApiReadDeleteTest {
  private static final String V1 = "/appswitch/v1/";
  private static final byte[] NONE = new byte[0];

  private final DataplaneStore store = new DataplaneStore(DataplaneState.EMPTY, StatePersistence.NONE);
  private final RestApi api = new RestApi(
      store,
      s -> Map.of("node-1", new NodeInfo("node-1", "appswitch", "10.0.2.15", "", List.of("compute"), s.apps().size())),
      () -> Map.of("p1", new ProxyInfo("p1", Transport.TCP, Endpoints.of("10.0.2.15", 31111), List.of(Endpoints.of("10.0.0.5", 9080)))));

  @BeforeEach
  void seed() {
    assertThat(api.handle("POST", CREATE, bytes(EXTERNAL)).status()).isEqualTo(200);
    store.putApp(StateFixtures.app("f00001bb", "10.0.2.15", "zone=default"));
    store.putServer(StateFixtures.server("s1", "f00001bb", "10.0.2.15:9080", "10.0.2.15:40000", "zone=default"));
    store.putSocket(StateFixtures.socket("k1", "f00001bb", 4242));
  }

  @ParameterizedTest
  @CsvSource({
    "apps,      apps,      app_id,   f00001bb",
    "servers,   servers,   id,       s1",
    "sockets,   sockets,   id,       k1",
    "vservices, vservices, name,     external",
    "nodes,     nodes,     name,     node-1",
    "proxies,   proxies,   id,       p1",
  })
  void handle_getList_okJsonWithSnakeCaseNames(String resource, String listField, String idField, String id) {
    RestResponse r = api.handle("GET", V1 + resource, NONE);

    assertThat(r.status()).isEqualTo(200);
    JsonNode list = tree(r).get(listField);
    assertThat(list).isNotNull();
    assertThat(list.isArray()).isTrue();
    assertThat(list).hasSize(1);
    assertThat(list.get(0).path(idField).asText()).isEqualTo(id);
  }

  @Test
  void handle_getVServices_showsEveryField() {
    JsonNode vs = tree(api.handle("GET", V1 + "vservices", NONE)).get("vservices").get(0);

    assertThat(vs.get("ip").asText()).isEqualTo("1.1.1.1");
    assertThat(vs.get("lb_type").asText()).isEqualTo("RANDOM");
    assertThat(vs.get("external").asBoolean()).isTrue();
    assertThat(vs.get("ports").get(0).get("vport").asInt()).isEqualTo(31111);
    assertThat(vs.get("ports").get(0).get("app_port").asInt()).isEqualTo(9080);
    assertThat(vs.get("backends").get(0).get("ip").asText()).isEqualTo("10.0.0.5");
  }

  @Test
  void handle_getNodes_countsAppsOfTheSnapshot() {
    JsonNode node = tree(api.handle("GET", V1 + "nodes", NONE)).get("nodes").get(0);

    assertThat(node.get("app_count").asInt()).isEqualTo(1);
    assertThat(node.get("roles").get(0).asText()).isEqualTo("compute");
  }

  @Test
  void handle_getOneVService_okThenNotFoundForMissing() {
    RestResponse found = api.handle("GET", V1 + "vservices/external", NONE);
    RestResponse missing = api.handle("GET", V1 + "vservices/nope", NONE);

    assertThat(found.status()).isEqualTo(200);
    assertThat(tree(found).get("name").asText()).isEqualTo("external");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(tree(missing).get("result").asBoolean(true)).isFalse();
    assertThat(tree(missing).get("name").asText()).isEqualTo("nope");
    assertThat(tree(missing).get("details").asText()).contains("'nope'");
  }

  @Test
  void handle_deleteVService_okThenNotFoundOnTheSecond() {
    RestResponse first = api.handle("DELETE", V1 + "vservices/external", NONE);
    RestResponse second = api.handle("DELETE", V1 + "vservices/external", NONE);

    assertThat(first.status()).isEqualTo(200);
    assertThat(tree(first).get("result").asBoolean()).isTrue();
    assertThat(tree(first).get("name").asText()).isEqualTo("external");
    assertThat(store.current().vservices()).isEmpty();
    assertThat(second.status()).isEqualTo(404);
    assertThat(tree(second).get("result").asBoolean(true)).isFalse();
    assertThat(tree(second).get("details").asText()).contains("'external'");
  }

  @Test
  void handle_operDeleteVirtualService_deletesByName() {
    RestResponse r = api.handle("POST", V1 + "oper/deletevirtualservice", bytes("{\"name\":\"external\"}"));

    assertThat(r.status()).isEqualTo(200);
    assertThat(tree(r).get("result").asBoolean()).isTrue();
    assertThat(store.current().vservices()).isEmpty();
    assertThat(api.handle("POST", V1 + "oper/deletevirtualservice", bytes("{\"name\":\"external\"}")).status()).isEqualTo(404);
  }

  @ParameterizedTest
  @ValueSource(strings = {"{}", "{\"name\":7}", "[\"external\"]", "{\"name\":null}"})
  void handle_operDeleteWithoutName_badRequestNamingName(String body) {
    DataplaneState before = store.current();

    RestResponse r = api.handle("POST", V1 + "oper/deletevirtualservice", bytes(body));

    assertThat(r.status()).isEqualTo(400);
    assertThat(tree(r).get("field").asText()).isEqualTo("name");
    assertThat(store.current()).isSameAs(before);
  }

  @Test
  void handle_operDeleteEmptyBody_badRequestNamingBody() {
    RestResponse r = api.handle("POST", V1 + "oper/deletevirtualservice", NONE);

    assertThat(r.status()).isEqualTo(400);
    assertThat(tree(r).get("field").asText()).isEqualTo("body");
  }

  @ParameterizedTest
  @CsvSource({
    "GET,    /appswitch/v1/bogus",
    "GET,    /appswitch/v2/vservices",
    "GET,    /",
    "POST,   /appswitch/v1/oper/bogus",
  })
  void handle_unknownPath_notFound(String method, String path) {
    RestResponse r = api.handle(method, path, bytes("{}"));

    assertThat(r.status()).isEqualTo(404);
    assertThat(tree(r).get("result").asBoolean(true)).isFalse();
    assertThat(tree(r).get("details").asText()).contains("no such");
  }

  @ParameterizedTest
  @CsvSource({
    "PUT,    /appswitch/v1/vservices/external",
    "PATCH,  /appswitch/v1/vservices/external",
    "DELETE, /appswitch/v1/vservices",
    "DELETE, /appswitch/v1/vservices/",
    "DELETE, /appswitch/v1/apps",
  })
  void handle_methodNotServedThere_methodNotAllowedAndNothingDeleted(String method, String path) {
    DataplaneState before = store.current();

    RestResponse r = api.handle(method, path, bytes(EXTERNAL));

    assertThat(r.status()).isEqualTo(405);
    assertThat(tree(r).get("result").asBoolean(true)).isFalse();
    assertThat(store.current()).isSameAs(before);
  }

  @Test
  void handle_getWithQueryString_queryIgnored() {
    RestResponse r = api.handle("GET", V1 + "vservices/external?output=json", NONE);

    assertThat(r.status()).isEqualTo(200);
    assertThat(tree(r).get("name").asText()).isEqualTo("external");
  }

  @Test
  void handle_nodesSourceThrows_internalErrorWithoutDetails() {
    RestApi broken = new RestApi(store, s -> {
      throw new IllegalStateException("secret stack detail");
    }, Map::of);

    RestResponse r = broken.handle("GET", V1 + "nodes", NONE);

    assertThat(r.status()).isEqualTo(500);
    assertThat(tree(r).get("result").asBoolean(true)).isFalse();
    assertThat(r.json()).doesNotContain("secret stack detail").doesNotContain("IllegalStateException");
  }
}
