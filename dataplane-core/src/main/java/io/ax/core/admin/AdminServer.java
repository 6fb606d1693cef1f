package io.ax.core.admin;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the admin API on a unix socket that only root and one operator group may use, and on
 * TCP when the operator asks for it. The socket is bound under a temporary name, given its mode
 * and group, and only then renamed into place, so it is never reachable with looser rights.
 */
public final class AdminServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

  /**
   * @param socket where the unix socket goes
   * @param group the group besides root that may use it; empty: root only
   * @param tcp a TCP address to serve on as well; empty: none (the default: TCP has no peer check)
   */
  public record Config(Path socket, Optional<String> group, Optional<InetSocketAddress> tcp) {
    public Config {
      Objects.requireNonNull(socket, "socket");
      Objects.requireNonNull(group, "group");
      Objects.requireNonNull(tcp, "tcp");
    }
  }

  /**
   * The largest message the admin API reads (and the CLI accepts back). An Apply of the xDS
   * agent's target scale, 10,000 vservices with 100,000 endpoints, Istio-style names and one
   * FQDN hostname each, measures 3.0 MB (AdminApplyTest), over gRPC's 4 MB default once names
   * grow; 16 MB leaves five times that, and still bounds what one client can make the daemon
   * hold.
   */
  public static final int MAX_INBOUND_MESSAGE = 16 * 1024 * 1024;

  private final Config config;
  private final List<Server> servers = new ArrayList<>();
  private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());

  private AdminServer(Config config) {
    this.config = config;
  }

  /** Binds and starts; on failure nothing is left running. */
  public static AdminServer start(Config config, List<BindableService> services) throws IOException {
    AdminServer s = new AdminServer(Objects.requireNonNull(config, "config"));
    try {
      s.startUnix(services);
      if (config.tcp().isPresent()) {
        s.startTcp(config.tcp().get(), services);
      }
      return s;
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  private void startUnix(List<BindableService> services) throws IOException {
    Path target = config.socket();
    Path temp = target.resolveSibling(target.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
    Files.deleteIfExists(temp);
    NettyServerBuilder b = NettyServerBuilder.forAddress(new DomainSocketAddress(temp.toString()))
        .channelType(EpollServerDomainSocketChannel.class)
        .bossEventLoopGroup(loop)
        .workerEventLoopGroup(loop)
        .maxInboundMessageSize(MAX_INBOUND_MESSAGE);
    services.forEach(b::addService);
    Server server = b.build().start();
    servers.add(server);
    try {
      Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString(config.group().isPresent() ? "rw-rw----" : "rw-------"));
      if (config.group().isPresent()) {
        Files.getFileAttributeView(temp, PosixFileAttributeView.class).setGroup(lookupGroup(config.group().get()));
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    log.info("[admin] serving the admin API on unix:{}{}", target, config.group().map(g -> " (root and group " + g + ")").orElse(" (root only)"));
  }

  private static GroupPrincipal lookupGroup(String group) throws IOException {
    try {
      return java.nio.file.FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
    } catch (UserPrincipalNotFoundException e) {
      throw new IOException("--admin-group: no group named '" + group + "'");
    }
  }

  private void startTcp(InetSocketAddress address, List<BindableService> services) throws IOException {
    NettyServerBuilder b = NettyServerBuilder.forAddress(address).maxInboundMessageSize(MAX_INBOUND_MESSAGE);
    services.forEach(b::addService);
    servers.add(b.build().start());
    log.warn("[admin] also serving the admin API on tcp:{} (no peer check: protect this port)", address);
  }

  @Override
  public void close() {
    for (Server s : servers) {
      s.shutdownNow();
    }
    for (Server s : servers) {
      try {
        s.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    try {
      Files.deleteIfExists(config.socket());
    } catch (IOException e) {
      log.warn("[admin] could not remove {}: {}", config.socket(), e.getMessage());
    }
  }
}
