package io.ax.xds.agent;

import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/** Makes the gRPC channel to the control plane, plaintext or TLS. */
public final class PilotChannels {
  /**
   * Keepalive pings every 5 minutes find a control plane that vanished without closing the
   * connection (a crashed node). Not more often: gRPC servers refuse pings more frequent than
   * their permitKeepAliveTime, 5 minutes by default, with GOAWAY too_many_pings, and
   * java-control-plane servers (pilot-lite) keep that default.
   */
  static final long KEEPALIVE_MINUTES = 5;

  private PilotChannels() {}

  /** How to reach the control plane. */
  public sealed interface Security {
    /** Port 15010: no TLS, no token. */
    record Plaintext() implements Security {}

    /**
     * Port 15012: TLS that trusts the roots in {@code caFile}, with the ServiceAccount token in
     * {@code tokenFile}; {@code serverName} overrides the name the certificate must carry (istiod's
     * is {@code istiod.istio-system.svc}) when the address is an IP or another name.
     */
    record Tls(Path caFile, Path tokenFile, Optional<String> serverName) implements Security {
      public Tls {
        Objects.requireNonNull(caFile, "caFile");
        Objects.requireNonNull(tokenFile, "tokenFile");
        Objects.requireNonNull(serverName, "serverName");
      }
    }
  }

  /** The credentials that go with {@code security}: the token's, for TLS. */
  public static Optional<CallCredentials> credentials(Security security) {
    return switch (security) {
      case Security.Plaintext p -> Optional.empty();
      case Security.Tls tls -> Optional.of(new BearerTokenCredentials(tls.tokenFile()));
    };
  }

  /**
   * Opens a channel (it connects lazily, on the first call).
   *
   * @throws IllegalArgumentException when the CA file cannot be read or holds no PEM certificate
   */
  public static ManagedChannel open(PilotAddress address, Security security, int maxInboundMessageBytes) {
    NettyChannelBuilder builder = NettyChannelBuilder.forAddress(address.host(), address.port())
        .maxInboundMessageSize(maxInboundMessageBytes)
        .keepAliveTime(KEEPALIVE_MINUTES, TimeUnit.MINUTES)
        .keepAliveTimeout(20, TimeUnit.SECONDS);
    switch (security) {
      case Security.Plaintext p -> builder.usePlaintext();
      case Security.Tls tls -> {
        if (!Files.isReadable(tls.caFile())) {
          throw new IllegalArgumentException("cannot read the CA file " + tls.caFile() + " (expected PEM root certificates)");
        }
        try {
          builder.sslContext(GrpcSslContexts.forClient().trustManager(tls.caFile().toFile()).build());
        } catch (SSLException | IllegalArgumentException e) {
          throw new IllegalArgumentException("the CA file " + tls.caFile() + " holds no usable PEM certificate: " + e.getMessage());
        }
        tls.serverName().ifPresent(builder::overrideAuthority);
      }
    }
    return builder.build();
  }
}
