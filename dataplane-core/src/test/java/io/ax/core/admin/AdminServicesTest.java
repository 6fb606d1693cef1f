package io.ax.core.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import io.ax.admin.v1.AppsGrpc;
import io.ax.admin.v1.Backend;
import io.ax.admin.v1.CreateVServiceRequest;
import io.ax.admin.v1.DeleteVServiceRequest;
import io.ax.admin.v1.LbType;
import io.ax.admin.v1.ListAppsRequest;
import io.ax.admin.v1.ListNodesRequest;
import io.ax.admin.v1.ListProxiesRequest;
import io.ax.admin.v1.ListServersRequest;
import io.ax.admin.v1.ListSocketsRequest;
import io.ax.admin.v1.ListVServicesRequest;
import io.ax.admin.v1.NodesGrpc;
import io.ax.admin.v1.PortMapping;
import io.ax.admin.v1.ProxiesGrpc;
import io.ax.admin.v1.ServersGrpc;
import io.ax.admin.v1.SocketsGrpc;
import io.ax.admin.v1.VService;
import io.ax.admin.v1.VServicesGrpc;
import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.model.NodeInfo;
import io.ax.core.model.ProxyInfo;
import io.ax.core.net.Endpoints;
import io.ax.core.state.DataplaneState;
import io.ax.core.state.DataplaneStore;
import io.ax.core.state.StateFixtures;
import io.ax.core.state.StatePersistence;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The admin API's unary calls through a real gRPC server in this JVM. */
class AdminServicesTest {
  private final DataplaneStore store = new DataplaneStore(DataplaneState.EMPTY, StatePersistence.NONE);
  private final LocalAdminServer server = new LocalAdminServer(
      store,
      s -> Map.of("node-1", new NodeInfo("node-1", "appswitch", "10.0.2.15", "203.0.113.1", List.of("compute"), s.apps().size())),
      () -> Map.of("p1", new ProxyInfo("p1", Transport.TCP, Endpoints.of("10.0.2.15", 31111), List.of(Endpoints.of("10.0.0.5", 9080)))));
  private final VServicesGrpc.VServicesBlockingStub vservices = VServicesGrpc.newBlockingStub(server.channel);

  @AfterEach
  void stop() {
    server.close();
  }

  static VService web() {
    return VService.newBuilder()
        .setName("web")
        .setIp("10.96.0.1")
        .addPorts(PortMapping.newBuilder().setVport(80).setAppPort(8080))
        .addBackends(Backend.newBuilder().setIp("10.0.0.5"))
        .addBackends(Backend.newBuilder().setIp("10.0.0.6").setPort(9090))
        .build();
  }

  private VService create(VService vs) {
    return vservices.create(CreateVServiceRequest.newBuilder().setVservice(vs).build());
  }

  private StatusRuntimeException createFails(VService vs) {
    return catchThrowableOfType(StatusRuntimeException.class, () -> create(vs));
  }

  @Test
  void create_thenList_returnsItWithDefaultsSet() {
    VService created = create(web());

    // LB_TYPE_UNSPECIFIED is the daemon's default for the call: Random.
    assertThat(created).isEqualTo(web().toBuilder().setLbType(LbType.RANDOM).build());
    assertThat(vservices.list(ListVServicesRequest.getDefaultInstance()).getVservicesList()).containsExactly(created);
    assertThat(store.current().vservices().get("web").policy().displayName()).isEqualTo("Random");
  }

  @Test
  void create_everyFieldSet_keptAsGiven() {
    VService full = web().toBuilder().setName("api.prod").setLbType(LbType.ROUND_ROBIN).setExternal(true).setSourceIp("192.168.1.2").build();

    assertThat(create(full)).isEqualTo(full);
    assertThat(store.current().vservices().get("api.prod").sourceIp()).map(Object::toString).contains("192.168.1.2");
  }

  @Test
  void create_badIp_invalidArgumentWithBadRequestNamingTheField() throws InvalidProtocolBufferException {
    StatusRuntimeException e = createFails(web().toBuilder().setIp("1.2.3").build());

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).startsWith("vservice.ip: ").contains("'1.2.3'");
    com.google.rpc.Status rich = StatusProto.fromThrowable(e);
    assertThat(rich).isNotNull();
    assertThat(rich.getDetailsList()).hasSize(1);
    BadRequest detail = rich.getDetails(0).unpack(BadRequest.class);
    assertThat(detail.getFieldViolationsList()).singleElement().satisfies(v -> {
      assertThat(v.getField()).isEqualTo("vservice.ip");
      assertThat(v.getDescription()).contains("'1.2.3'").doesNotStartWith("vservice.ip");
    });
    assertThat(store.current().vservices()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "upper-case name,        vservice.name",
    "empty name,             vservice.name",
    "no ports,               vservice.ports",
    "vport 0,                vservice.ports[0].vport",
    "app port 70000,         vservice.ports[0].app_port",
    "vport twice,            vservice.ports",
    "backend ip 10.0.0,      vservice.backends[1].ip",
    "backend port 70000,     vservice.backends[0].port",
    "source ip 1.2,          vservice.source_ip",
    "unknown lb type 7,      vservice.lb_type",
    "ip 0.0.0.0,             vservice.ip",
  })
  void create_invalidField_invalidArgumentNamingIt(String label, String field) throws InvalidProtocolBufferException {
    UnaryOperator<VService.Builder> breaker = switch (label) {
      case "upper-case name" -> b -> b.setName("Web");
      case "empty name" -> b -> b.setName("");
      case "no ports" -> VService.Builder::clearPorts;
      case "vport 0" -> b -> b.setPorts(0, PortMapping.newBuilder().setAppPort(80));
      case "app port 70000" -> b -> b.setPorts(0, PortMapping.newBuilder().setVport(80).setAppPort(70000));
      case "vport twice" -> b -> b.addPorts(PortMapping.newBuilder().setVport(80).setAppPort(81));
      case "backend ip 10.0.0" -> b -> b.setBackends(1, Backend.newBuilder().setIp("10.0.0"));
      case "backend port 70000" -> b -> b.setBackends(0, Backend.newBuilder().setIp("10.0.0.5").setPort(70000));
      case "source ip 1.2" -> b -> b.setSourceIp("1.2");
      case "unknown lb type 7" -> b -> b.setLbTypeValue(7);
      case "ip 0.0.0.0" -> b -> b.setIp("0.0.0.0");
      default -> throw new IllegalArgumentException(label);
    };

    StatusRuntimeException e = createFails(breaker.apply(web().toBuilder()).build());

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).startsWith(field + ": ");
    BadRequest detail = StatusProto.fromThrowable(e).getDetails(0).unpack(BadRequest.class);
    assertThat(detail.getFieldViolations(0).getField()).isEqualTo(field);
    assertThat(store.current()).isSameAs(DataplaneState.EMPTY);
  }

  @Test
  void create_nameTaken_alreadyExists() {
    create(web());

    StatusRuntimeException e = createFails(web().toBuilder().setIp("10.96.0.2").build());

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(e.getStatus().getDescription()).contains("'web'");
  }

  @Test
  void create_frontendServedByAnother_failedPreconditionNamingBoth() {
    create(web());

    StatusRuntimeException e = createFails(web().toBuilder().setName("other").build());

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(e.getStatus().getDescription()).contains("'web'", "10.96.0.1:80");
    assertThat(store.current().vservices()).containsOnlyKeys("web");
  }

  @Test
  void create_persistenceFails_unavailableAndNothingStored() {
    DataplaneStore failing = new DataplaneStore(DataplaneState.EMPTY, state -> {
      throw new IOException("disk full");
    });
    try (LocalAdminServer other = new LocalAdminServer(failing, s -> Map.of(), Map::of)) {
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
          () -> VServicesGrpc.newBlockingStub(other.channel).create(CreateVServiceRequest.newBuilder().setVservice(web()).build()));

      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(e.getStatus().getDescription()).contains("disk full");
      assertThat(failing.current()).isSameAs(DataplaneState.EMPTY);
    }
  }

  @Test
  void delete_existing_goneFromList() {
    create(web());

    vservices.delete(DeleteVServiceRequest.newBuilder().setName("web").build());

    assertThat(vservices.list(ListVServicesRequest.getDefaultInstance()).getVservicesList()).isEmpty();
    assertThat(store.current().vservices()).isEmpty();
  }

  @Test
  void delete_missing_notFoundNamingIt() {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> vservices.delete(DeleteVServiceRequest.newBuilder().setName("nope").build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(e.getStatus().getDescription()).contains("'nope'");
  }

  @Test
  void list_everyKind_returnsWhatTheDaemonHolds() {
    store.putApp(StateFixtures.app("f00001bb", "10.0.2.15", "zone=default"));
    store.putServer(StateFixtures.server("s1", "f00001bb", "10.0.2.15:9080", "10.0.2.15:40000", "zone=default"));
    store.putSocket(StateFixtures.socket("k1", "f00001bb", 4242));

    assertThat(AppsGrpc.newBlockingStub(server.channel).list(ListAppsRequest.getDefaultInstance()).getAppsList())
        .singleElement().satisfies(a -> assertThat(a.getAppId()).isEqualTo("f00001bb"));
    assertThat(ServersGrpc.newBlockingStub(server.channel).list(ListServersRequest.getDefaultInstance()).getServersList())
        .singleElement().satisfies(s -> assertThat(s.getServiceAddr().getPort()).isEqualTo(9080));
    assertThat(SocketsGrpc.newBlockingStub(server.channel).list(ListSocketsRequest.getDefaultInstance()).getSocketsList())
        .singleElement().satisfies(s -> assertThat(s.getInode()).isEqualTo(4242));
    assertThat(NodesGrpc.newBlockingStub(server.channel).list(ListNodesRequest.getDefaultInstance()).getNodesList())
        .singleElement().satisfies(n -> assertThat(n.getAppCount()).isEqualTo(1));
    assertThat(ProxiesGrpc.newBlockingStub(server.channel).list(ListProxiesRequest.getDefaultInstance()).getProxiesList())
        .singleElement().satisfies(p -> assertThat(p.getDialersList()).hasSize(1));
  }

  @Test
  void list_sourceThrows_internalWithoutTheCause() {
    try (LocalAdminServer broken = new LocalAdminServer(store, s -> {
      throw new IllegalStateException("secret detail");
    }, Map::of)) {
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
          () -> NodesGrpc.newBlockingStub(broken.channel).list(ListNodesRequest.getDefaultInstance()));

      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
      assertThat(e.getStatus().getDescription()).contains("Nodes.List").doesNotContain("secret detail");
    }
  }
}
