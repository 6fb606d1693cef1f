package io.ax.core.admin;

import com.google.protobuf.Message;
import io.ax.admin.v1.AppEvent;
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
import io.ax.admin.v1.ServerEvent;
import io.ax.admin.v1.ServersGrpc;
import io.ax.admin.v1.SocketEvent;
import io.ax.admin.v1.SocketsGrpc;
import io.ax.admin.v1.VServiceEvent;
import io.ax.admin.v1.VServicesGrpc;
import io.ax.admin.v1.WatchRequest;
import io.ax.core.lb.LbPolicy;
import io.ax.core.model.NodeInfo;
import io.ax.core.model.ProxyInfo;
import io.ax.core.model.VService;
import io.ax.core.proto.Protos;
import io.ax.core.state.DataplaneState;
import io.ax.core.state.DataplaneStore;
import io.grpc.BindableService;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's services over one {@link DataplaneStore}. Lists read one snapshot; watches
 * are {@link WatchStream}s; creates and deletes go through the store, whose errors become
 * statuses in {@link GrpcErrors}.
 */
public final class AdminServices {
  private static final Logger log = LoggerFactory.getLogger(AdminServices.class);

  private final DataplaneStore store;
  private final ResourceKinds kinds;

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
        VService vs = store.createVService(Protos.vservice("vservice.", request.getVservice(), LbPolicy.RANDOM));
        log.info("[admin] created vservice {} at {} ({})", vs.name(), vs.ip(), vs.policy().displayName());
        return Protos.vservice(vs);
      });
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
