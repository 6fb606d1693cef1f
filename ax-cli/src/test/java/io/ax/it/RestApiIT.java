package io.ax.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The REST API of a real daemon process, called with a real HTTP client. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestApiIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CREATE = "oper/createvirtualservice";

  @TempDir static Path tmp;
  private AxProcess.Daemon daemon;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  void startDaemon() {
    daemon = new AxProcess.Daemon(tmp.resolve("run")).start();
  }

  @AfterAll
  void stopDaemon() {
    daemon.close();
  }

  /** What root (or --admin-group) sends: the token of the daemon's rest.token. */
  private String authorization() throws IOException {
    return "Bearer " + java.nio.file.Files.readString(daemon.runDir.resolve("rest.token")).strip();
  }

  private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
    return post(path, body, authorization());
  }

  private HttpResponse<String> post(String path, String body, String authorization) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(daemon.restUrl(path))).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aChangeWithoutTheToken_isRefused_andTheTokenFileIsRootsAlone() throws Exception {
    String body = "{\"name\":\"stolen\",\"ip\":\"198.18.5.5\",\"backendips\":[\"10.0.0.5\"],\"extports\":[{\"extport\":80,\"appport\":8080}]}";

    HttpResponse<String> none = post(CREATE, body, null);
    HttpResponse<String> wrong = post(CREATE, body, "Bearer " + "0".repeat(64));
    HttpResponse<String> delete = http.send(HttpRequest.newBuilder(URI.create(daemon.restUrl("vservices/anything"))).DELETE().build(), HttpResponse.BodyHandlers.ofString());

    for (HttpResponse<String> r : List.of(none, wrong, delete)) {
      assertThat(r.statusCode()).isEqualTo(401);
      JsonNode error = JSON.readTree(r.body());
      assertThat(error.get("field").asText()).isEqualTo("Authorization");
      assertThat(error.get("details").asText()).contains(daemon.runDir.resolve("rest.token").toString());
    }
    assertThat(get("vservices/stolen").statusCode()).isEqualTo(404);
    assertThat(java.nio.file.Files.getPosixFilePermissions(daemon.runDir.resolve("rest.token")))
        .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(daemon.restUrl(path))).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void createVirtualService_appSwitchCall_answersAsAppSwitchAndIsListed() throws Exception {
    HttpResponse<String> r = post(CREATE,
        "{\"name\":\"external\",\"ip\":\"198.18.1.1\",\"type\":\"Random\",\"backendips\":[\"10.0.0.5\"],\"extports\":[{\"extport\":31111,\"appport\":9080}]}");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(r.body())).isEqualTo(JSON.readTree("{\"name\":\"external\",\"result\":true,\"details\":\"Success\",\"portmap\":null}"));
    JsonNode vs = JSON.readTree(get("vservices/external").body());
    assertThat(vs.get("ip").asText()).isEqualTo("198.18.1.1");
    assertThat(vs.get("lb_type").asText()).isEqualTo("RANDOM");
    assertThat(vs.get("external").asBoolean()).isTrue();
    assertThat(vs.get("ports").get(0).get("vport").asInt()).isEqualTo(31111);
    assertThat(vs.get("ports").get(0).get("app_port").asInt()).isEqualTo(9080);
    assertThat(daemon.ax("get", "vservices").out()).contains("external").contains("[{31111 9080}]").contains("[10.0.0.5]");
  }

  static Stream<Arguments> badBodies() {
    return Stream.of(
        Arguments.of("not json", "{\"name\":", 400, "body"),
        Arguments.of("an array", "[1,2]", 400, "body"),
        Arguments.of("no name", "{\"ip\":\"198.18.2.2\",\"extports\":[{\"extport\":80}]}", 400, "name"),
        Arguments.of("bad name", "{\"name\":\"a b\",\"ip\":\"198.18.2.2\",\"extports\":[{\"extport\":80}]}", 400, "name"),
        Arguments.of("ip too short", "{\"name\":\"x\",\"ip\":\"1.1.1\",\"extports\":[{\"extport\":80}]}", 400, "ip"),
        Arguments.of("ip a number", "{\"name\":\"x\",\"ip\":5,\"extports\":[{\"extport\":80}]}", 400, "ip"),
        Arguments.of("backend invalid", "{\"name\":\"x\",\"ip\":\"198.18.2.2\",\"backendips\":[\"10.0.0.1\",\"10.0.0.300\"],\"extports\":[{\"extport\":80}]}", 400, "backendips[1]"),
        Arguments.of("backends not a list", "{\"name\":\"x\",\"ip\":\"198.18.2.2\",\"backendips\":\"10.0.0.1\",\"extports\":[{\"extport\":80}]}", 400, "backendips"),
        Arguments.of("port out of range", "{\"name\":\"x\",\"ip\":\"198.18.2.2\",\"extports\":[{\"extport\":70000,\"appport\":80}]}", 400, "extports[0].extport"),
        Arguments.of("port a string", "{\"name\":\"x\",\"ip\":\"198.18.2.2\",\"extports\":[{\"extport\":\"abc\"}]}", 400, "extports[0].extport"),
        Arguments.of("unknown field", "{\"name\":\"x\",\"ip\":\"198.18.2.2\",\"backendip\":[\"10.0.0.1\"]}", 400, "backendip"),
        Arguments.of("unknown lb type", "{\"name\":\"x\",\"ip\":\"198.18.2.2\",\"type\":\"Fastest\",\"extports\":[{\"extport\":80}]}", 400, "type"),
        Arguments.of("oversized", "{\"name\":\"x\",\"ip\":\"198.18.2.2\",\"pad\":\"" + "a".repeat(100_000) + "\"}", 413, "body"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badBodies")
  void createVirtualService_badInput_4xxNamingFieldAndDaemonServes(String what, String body, int status, String field) throws Exception {
    HttpResponse<String> r = post(CREATE, body);

    assertThat(r.statusCode()).isEqualTo(status);
    JsonNode error = JSON.readTree(r.body());
    assertThat(error.get("result").asBoolean()).isFalse();
    assertThat(error.get("field").asText()).isEqualTo(field);
    assertThat(error.get("details").asText()).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(get("nodes").statusCode()).isEqualTo(200);
    assertThat(daemon.isAlive()).isTrue();
  }

  @Test
  void createVirtualService_sameNameTwice_conflict() throws Exception {
    String body = "{\"name\":\"twice\",\"ip\":\"198.18.3.3\",\"backendips\":[\"10.0.0.5\"],\"extports\":[{\"extport\":80,\"appport\":8080}]}";
    assertThat(post(CREATE, body).statusCode()).isEqualTo(200);

    HttpResponse<String> again = post(CREATE, body);

    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(JSON.readTree(again.body()).get("details").asText()).contains("twice").contains("already exists");
  }

  @Test
  void deleteVService_existing_goneThenNotFound() throws Exception {
    post(CREATE, "{\"name\":\"short-lived\",\"ip\":\"198.18.4.4\",\"extports\":[{\"extport\":80}]}");
    HttpRequest delete = HttpRequest.newBuilder(URI.create(daemon.restUrl("vservices/short-lived"))).header("Authorization", authorization()).DELETE().build();

    assertThat(http.send(delete, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    assertThat(get("vservices/short-lived").statusCode()).isEqualTo(404);
    assertThat(http.send(delete, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
  }

  @Test
  void get_everyResource_jsonList() throws Exception {
    for (String resource : new String[] {"apps", "servers", "sockets", "vservices", "nodes", "proxies"}) {
      HttpResponse<String> r = get(resource);
      assertThat(r.statusCode()).as(resource).isEqualTo(200);
      assertThat(r.headers().firstValue("content-type")).contains("application/json");
      assertThat(JSON.readTree(r.body()).isObject()).as(resource).isTrue();
    }
    assertThat(JSON.readTree(get("nodes").body()).get("nodes").get(0).get("name").asText()).isEqualTo("it-node");
  }

  @Test
  void restPort_default_boundToLoopbackOnly() throws Exception {
    // Any non-loopback address of this host must not reach the REST port.
    String other = java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces()).stream()
        .filter(n -> {
          try {
            return n.isUp() && !n.isLoopback();
          } catch (java.net.SocketException e) {
            return false;
          }
        })
        .flatMap(n -> java.util.Collections.list(n.getInetAddresses()).stream())
        .filter(a -> a instanceof java.net.Inet4Address)
        .map(java.net.InetAddress::getHostAddress)
        .findFirst()
        .orElseThrow(() -> new AssertionError("this host has no non-loopback IPv4 address to test with"));

    try (Socket s = new Socket()) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.connect(new InetSocketAddress(other, daemon.restPort), 2000))
          .isInstanceOf(ConnectException.class);
    }
  }
}
