package io.ax.core.federation;

import static org.assertj.core.api.Assertions.assertThat;

import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.model.App;
import io.ax.core.model.Labels;
import io.ax.core.model.ServerEntry;
import io.ax.core.net.Endpoints;
import io.ax.core.net.Ipv4;
import io.ax.core.proxy.ProxyConfig;
import io.ax.core.proxy.TcpProxies;
import io.ax.core.state.DataplaneState;
import io.ax.core.state.DataplaneStore;
import io.ax.core.state.StatePersistence;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Imports with a real store, real proxies on loopback and a socket standing in for the remote gateway. */
class ImportsTest {
  private static final Ipv4 LOOPBACK = Ipv4.parse("ip", "127.0.0.1");
  private static final Inet4Endpoint WEB = Endpoints.parse("a", "2.2.2.2:8000");
  private final DataplaneStore store = new DataplaneStore(DataplaneState.EMPTY, StatePersistence.NONE);
  private final TcpProxies proxies = new TcpProxies(new ProxyConfig(Duration.ofSeconds(1), 100, 64 * 1024, 256 * 1024, 1));
  private final Imports imports = new Imports(store, "gw0", LOOPBACK, proxies, ip -> ip == 0x0a000005);

  @AfterEach
  void close() {
    imports.close();
    proxies.close();
  }

  private static RemoteCluster cluster1(Inet4Endpoint gateway, ExportedService... services) {
    return new RemoteCluster("cluster1", List.of(gateway), List.of(services));
  }

  @Test
  void aRemoteService_becomesThisNodesEntry_whoseListenerSendsAProxyHeaderToTheRemoteGateway() throws Exception {
    try (ServerSocket gateway = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      Inet4Endpoint gw = new Inet4Endpoint(Inet4Endpoint.LOOPBACK, gateway.getLocalPort());
      ExportedService web = new ExportedService("web", WEB, List.of(Map.entry("app", "web"), Map.entry("version", "v1"), Map.entry("version", "v2")));

      imports.apply(Map.of("cluster1", cluster1(gw, web)));

      DataplaneState s = store.current();
      App app = s.apps().values().stream().filter(a -> a.driver().equals(Imports.DRIVER)).findFirst().orElseThrow();
      assertThat(app.name()).isEqualTo("web");
      assertThat(app.appIp()).isEqualTo(Ipv4.parse("ip", "2.2.2.2"));
      assertThat(app.cluster()).isEqualTo("cluster1");
      assertThat(app.nodeId()).isEqualTo("gw0");
      List<ServerEntry> entries = s.serversAt(WEB);
      // Two label sets (version=v1 and version=v2): two entries, one listener.
      assertThat(entries).extracting(ServerEntry::labels).containsExactlyInAnyOrder(Labels.parse("l", "app=web,version=v1"), Labels.parse("l", "version=v2"));
      Inet4Endpoint listener = entries.getFirst().hostAddr();
      assertThat(entries).allMatch(e -> e.hostAddr().equals(listener) && e.cluster().equals("cluster1") && e.nodeId().equals("gw0"));

      try (Socket client = new Socket()) {
        client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.port()), 5000);
        client.getOutputStream().write("hi".getBytes(StandardCharsets.US_ASCII));
        try (Socket remote = gateway.accept()) {
          remote.setSoTimeout(5000);
          InputStream in = remote.getInputStream();
          byte[] header = in.readNBytes(28); // PROXY v2, TCP over IPv4: 16 + 12 bytes
          assertThat(HexFormat.of().formatHex(header, 0, 12)).isEqualTo("0d0a0d0a000d0a515549540a");
          assertThat(header[12]).isEqualTo((byte) 0x21); // version 2, PROXY
          assertThat(header[13]).isEqualTo((byte) 0x11); // TCP over IPv4
          assertThat(HexFormat.of().formatHex(header, 20, 24)).as("destination address").isEqualTo("02020202");
          assertThat(((header[26] & 0xff) << 8) | (header[27] & 0xff)).as("destination port").isEqualTo(8000);
          assertThat(new String(in.readNBytes(2), StandardCharsets.US_ASCII)).isEqualTo("hi");
        }
      }

      // The cluster leaves the federation: its entries and app go, and so does the listener.
      imports.apply(Map.of());
      assertThat(store.current().serversAt(WEB)).isEmpty();
      assertThat(store.current().apps()).isEmpty();
      assertThat(imports.proxies()).isEmpty();
    }
  }

  @Test
  void aServiceOfferedAtAnAddressOfThisClustersNodes_isNotImported() {
    Inet4Endpoint gw = Endpoints.parse("g", "127.0.0.1:6660");
    imports.apply(Map.of("cluster1", cluster1(gw,
        new ExportedService("ssh", Endpoints.parse("a", "10.0.0.5:22"), List.of(Map.entry("zone", "default"))),
        new ExportedService("web", WEB, List.of(Map.entry("zone", "default"))))));

    assertThat(store.current().serversAt(Endpoints.parse("a", "10.0.0.5:22"))).isEmpty();
    assertThat(store.current().serversAt(WEB)).hasSize(1);
  }

  @Test
  void anImportedAppsId_isStableAcrossChanges() {
    Inet4Endpoint gw = Endpoints.parse("g", "127.0.0.1:6660");
    ExportedService web = new ExportedService("web", WEB, List.of(Map.entry("zone", "default")));
    imports.apply(Map.of("cluster1", cluster1(gw, web)));
    var first = store.current().apps().keySet();

    imports.apply(Map.of("cluster1", cluster1(gw, web, new ExportedService("db", Endpoints.parse("a", "2.2.2.3:5432"), List.of(Map.entry("zone", "default"))))));

    assertThat(store.current().apps().keySet()).containsAll(first).hasSize(2);
  }
}
