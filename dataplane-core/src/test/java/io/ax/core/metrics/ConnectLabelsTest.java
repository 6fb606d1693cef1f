package io.ax.core.metrics;

import static io.ax.core.state.StateFixtures.vservice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.SocketPolicy.ConnectDecision.Refuse.Cause;
import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.sys.Errno;
import io.ax.core.lb.LbPolicy;
import io.ax.core.metrics.ConnectLabels.Names;
import io.ax.core.metrics.ConnectLabels.Outcome;
import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.model.Labels;
import io.ax.core.model.ServerEntry;
import io.ax.core.net.Endpoints;
import io.ax.core.net.Ipv4;
import io.ax.core.state.DataplaneState;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The label mapping of connects, as a table: names from the mesh's configuration, never from ids or app-chosen addresses. */
class ConnectLabelsTest {
  private static final App SHOP = app("0000000a", "shop", "10.0.0.1", "zone=default");
  private static final App REVIEWS_V1 = app("000000b1", "<6f1c-uuid>", "10.0.0.21", "app=reviews,version=v1,zone=default");
  private static final App ANONYMOUS = app("000000c1", "<9a2e-uuid>", "10.0.0.31", "zone=default");
  private static final App API = app("000000d1", "api", "10.0.0.7", "zone=default");

  private static final Inet4Endpoint REVIEWS_HOST = ep("192.168.1.10:40001");
  private static final Inet4Endpoint API_HOST = ep("192.168.1.10:40002");
  private static final Inet4Endpoint ANON_HOST = ep("192.168.1.10:40003");

  private static final DataplaneState MESH = DataplaneState.EMPTY
      .withApp(SHOP).withApp(REVIEWS_V1).withApp(ANONYMOUS).withApp(API)
      .withServer(server("s1", REVIEWS_V1, "10.0.0.21:9080", REVIEWS_HOST))
      .withServer(server("s2", API, "10.0.0.7:8080", API_HOST))
      .withServer(server("s3", ANONYMOUS, "10.0.0.31:9080", ANON_HOST))
      .withVService(vservice("reviews", "10.96.0.13", LbPolicy.ROUND_ROBIN, List.of("9080"), "10.0.0.21", "203.0.113.9"));

  static Stream<Arguments> table() {
    Inet4Endpoint vip = ep("10.96.0.13:9080");
    return Stream.of(
        arguments("vservice, entry dialed: backend is the serving app's app label",
            SHOP, vip, new ConnectDecision.Targets("reviews", List.of(REVIEWS_HOST)), 1, new Names("shop", "reviews", "reviews")),
        arguments("vservice subset: the vservice's name",
            SHOP, vip, new ConnectDecision.Targets("reviews/v1", List.of(REVIEWS_HOST)), 1, new Names("shop", "reviews", "reviews")),
        arguments("external backend: its address as the vservice names it",
            SHOP, vip, new ConnectDecision.Targets("reviews", List.of(ep("203.0.113.9:9080"))), 1, new Names("shop", "reviews", "203.0.113.9:9080")),
        arguments("failed over: the target dialed last",
            SHOP, vip, new ConnectDecision.Targets("reviews", List.of(ep("203.0.113.9:9080"), REVIEWS_HOST)), 2, new Names("shop", "reviews", "reviews")),
        arguments("implicit service of --ip: the serving app's name, not the address",
            SHOP, ep("10.0.0.7:8080"), new ConnectDecision.Targets("10.0.0.7:8080", List.of(API_HOST)), 1, new Names("shop", "api", "api")),
        arguments("unnamed app without an app label: unknown, never its uuid",
            ANONYMOUS, ep("10.0.0.7:8080"), new ConnectDecision.Targets("10.0.0.7:8080", List.of(API_HOST)), 1, new Names("unknown", "api", "api")),
        arguments("unnamed app with an app label: the label",
            REVIEWS_V1, ep("10.0.0.7:8080"), new ConnectDecision.Targets("10.0.0.7:8080", List.of(API_HOST)), 1, new Names("reviews", "api", "api")),
        arguments("own loopback",
            SHOP, ep("127.0.0.1:5000"), new ConnectDecision.Targets("loopback of app 0000000a", List.of(ep("127.0.0.1:41000"))), 1, new Names("shop", "loopback", "loopback")),
        arguments("outside the mesh: one value, never the address",
            SHOP, ep("93.184.216.34:443"), ConnectDecision.DIRECT, 1, new Names("shop", "outside", "outside")),
        arguments("through the egress gateway",
            SHOP, ep("93.184.216.34:443"), new ConnectDecision.ViaGateway(ep("192.168.1.12:6661"), ep("93.184.216.34:443")), 1, new Names("shop", "outside", "egress_gateway")),
        arguments("refused by the ACL at a vservice: its name, no backend",
            SHOP, vip, new ConnectDecision.Refuse(Errno.ECONNREFUSED, "no label", Cause.ACCESS), 0, new Names("shop", "reviews", "none")),
        arguments("refused at a real address: the app there",
            SHOP, API_HOST, new ConnectDecision.Refuse(Errno.ECONNREFUSED, "no label", Cause.ACCESS), 0, new Names("shop", "api", "none")),
        arguments("refused at an address nothing names: unknown, never the address",
            SHOP, ep("10.0.0.99:1234"), new ConnectDecision.Refuse(Errno.ECONNREFUSED, "nothing", Cause.NO_BACKEND), 0, new Names("shop", "unknown", "none")),
        arguments("an app the daemon does not know",
            app("000000ff", "gone", "10.0.0.50", ""), vip, new ConnectDecision.Refuse(Errno.EACCES, "not registered"), 0, new Names("unknown", "reviews", "none")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void of_decision_namesFromTheMeshConfiguration(String name, App client, Inet4Endpoint destination, ConnectDecision decision, int dialed, Names expected) {
    assertThat(ConnectLabels.of(MESH, client.id().value(), destination, decision, dialed)).isEqualTo(expected);
  }

  static Stream<Arguments> outcomes() {
    ConnectDecision targets = new ConnectDecision.Targets("vs", List.of(API_HOST, REVIEWS_HOST));
    return Stream.of(
        arguments(targets, 1, 0, Outcome.CONNECTED),
        arguments(targets, 2, 0, Outcome.FAILED_OVER),
        arguments(targets, 1, Errno.EINPROGRESS, Outcome.IN_PROGRESS),
        arguments(targets, 2, Errno.ECONNREFUSED, Outcome.REFUSED_BY_BACKEND),
        arguments(ConnectDecision.DIRECT, 1, 0, Outcome.CONNECTED),
        arguments(ConnectDecision.DIRECT, 1, Errno.ETIMEDOUT, Outcome.REFUSED_BY_BACKEND),
        arguments(new ConnectDecision.Refuse(Errno.ECONNREFUSED, "x", Cause.ACCESS), 0, Errno.ECONNREFUSED, Outcome.REFUSED_BY_ACL),
        arguments(new ConnectDecision.Refuse(Errno.ECONNREFUSED, "x", Cause.NO_BACKEND), 0, Errno.ECONNREFUSED, Outcome.NO_BACKEND),
        arguments(new ConnectDecision.Refuse(Errno.EACCES, "x"), 0, Errno.EACCES, Outcome.REFUSED_OTHER));
  }

  @ParameterizedTest(name = "{0} dialed {1}, errno {2}: {3}")
  @MethodSource("outcomes")
  void outcome_ofDecisionAndResult(ConnectDecision decision, int dialed, int errno, Outcome expected) {
    assertThat(Outcome.of(decision, dialed, errno)).isEqualTo(expected);
  }

  @Test
  void outcome_display_isSnakeCase() {
    assertThat(Outcome.FAILED_OVER.display()).isEqualTo("failed_over");
    assertThat(Outcome.REFUSED_BY_ACL.display()).isEqualTo("refused_by_acl");
  }

  private static App app(String id, String name, String ip, String labels) {
    return new App(new AppId(id), name, "node1", "appswitch", Ipv4.parse("ip", ip), "user", Labels.parse("labels", labels), 1000);
  }

  private static ServerEntry server(String id, App app, String serviceAddr, Inet4Endpoint host) {
    return new ServerEntry(id, app.id(), app.name(), Transport.TCP, ep(serviceAddr), host, app.labels(), "node1", "appswitch");
  }

  private static Inet4Endpoint ep(String text) {
    return Endpoints.parse("ep", text);
  }
}
