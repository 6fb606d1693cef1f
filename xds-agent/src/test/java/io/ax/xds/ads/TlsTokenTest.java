package io.ax.xds.ads;

import static io.ax.xds.resource.EnvoyProtos.edsCluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ax.xds.agent.BearerTokenCredentials;
import io.ax.xds.agent.PilotAddress;
import io.ax.xds.agent.PilotChannels;
import io.ax.xds.translate.XdsSnapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's transport against a real TLS gRPC server that checks the bearer token: a
 * self-signed certificate made by the JDK's keytool for this run, the token re-read on reconnect.
 */
class TlsTokenTest {
  static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  @TempDir static Path dir;
  static Path keystore;
  static Path caPem;

  @BeforeAll
  static void makeCertificate() throws Exception {
    keystore = dir.resolve("pilot.p12");
    caPem = dir.resolve("ca.pem");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    run(keytool.toString(), "-genkeypair", "-alias", "pilot", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
        "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
        "-storepass", "changeit", "-keypass", "changeit");
    run(keytool.toString(), "-exportcert", "-rfc", "-alias", "pilot", "-keystore", keystore.toString(), "-storepass", "changeit",
        "-file", caPem.toString());
  }

  static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }

  static io.netty.handler.ssl.SslContext serverContext() throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      ks.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "changeit".toCharArray());
    return GrpcSslContexts.configure(SslContextBuilder.forServer(kmf)).build();
  }

  /** Lets a call through only with {@code Bearer <expected>}; records what each call carried. */
  static final class TokenCheck implements ServerInterceptor {
    final AtomicReference<String> expected = new AtomicReference<>();
    final List<String> seen = new CopyOnWriteArrayList<>();

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      String auth = headers.get(AUTHORIZATION);
      seen.add(String.valueOf(auth));
      if (!("Bearer " + expected.get()).equals(auth)) {
        call.close(Status.UNAUTHENTICATED.withDescription("bad token"), new Metadata());
        return new ServerCall.Listener<>() {};
      }
      return next.startCall(call, headers);
    }
  }

  @Test
  void tlsWithToken_serverChecksBearer_streamWorksAndTokenIsRereadOnReconnect() throws Exception {
    TokenCheck check = new TokenCheck();
    check.expected.set("token-one");
    Path tokenFile = dir.resolve("istio-token");
    Files.writeString(tokenFile, "token-one\n");
    TestPilot pilot = new TestPilot(Optional.of(serverContext()), List.of(check));
    pilot.start(0);
    pilot.set("v1", List.of(edsCluster(AdsStateTest.REVIEWS, Cluster.LbPolicy.RANDOM)), List.of(), List.of(), List.of());
    PilotChannels.Security tls = new PilotChannels.Security.Tls(caPem, tokenFile, Optional.empty());
    ManagedChannel channel = PilotChannels.open(new PilotAddress("localhost", pilot.port()), tls, AdsConfig.DEFAULT_MAX_INBOUND_MESSAGE_BYTES);
    SerialScheduler scheduler = SerialScheduler.singleThread("test-ads-tls");
    AtomicReference<XdsSnapshot> latest = new AtomicReference<>(XdsSnapshot.EMPTY);
    AdsClient client = new AdsClient(channel, PilotChannels.credentials(tls),
        AdsConfig.of(AdsStateTest.NODE).withReconnect(new Backoff(Duration.ofMillis(50), Duration.ofMillis(200), 2.0, 0.2)),
        ResourceDecoder.standard(), latest::set, scheduler, new SplittableRandom(3));
    try {
      client.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> latest.get().clusters().containsKey(AdsStateTest.REVIEWS));
      assertThat(check.seen).contains("Bearer token-one");

      // kubelet rotates the token; the server restarts and now wants the new one.
      Files.writeString(tokenFile, "token-two\n");
      check.expected.set("token-two");
      int port = pilot.port();
      pilot.stop();
      pilot.start(port);

      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(check.seen).contains("Bearer token-two"));
      await().atMost(Duration.ofSeconds(10)).until(() -> pilot.requests.size() >= 2);
      assertThat(check.seen.getLast()).isEqualTo("Bearer token-two");
    } finally {
      client.close();
      channel.shutdownNow();
      scheduler.close();
      pilot.close();
    }
  }

  @Test
  void tlsWithoutToken_serverRefuses_clientKeepsRetrying() throws Exception {
    TokenCheck check = new TokenCheck();
    check.expected.set("right");
    Path tokenFile = dir.resolve("wrong-token");
    Files.writeString(tokenFile, "wrong");
    TestPilot pilot = new TestPilot(Optional.of(serverContext()), List.of(check));
    pilot.start(0);
    PilotChannels.Security tls = new PilotChannels.Security.Tls(caPem, tokenFile, Optional.empty());
    ManagedChannel channel = PilotChannels.open(new PilotAddress("localhost", pilot.port()), tls, AdsConfig.DEFAULT_MAX_INBOUND_MESSAGE_BYTES);
    SerialScheduler scheduler = SerialScheduler.singleThread("test-ads-tls2");
    AdsClient client = new AdsClient(channel, PilotChannels.credentials(tls),
        AdsConfig.of(AdsStateTest.NODE).withReconnect(new Backoff(Duration.ofMillis(50), Duration.ofMillis(200), 2.0, 0.2)),
        ResourceDecoder.standard(), s -> {}, scheduler, new SplittableRandom(3));
    try {
      client.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> client.stats().streams() >= 3);
      assertThat(check.seen).allMatch("Bearer wrong"::equals);
      assertThat(client.stats().responses()).isZero();
    } finally {
      client.close();
      channel.shutdownNow();
      scheduler.close();
      pilot.close();
    }
  }

  @Test
  void readToken_missingOrEmptyFile_oneLineNamingTheFile() throws Exception {
    Path missing = dir.resolve("nope");
    Path empty = Files.writeString(dir.resolve("empty"), "  \n");

    assertThatThrownBy(() -> BearerTokenCredentials.readToken(missing)).hasMessage("cannot read the token file " + missing + ": no such file");
    assertThatThrownBy(() -> BearerTokenCredentials.readToken(empty)).hasMessageContaining(empty.toString()).hasMessageContaining("is empty");
  }

  @Test
  void open_caFileNotPem_oneLineNamingTheFile() throws Exception {
    Path notPem = Files.writeString(dir.resolve("not.pem"), "hello");

    assertThatThrownBy(() -> PilotChannels.open(new PilotAddress("localhost", 15012),
        new PilotChannels.Security.Tls(notPem, notPem, Optional.empty()), 1 << 20))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("the CA file " + notPem + " holds no usable PEM certificate");
  }
}
