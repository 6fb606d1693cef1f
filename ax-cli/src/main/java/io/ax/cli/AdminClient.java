package io.ax.cli;

import io.ax.admin.AdminChannel;
import io.ax.admin.v1.AppsGrpc;
import io.ax.admin.v1.NodesGrpc;
import io.ax.admin.v1.ProxiesGrpc;
import io.ax.admin.v1.ServersGrpc;
import io.ax.admin.v1.SocketsGrpc;
import io.ax.admin.v1.VServicesGrpc;
import io.ax.core.admin.AdminServer;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The CLI's connection to the admin API: a unix socket path (anything with a '/') or
 * HOST:PORT. Calls go through {@link #call}, which turns gRPC failures into one-line
 * {@link CliException}s that say where the CLI looked.
 *
 * <p>Thread-safe as its gRPC channel is; in practice one command opens it, uses it on its own
 * thread and closes it.
 */
final class AdminClient implements AutoCloseable {
  /** Generous for a local daemon; bounds a CLI that would otherwise hang on a stuck one. */
  private static final long DEADLINE_SECONDS = 15;

  private final String address;
  private final AdminChannel admin;
  private final ManagedChannel channel;

  private AdminClient(String address, AdminChannel admin) {
    this.address = address;
    this.admin = admin;
    this.channel = admin.channel();
  }

  static AdminClient connect(String address) {
    if (address.contains("/")) {
      Path socket = Path.of(address);
      if (!Files.exists(socket)) {
        throw new CliException("cannot reach the ax daemon: no admin socket at " + socket + " (is 'ax daemon' running? --admin or AX_ADMIN choose another)");
      }
      if (!Files.isWritable(socket)) {
        throw new CliException("permission denied on " + socket + ": the admin API is for root and the daemon's --admin-group");
      }
      return new AdminClient("unix:" + socket, AdminChannel.unix(socket, AdminServer.MAX_INBOUND_MESSAGE));
    }
    int colon = address.lastIndexOf(':');
    if (colon <= 0 || colon == address.length() - 1) {
      throw new CliException("--admin: '" + address + "' is neither a socket path nor HOST:PORT");
    }
    int port;
    try {
      port = Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new CliException("--admin: '" + address.substring(colon + 1) + "' is not a port");
    }
    // a list of 10,000 vservices exceeds gRPC's 4 MB default
    return new AdminClient("tcp:" + address, AdminChannel.tcp(address.substring(0, colon), port, AdminServer.MAX_INBOUND_MESSAGE));
  }

  AppsGrpc.AppsBlockingStub apps() {
    return AppsGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  ServersGrpc.ServersBlockingStub servers() {
    return ServersGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  SocketsGrpc.SocketsBlockingStub sockets() {
    return SocketsGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  VServicesGrpc.VServicesBlockingStub vservices() {
    return VServicesGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  NodesGrpc.NodesBlockingStub nodes() {
    return NodesGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  ProxiesGrpc.ProxiesBlockingStub proxies() {
    return ProxiesGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  /** A stub without a deadline, for watch streams that last until the user stops them. */
  <S> S watchStub(java.util.function.Function<io.grpc.Channel, S> factory) {
    return factory.apply(channel);
  }

  /** Runs one call; failures become one line naming the daemon's answer or where we looked. */
  <T> T call(Supplier<T> rpc) {
    try {
      return rpc.get();
    } catch (StatusRuntimeException e) {
      Status s = e.getStatus();
      if (s.getCode() == Status.Code.UNAVAILABLE && s.getCause() != null) {
        throw new CliException("cannot reach the ax daemon at " + address + ": " + rootMessage(s.getCause()) + " (is 'ax daemon' running?)");
      }
      if (s.getCode() == Status.Code.DEADLINE_EXCEEDED) {
        throw new CliException("the ax daemon at " + address + " did not answer within " + DEADLINE_SECONDS + " s");
      }
      String description = s.getDescription() == null ? s.getCode().toString() : s.getDescription();
      throw new CliException(description);
    }
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
  }

  @Override
  public void close() {
    admin.close();
  }
}
