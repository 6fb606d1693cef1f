package io.ax.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's federation (AppSwitch's "Multi-Node Multi-Cluster"): two clusters of two nodes,
 * each on a network of its own (a bridge and a subnet per cluster), and a WAN link that only
 * the gateways host00 and host10 join. A web server runs at 198.18.2.2:8000 on host11 in cluster1;
 * clients run on host01 in cluster0. No namespace has a route out, so 198.18.2.2 (the seed's
 * address) cannot reach a real host.
 */
class FederationIT {
  private static final String WEB = "198.18.2.2:8000";
  @TempDir Path tmp;
  private NetnsCluster cluster0;
  private NetnsCluster cluster1;
  private NetnsCluster.Node host00;
  private NetnsCluster.Node host01;
  private NetnsCluster.Node host10;
  private NetnsCluster.Node host11;

  @BeforeEach
  void startFederation() {
    cluster0 = NetnsCluster.create(tmp.resolve("cluster0"), 2, 181);
    cluster1 = NetnsCluster.create(tmp.resolve("cluster1"), 2, 182);
    host00 = cluster0.node(1);
    host01 = cluster0.node(2);
    host10 = cluster1.node(1);
    host11 = cluster1.node(2);
    String[] wan = NetnsCluster.wan(host00, host10);
    host00.start("--cluster", "cluster0", "--federation-gateway-ip", wan[0], "--federation-gateway-neighbors", wan[1]);
    host01.start("--cluster", "cluster0");
    host10.start("--cluster", "cluster1", "--federation-gateway-ip", wan[1], "--federation-gateway-neighbors", wan[0]);
    host11.start("--cluster", "cluster1");
  }

  @AfterEach
  void stopFederation() {
    if (cluster0 != null) {
      cluster0.close();
    }
    if (cluster1 != null) {
      cluster1.close();
    }
  }

  @Test
  void clientInCluster0_reachesServerInCluster1_throughBothGateways() throws Exception {
    serveWeb(host11, "host11 in cluster1");
    // The server's entry crossed: cluster1's table, the federation, host00's import, cluster0's table.
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> host01.serversAt(WEB) == 1);
    JsonNode imported = entryAt(host01, WEB);
    assertThat(imported.path("cluster").asText()).isEqualTo("cluster1");
    assertThat(imported.path("node_id").asText()).as("owned by cluster0's gateway").isEqualTo("node1");

    // The seed's command, from host01.
    AxProcess.Result head = host01.run(Duration.ofSeconds(30), "--", "curl", "-sS", "-I", "--max-time", "20", WEB);
    assertThat(head.exit()).as(head.err()).isZero();
    assertThat(head.out()).startsWith("HTTP/1.0 200 OK").contains("Server: SimpleHTTP");

    // And the body: the bytes went both ways through the two gateways.
    AxProcess.Result get = host01.run(Duration.ofSeconds(30), "--", "curl", "-sS", "--max-time", "20", "http://" + WEB + "/");
    assertThat(get.out()).isEqualTo("host11 in cluster1");

    // cluster0's gateway runs the ingress and one import listener; cluster1's gateway its ingress.
    AxProcess.Result proxies = host00.ax("get", "proxies");
    assertThat(proxies.exit()).as(proxies.err()).isZero();
    assertThat(proxies.out()).contains("federation-ingress").contains("cluster1/" + WEB);
    assertThat(host10.ax("get", "proxies").out()).contains("federation-ingress").doesNotContain("cluster1/");

    // The server's name resolves in cluster0's DNS too, on any node.
    AxProcess.Result dig = NetnsCluster.exec(Duration.ofSeconds(20), "ip", "netns", "exec", host01.ns, "dig", "@" + host01.ip, "+short", "+time=2", "+tries=2", "web.appswitch.local", "A");
    assertThat(dig.out().strip()).as(dig.err()).isEqualTo("198.18.2.2");
  }

  @Test
  void gatewayOfServingClusterDies_connectsFailAtOnce_thenALocalServerTakesOver() throws Exception {
    serveWeb(host11, "host11 in cluster1");
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> host01.serversAt(WEB) == 1);

    host10.kill();

    // The federation drops cluster1's gateway and with it cluster1's services: the address is
    // one the mesh knows, so a connect is refused at once (curl's exit 7), never left to time out
    // (exit 28).
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> host01.serversAt(WEB) == 0);
    AxProcess.Result refused = host01.run(Duration.ofSeconds(60), "--", "curl", "-sS", "--connect-timeout", "20", "http://" + WEB + "/");
    assertThat(refused.exit()).as(refused.out() + refused.err()).isEqualTo(7);

    // A server of cluster0 at the same address serves it now.
    serveWeb(host00, "host00 in cluster0");
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> host01.serversAt(WEB) == 1);
    AxProcess.Result local = host01.run(Duration.ofSeconds(30), "--", "curl", "-sS", "--max-time", "20", "http://" + WEB + "/");
    assertThat(local.out()).isEqualTo("host00 in cluster0");
  }

  /** python's http.server under ax run at 198.18.2.2:8000, answering with {@code body}. */
  private void serveWeb(NetnsCluster.Node n, String body) throws Exception {
    Path docs = Files.createDirectories(tmp.resolve("www-" + n.ns));
    Files.writeString(docs.resolve("index.html"), body);
    n.serve("--ip", "198.18.2.2", "--name", "web", "--", "python3", "-m", "http.server", "8000", "--bind", "0.0.0.0", "--directory", docs.toString());
  }

  private static JsonNode entryAt(NetnsCluster.Node n, String serviceAddr) {
    for (JsonNode s : n.rest("servers")) {
      JsonNode a = s.get("service_addr");
      if ((a.get("ip").asText() + ":" + a.get("port").asInt()).equals(serviceAddr)) {
        return s;
      }
    }
    throw new AssertionError("no entry at " + serviceAddr);
  }
}
