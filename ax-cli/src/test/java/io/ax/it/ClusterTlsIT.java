package io.ax.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ax daemon --tls} on three nodes: node1 and node2 hold certificates of the cluster's CA,
 * node3 one of another CA (and trusts both, so that only the others' check can keep it out).
 * Certificates are made here with openssl, as an operator would.
 */
class ClusterTlsIT {
  @TempDir Path tmp;

  @Test
  void nodesWithTheCasCertificates_formTheCluster_andANodeWithAForeignOneIsKeptOut() throws Exception {
    Path ca = ca("ca");
    Path otherCa = ca("other-ca");
    Path both = Files.writeString(tmp.resolve("both.pem"), Files.readString(ca) + Files.readString(otherCa));
    try (NetnsCluster cluster = NetnsCluster.create(tmp.resolve("cluster"), 3)) {
      cluster.node(1).start(tls(ca, node("ca", "node1")));
      cluster.node(2).start(tls(ca, node("ca", "node2")));
      cluster.node(3).start(tls(both, node("other-ca", "node3")));

      await().atMost(Duration.ofSeconds(30)).until(() -> names(cluster.node(1)).equals(List.of("node1", "node2")));
      cluster.node(3).serve("--ip", "198.18.0.30", "--", "python3", "-m", "http.server", "8000", "--bind", "0.0.0.0", "--directory", tmp.toString());
      await().atMost(Duration.ofSeconds(30)).until(() -> cluster.node(3).serversAt("198.18.0.30:8000") == 1);

      // Long enough for discovery, joins and merge attempts to have been tried many times.
      await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(8)).until(() ->
          names(cluster.node(1)).equals(List.of("node1", "node2")) && cluster.node(2).serversAt("198.18.0.30:8000") == 0);
      assertThat(names(cluster.node(3))).containsExactly("node3");
    }
  }

  private static List<String> names(NetnsCluster.Node n) {
    JsonNode nodes = n.rest("nodes");
    List<String> names = new ArrayList<>();
    if (nodes != null) {
      nodes.forEach(x -> names.add(x.get("name").asText()));
    }
    return names.stream().sorted().toList();
  }

  private static String[] tls(Path trusted, Path[] certAndKey) {
    return new String[] {"--tls", "--tls-ca-cert", trusted.toString(), "--tls-cert", certAndKey[0].toString(), "--tls-key", certAndKey[1].toString()};
  }

  private Path ca(String name) {
    Path cert = tmp.resolve(name + ".pem");
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", tmp.resolve(name + ".key").toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=" + name);
    return cert;
  }

  private Path[] node(String ca, String name) {
    Path key = tmp.resolve(name + ".key");
    Path cert = tmp.resolve(name + ".pem");
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key.toString(), "-out", tmp.resolve(name + ".csr").toString(), "-subj", "/CN=" + name);
    openssl("x509", "-req", "-in", tmp.resolve(name + ".csr").toString(), "-CA", tmp.resolve(ca + ".pem").toString(), "-CAkey", tmp.resolve(ca + ".key").toString(),
        "-CAcreateserial", "-out", cert.toString(), "-days", "1");
    return new Path[] {cert, key};
  }

  private static void openssl(String... args) {
    List<String> cmd = new ArrayList<>(List.of("openssl"));
    cmd.addAll(List.of(args));
    AxProcess.Result r = NetnsCluster.exec(Duration.ofSeconds(30), cmd.toArray(String[]::new));
    assertThat(r.exit()).as("openssl " + String.join(" ", args) + ": " + r.err()).isZero();
  }
}
