package io.ax.it;

import io.ax.admin.AdminChannel;
import io.ax.admin.v1.ApplyVServicesRequest;
import io.ax.admin.v1.ApplyVServicesResponse;
import io.ax.admin.v1.Backend;
import io.ax.admin.v1.LbType;
import io.ax.admin.v1.PortMapping;
import io.ax.admin.v1.Subset;
import io.ax.admin.v1.VService;
import io.ax.admin.v1.VServicesGrpc;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A gRPC client on a real daemon's admin socket, as the xDS agent is one; helpers to build vservices. */
final class ItAdminClient implements AutoCloseable {
  private final AdminChannel channel;

  ItAdminClient(AxProcess.Daemon daemon) {
    channel = AdminChannel.unix(daemon.adminSocket(), 16 * 1024 * 1024);
  }

  ApplyVServicesResponse apply(String owner, List<VService> set) {
    return VServicesGrpc.newBlockingStub(channel.channel()).withDeadlineAfter(120, TimeUnit.SECONDS)
        .apply(ApplyVServicesRequest.newBuilder().setOwner(owner).addAllVservices(set).build());
  }

  static VService.Builder vs(String name, String ip, int port, LbType type, String... backends) {
    VService.Builder b = VService.newBuilder().setName(name).setIp(ip).setLbType(type).addPorts(PortMapping.newBuilder().setVport(port).setAppPort(port));
    for (String be : backends) {
      b.addBackends(Backend.newBuilder().setIp(be));
    }
    return b;
  }

  static Subset subset(String name, int weight, LbType type, String... backends) {
    Subset.Builder b = Subset.newBuilder().setName(name).setWeight(weight).setLbType(type);
    for (String be : backends) {
      b.addBackends(Backend.newBuilder().setIp(be));
    }
    return b.build();
  }

  @Override
  public void close() {
    channel.close();
  }
}
