package io.ax.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ax.admin.AdminChannel;
import io.ax.admin.v1.CreateVServiceRequest;
import io.ax.admin.v1.EventType;
import io.ax.admin.v1.PortMapping;
import io.ax.admin.v1.VService;
import io.ax.admin.v1.VServiceEvent;
import io.ax.admin.v1.VServicesGrpc;
import io.ax.admin.v1.WatchRequest;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin gRPC API of a real daemon over its unix socket, as the xDS agent will use it. */
class AdminWatchIT {
  @TempDir Path tmp;

  @Test
  void watchVServices_replaysThenStreamsChangesFromOtherClients() throws Exception {
    try (AxProcess.Daemon d = new AxProcess.Daemon(tmp.resolve("run")).start()) {
      d.ax("create", "vservice", "before", "--ip", "198.18.1.1", "--ports", "80");
      try (AdminChannel admin = AdminChannel.unix(d.adminSocket())) {
        ManagedChannel channel = admin.channel();
        Iterator<VServiceEvent> events = VServicesGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS).watch(WatchRequest.getDefaultInstance());

        VServiceEvent replayed = events.next();
        assertThat(replayed.getType()).isEqualTo(EventType.ADDED);
        assertThat(replayed.getVservice().getName()).isEqualTo("before");
        assertThat(events.next().getType()).isEqualTo(EventType.SYNCED);

        d.ax("create", "vservice", "after", "--ip", "198.18.2.2", "--ports", "80", "--lbtype", "RoundRobin");
        VServiceEvent added = events.next();
        assertThat(added.getType()).isEqualTo(EventType.ADDED);
        assertThat(added.getVservice().getName()).isEqualTo("after");

        d.ax("delete", "vservice", "before");
        VServiceEvent deleted = events.next();
        assertThat(deleted.getType()).isEqualTo(EventType.DELETED);
        assertThat(deleted.getVservice().getName()).isEqualTo("before");

        // Typed errors on the same channel.
        VServicesGrpc.VServicesBlockingStub stub = VServicesGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
        VService dup = VService.newBuilder().setName("after").setIp("198.18.3.3").addPorts(PortMapping.newBuilder().setVport(80).setAppPort(80)).build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> stub.create(CreateVServiceRequest.newBuilder().setVservice(dup).build()))
            .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.ALREADY_EXISTS));
      }
    }
  }
}
