package io.ax.core.admin;

import com.google.protobuf.Message;
import io.ax.admin.v1.AppEvent;
import io.ax.admin.v1.ApplyVServicesRequest;
import io.ax.admin.v1.ApplyVServicesResponse;
import io.ax.admin.v1.AppsGrpc;
import io.ax.admin.v1.CreateVServiceRequest;
import io.ax.admin.v1.DeleteVServiceRequest;
import io.ax.admin.v1.DeleteVServiceResponse;
import io.ax.admin.v1.ListAppsRequest;
import io.ax.admin.v1.ListAppsResponse;
import io.ax.admin.v1.ListNodesRequest;
import io.ax.admin.v1.ListNodesResponse;
import io.ax.admin.v1.ListProxiesRequest;
import io.ax.admin.v1.ListProxiesResponse;
import io.ax.admin.v1.ListServersRequest;
import io.ax.admin.v1.ListServersResponse;
import io.ax.admin.v1.ListSocketsRequest;
import io.ax.admin.v1.ListSocketsResponse;
import io.ax.admin.v1.ListVServicesRequest;
import io.ax.admin.v1.ListVServicesResponse;
import io.ax.admin.v1.NodeEvent;
import io.ax.admin.v1.NodesGrpc;
import io.ax.admin.v1.ProxiesGrpc;
import io.ax.admin.v1.ProxyEvent;
import io.ax.admin.v1.RejectedVService;
import io.ax.admin.v1.ServerEvent;
import io.ax.admin.v1.ServersGrpc;
import io.ax.admin.v1.SocketEvent;
import io.ax.admin.v1.SocketsGrpc;
import io.ax.admin.v1.VServiceEvent;
import io.ax.admin.v1.VServicesGrpc;
import io.ax.admin.v1.WatchRequest;
import io.ax.core.field.InvalidFieldException;
import io.ax.core.lb.LbPolicy;
import io.ax.core.model.NodeInfo;
import io.ax.core.model.ProxyInfo;
import io.ax.core.model.VService;
import io.ax.core.proto.Protos;
import io.ax.core.state.DataplaneState;
import io.ax.core.state.DataplaneStore;
import io.ax.core.state.VServiceApply;
import io.grpc.BindableService;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's services over one {@link DataplaneStore}. Lists read one snapshot; watches
 * are {@link WatchStream}s; creates, deletes and applies go through the store, whose errors
 * become statuses in {@link GrpcErrors}. Thread-safe: it holds only final references, each call
 * reads one immutable snapshot, and every write is serialised by the store.
 */
public final class AdminServices {
  private static final Logger log = LoggerFactory.getLogger(AdminServices.class);

  private final DataplaneStore store;
  private final ResourceKinds kinds;
  // Per owner, the vservices of its last Apply as received and as checked. An agent resends its
  // whole set on every change and most of it is what it sent last time: those messages skip
  // parsing and validation (a pure function of the message and the owner, so the memo can never
  // be stale), which at 10,000 vservices is most of an Apply's cost. Admin callers are root, so
  // the owners are few.
  private final Map<String, Map<io.ax.admin.v1.VService, VService>> applyMemo = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * @param nodes the nodes of the cluster as seen from a snapshot
   * @param proxies the proxies the daemon runs now
   */
  public AdminServices(
      DataplaneStore store, Function<DataplaneState, Map<String, NodeInfo>> nodes, Supplier<Map<String, ProxyInfo>> proxies) {
    this.store = Objects.requireNonNull(store, "store");
    this.kinds = new ResourceKinds(nodes, s -> proxies.get());
  }

  public List<BindableService> all() {
    return List.of(new Apps(), new Servers(), new Sockets(), new VServices(), new Nodes(), new Proxies());
  }

  private <T, E extends Message> void watch(ResourceKind<T, E> kind, StreamObserver<E> observer) {
    new WatchStream<>(kind, store, (ServerCallStreamObserver<E>) observer).start();
  }

  private static <R> void answer(String call, StreamObserver<R> observer, Supplier<R> body) {
    R result;
    try {
      result = body.get();
    } catch (RuntimeException e) {
      observer.onError(GrpcErrors.toStatus(call, e));
      return;
    }
    observer.onNext(result);
    observer.onCompleted();
  }

  private final class Apps extends AppsGrpc.AppsImplBase {
    @Override
    public void list(ListAppsRequest request, StreamObserver<ListAppsResponse> observer) {
      answer("Apps.List", observer, () -> ListAppsResponse.newBuilder()
          .addAllApps(store.current().apps().values().stream().map(Protos::app).toList())
          .build());
    }

    @Override
    public void watch(WatchRequest request, StreamObserver<AppEvent> observer) {
      AdminServices.this.watch(kinds.apps, observer);
    }
  }

  private final class Servers extends ServersGrpc.ServersImplBase {
    @Override
    public void list(ListServersRequest request, StreamObserver<ListServersResponse> observer) {
      answer("Servers.List", observer, () -> ListServersResponse.newBuilder()
          .addAllServers(store.current().servers().values().stream().map(Protos::server).toList())
          .build());
    }

    @Override
    public void watch(WatchRequest request, StreamObserver<ServerEvent> observer) {
      AdminServices.this.watch(kinds.servers, observer);
    }
  }

  private final class Sockets extends SocketsGrpc.SocketsImplBase {
    @Override
    public void list(ListSocketsRequest request, StreamObserver<ListSocketsResponse> observer) {
      answer("Sockets.List", observer, () -> ListSocketsResponse.newBuilder()
          .addAllSockets(store.current().sockets().values().stream().map(Protos::socket).toList())
          .build());
    }

    @Override
    public void watch(WatchRequest request, StreamObserver<SocketEvent> observer) {
      AdminServices.this.watch(kinds.sockets, observer);
    }
  }

  private final class VServices extends VServicesGrpc.VServicesImplBase {
    @Override
    public void list(ListVServicesRequest request, StreamObserver<ListVServicesResponse> observer) {
      answer("VServices.List", observer, () -> ListVServicesResponse.newBuilder()
          .addAllVservices(store.current().vservices().values().stream().map(Protos::vservice).toList())
          .build());
    }

    @Override
    public void watch(WatchRequest request, StreamObserver<VServiceEvent> observer) {
      AdminServices.this.watch(kinds.vservices, observer);
    }

    @Override
    public void create(CreateVServiceRequest request, StreamObserver<io.ax.admin.v1.VService> observer) {
      answer("VServices.Create", observer, () -> {
        // AppSwitch's `create vservice` defaults to Random.
        VService vs = store.createVService(Protos.vservice("vservice.", request.getVservice(), LbPolicy.RANDOM), request.getForce());
        log.info("[admin] created vservice {} at {} ({})", vs.name(), vs.ip(), vs.policy().displayName());
        return Protos.vservice(vs);
      });
    }

    @Override
    public void apply(ApplyVServicesRequest request, StreamObserver<ApplyVServicesResponse> observer) {
      answer("VServices.Apply", observer, () -> AdminServices.this.apply(request));
    }

    @Override
    public void delete(DeleteVServiceRequest request, StreamObserver<DeleteVServiceResponse> observer) {
      answer("VServices.Delete", observer, () -> {
        store.deleteVService(request.getName());
        log.info("[admin] deleted vservice {}", request.getName());
        return DeleteVServiceResponse.getDefaultInstance();
      });
    }
  }

  /**
   * Checks each vservice on its own (an invalid one is rejected with its field and the rest
   * still applies), sets the owner on all, and reconciles in one store commit.
   */
  ApplyVServicesResponse apply(ApplyVServicesRequest request) {
    String owner = request.getOwner();
    if (owner.isEmpty()) {
      throw new InvalidFieldException("owner", "an owner is required (the id of the agent that manages these vservices, e.g. xds-agent)");
    }
    VService.checkOwner(owner);
    long started = System.nanoTime();
    List<VService> valid = new ArrayList<>(request.getVservicesCount());
    Set<String> invalid = new HashSet<>();
    List<RejectedVService> rejected = new ArrayList<>();
    Map<io.ax.admin.v1.VService, VService> memo = applyMemo.getOrDefault(owner, Map.of());
    Map<io.ax.admin.v1.VService, VService> nextMemo = new HashMap<>();
    for (int i = 0; i < request.getVservicesCount(); i++) {
      io.ax.admin.v1.VService m = request.getVservices(i);
      VService known = memo.get(m);
      if (known != null) {
        valid.add(known);
        nextMemo.put(m, known);
        continue;
      }
      try {
        // Apply is the agents' call: no default policy was chosen by a user, so RoundRobin,
        // Envoy's default, stands in for an unspecified type.
        VService vs = Protos.vservice("vservices[" + i + "].", m.toBuilder().setOwner(owner).build(), LbPolicy.ROUND_ROBIN);
        valid.add(vs);
        nextMemo.put(m, vs);
      } catch (InvalidFieldException e) {
        invalid.add(m.getName());
        rejected.add(RejectedVService.newBuilder().setName(m.getName()).setReason(e.getMessage()).build());
      }
    }
    applyMemo.put(owner, nextMemo);
    VServiceApply.Result r = store.applyVServices(owner, valid, invalid);
    r.rejected().forEach(x -> rejected.add(RejectedVService.newBuilder().setName(x.name()).setReason(x.reason()).build()));
    long micros = (System.nanoTime() - started) / 1000;
    if (r.changed() || !rejected.isEmpty()) {
      log.info("[admin] apply {}: {} created, {} updated, {} deleted, {} unchanged, {} rejected in {} ms",
          owner, r.created(), r.updated(), r.deleted(), r.unchanged(), rejected.size(), micros / 1000);
    } else {
      log.debug("[admin] apply {}: {} unchanged in {} us", owner, r.unchanged(), micros);
    }
    for (RejectedVService x : rejected) {
      log.warn("[admin] apply {}: rejected vservice '{}': {}", owner, x.getName(), x.getReason());
    }
    return ApplyVServicesResponse.newBuilder()
        .setCreated(r.created())
        .setUpdated(r.updated())
        .setDeleted(r.deleted())
        .setUnchanged(r.unchanged())
        .addAllRejected(rejected)
        .build();
  }

  private final class Nodes extends NodesGrpc.NodesImplBase {
    @Override
    public void list(ListNodesRequest request, StreamObserver<ListNodesResponse> observer) {
      answer("Nodes.List", observer, () -> ListNodesResponse.newBuilder()
          .addAllNodes(kinds.nodes.items().apply(store.current()).values().stream().map(Protos::node).toList())
          .build());
    }

    @Override
    public void watch(WatchRequest request, StreamObserver<NodeEvent> observer) {
      AdminServices.this.watch(kinds.nodes, observer);
    }
  }

  private final class Proxies extends ProxiesGrpc.ProxiesImplBase {
    @Override
    public void list(ListProxiesRequest request, StreamObserver<ListProxiesResponse> observer) {
      answer("Proxies.List", observer, () -> ListProxiesResponse.newBuilder()
          .addAllProxies(kinds.proxies.items().apply(store.current()).values().stream().map(Protos::proxy).toList())
          .build());
    }

    @Override
    public void watch(WatchRequest request, StreamObserver<ProxyEvent> observer) {
      AdminServices.this.watch(kinds.proxies, observer);
    }
  }
}
