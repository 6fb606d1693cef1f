package io.ax.core.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ax.admin.v1.ApplyVServicesRequest;
import io.ax.admin.v1.ApplyVServicesResponse;
import io.ax.admin.v1.Backend;
import io.ax.admin.v1.EventType;
import io.ax.admin.v1.LbType;
import io.ax.admin.v1.ListVServicesRequest;
import io.ax.admin.v1.PortMapping;
import io.ax.admin.v1.RejectedVService;
import io.ax.admin.v1.Subset;
import io.ax.admin.v1.VService;
import io.ax.admin.v1.VServiceEvent;
import io.ax.admin.v1.VServicesGrpc;
import io.ax.admin.v1.WatchRequest;
import io.ax.core.state.DataplaneState;
import io.ax.core.state.DataplaneStore;
import io.ax.core.state.StatePersistence;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** VServices.Apply through a real gRPC server in this JVM. */
class AdminApplyTest {
  private static final Logger log = LoggerFactory.getLogger(AdminApplyTest.class);
  private final DataplaneStore store = new DataplaneStore(DataplaneState.EMPTY, StatePersistence.NONE);
  private final LocalAdminServer server = new LocalAdminServer(store, s -> Map.of(), Map::of);
  private final VServicesGrpc.VServicesBlockingStub vservices = VServicesGrpc.newBlockingStub(server.channel).withDeadlineAfter(60, TimeUnit.SECONDS);

  @AfterEach
  void stop() {
    server.close();
  }

  static VService vs(String name, String ip, int port, String... backends) {
    VService.Builder b = VService.newBuilder().setName(name).setIp(ip).addPorts(PortMapping.newBuilder().setVport(port).setAppPort(port));
    for (String be : backends) {
      b.addBackends(Backend.newBuilder().setIp(be));
    }
    return b.build();
  }

  private ApplyVServicesResponse apply(String owner, VService... set) {
    return vservices.apply(ApplyVServicesRequest.newBuilder().setOwner(owner).addAllVservices(List.of(set)).build());
  }

  @Test
  void apply_newSet_createdWithOwnerAndRoundRobinForUnspecifiedType() {
    ApplyVServicesResponse r = apply("xds-agent", vs("a", "10.96.0.1", 80, "10.0.0.1"), vs("b", "10.96.0.2", 80));

    assertThat(r.getCreated()).isEqualTo(2);
    List<VService> listed = vservices.list(ListVServicesRequest.getDefaultInstance()).getVservicesList();
    assertThat(listed).extracting(VService::getOwner).containsOnly("xds-agent");
    assertThat(listed).extracting(VService::getLbType).containsOnly(LbType.ROUND_ROBIN);
  }

  @Test
  void apply_emptyOwner_invalidArgumentNamingTheField() {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> apply("", vs("a", "10.96.0.1", 80)));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).startsWith("owner: an owner is required");
  }

  @Test
  void apply_badOwner_invalidArgument() {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> apply("XDS agent", vs("a", "10.96.0.1", 80)));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).contains("'XDS agent' is not a valid owner");
  }

  @Test
  void apply_oneInvalidOneClashing_bothRejectedWithOneLineReasonsRestApplied() {
    vservices.create(io.ax.admin.v1.CreateVServiceRequest.newBuilder().setVservice(vs("user-web", "10.96.1.1", 80)).build());

    ApplyVServicesResponse r = apply("xds-agent",
        vs("good", "10.96.0.1", 80),
        vs("bad", "10.96.0.300", 80),
        vs("clash", "10.96.1.1", 80),
        VService.newBuilder(vs("split", "10.96.0.2", 9080)).addSubsets(Subset.newBuilder().setName("v1").setWeight(0)).build());

    assertThat(r.getCreated()).isEqualTo(1);
    assertThat(r.getRejectedList()).extracting(RejectedVService::getName).containsExactly("bad", "split", "clash");
    assertThat(r.getRejectedList()).extracting(RejectedVService::getReason).containsExactly(
        "vservices[1].ip: '10.96.0.300' is not an IPv4 address (expected a.b.c.d)",
        "vservices[3].subsets[0].weight: subset v1: weight 0 is outside 1-1000000",
        "ports: 10.96.1.1:80 is already served by vservice 'user-web' of a user (made with ax create or REST)");
    assertThat(r.getRejectedList()).allSatisfy(x -> assertThat(x.getReason()).doesNotContain("\n"));
    assertThat(store.current().vservices()).containsOnlyKeys("user-web", "good");
  }

  @Test
  void apply_changes_watcherSeesAddedModifiedDeleted() {
    apply("xds-agent", vs("keep", "10.96.0.1", 80), vs("change", "10.96.0.2", 80), vs("gone", "10.96.0.3", 80));
    Iterator<VServiceEvent> events = VServicesGrpc.newBlockingStub(server.channel).withDeadlineAfter(30, TimeUnit.SECONDS).watch(WatchRequest.getDefaultInstance());
    for (int i = 0; i < 3; i++) {
      assertThat(events.next().getType()).isEqualTo(EventType.ADDED);
    }
    assertThat(events.next().getType()).isEqualTo(EventType.SYNCED);

    apply("xds-agent", vs("keep", "10.96.0.1", 80), vs("change", "10.96.0.2", 80, "10.0.0.9"), vs("new", "10.96.0.4", 80));

    List<String> seen = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      VServiceEvent e = events.next();
      seen.add(e.getType() + " " + e.getVservice().getName());
    }
    assertThat(seen).containsExactlyInAnyOrder("MODIFIED change", "ADDED new", "DELETED gone");
  }

  /** The xDS agent's target scale: 10,000 vservices with 100,000 endpoints, as Istio names them. */
  static ApplyVServicesRequest tenThousand() {
    ApplyVServicesRequest.Builder b = ApplyVServicesRequest.newBuilder().setOwner("xds-agent");
    for (int i = 0; i < 10_000; i++) {
      String host = "service-" + i + ".namespace-" + (i % 100) + ".svc.cluster.local";
      VService.Builder v = VService.newBuilder()
          .setName("service-" + i + ".namespace-" + (i % 100) + "-9080")
          .setIp("10.96." + (i / 250) + "." + (i % 250 + 1))
          .setLbType(LbType.ROUND_ROBIN)
          .addPorts(PortMapping.newBuilder().setVport(9080).setAppPort(9080))
          .addHostnames(host);
      for (int e = 0; e < 10; e++) {
        int n = i * 10 + e;
        v.addBackends(Backend.newBuilder().setIp("10." + (128 + n / 65536) + "." + (n / 256 % 256) + "." + (n % 256)).setPort(9080));
      }
      b.addVservices(v);
    }
    return b.build();
  }

  @Test
  void apply_tenThousandVServicesWithHundredThousandEndpoints_fitsTheLimitAndApplies() {
    ApplyVServicesRequest request = tenThousand();
    int size = request.getSerializedSize();
    log.info("[apply-test] an Apply of 10,000 vservices / 100,000 endpoints is {} bytes", size);

    assertThat(size).isLessThan(AdminServer.MAX_INBOUND_MESSAGE / 4);
    long start = System.nanoTime();
    ApplyVServicesResponse first = vservices.apply(request);
    long firstMs = (System.nanoTime() - start) / 1_000_000;
    start = System.nanoTime();
    ApplyVServicesResponse again = vservices.apply(request);
    long againMs = (System.nanoTime() - start) / 1_000_000;
    log.info("[apply-test] in-process Apply: first {} ms, unchanged {} ms", firstMs, againMs);

    assertThat(first.getCreated()).isEqualTo(10_000);
    assertThat(first.getRejectedList()).isEmpty();
    assertThat(again.getUnchanged()).isEqualTo(10_000);
    assertThat(store.current().vservices()).hasSize(10_000);
  }

  @Test
  void apply_sameSetAgain_reusesTheCheckedVServicesAndStillRejectsTheInvalidOne() {
    apply("xds-agent", vs("a", "10.96.0.1", 80, "10.0.0.1"), vs("b", "10.96.0.2", 80), vs("bad", "10.96.0.300", 80));
    io.ax.core.model.VService firstA = store.current().vservices().get("a");

    ApplyVServicesResponse again = apply("xds-agent", vs("a", "10.96.0.1", 80, "10.0.0.1"), vs("b", "10.96.0.2", 81), vs("bad", "10.96.0.300", 80));

    assertThat(again.getUnchanged()).isEqualTo(1);
    assertThat(again.getUpdated()).isEqualTo(1);
    assertThat(again.getRejectedList()).extracting(RejectedVService::getName).containsExactly("bad");
    assertThat(store.current().vservices().get("a")).isSameAs(firstA);
    assertThat(store.current().vservices().get("b").ports()).extracting(io.ax.core.model.PortMapping::vport).containsExactly(81);
  }
}
