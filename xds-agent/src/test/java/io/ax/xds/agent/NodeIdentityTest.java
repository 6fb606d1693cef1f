package io.ax.xds.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Struct;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NodeIdentityTest {
  static final Path FIXTURES = Path.of(System.getProperty("ax.fixtures", "../istio-samples/fixtures"));

  @Test
  void toNode_likeIstiosSidecar_idAndMetadataIstiodReads() throws Exception {
    NodeIdentity id = new NodeIdentity("10.244.0.12", "details-v1-79f774bdb9-6hxw6", "default", "Kubernetes", "1.10.0",
        Map.of("app", "details", "version", "v1"), Optional.of("bookinfo-details"), "cluster.local");

    Node node = id.toNode();

    // The node of a real Istio 1.10 sidecar, from the fixture: same id, same cluster, same values.
    JsonNode real = new ObjectMapper().readTree(FIXTURES.resolve("istioctl/pkg/writer/envoy/configdump/testdata/configdump.json").toFile())
        .path("configs").get(0).path("bootstrap").path("node");
    assertThat(node.getId()).isEqualTo(real.path("id").asText());
    assertThat(node.getCluster()).isEqualTo(real.path("cluster").asText());
    Struct meta = node.getMetadata();
    for (String key : new String[] {"NAMESPACE", "CLUSTER_ID", "ISTIO_VERSION", "NAME", "SERVICE_ACCOUNT"}) {
      assertThat(meta.getFieldsOrThrow(key).getStringValue()).as(key).isEqualTo(real.path("metadata").path(key).asText());
    }
    assertThat(meta.getFieldsOrThrow("LABELS").getStructValue().getFieldsOrThrow("app").getStringValue()).isEqualTo("details");
    assertThat(meta.getFieldsOrThrow("INSTANCE_IPS").getStringValue()).isEqualTo("10.244.0.12");
    assertThat(meta.getFieldsOrThrow("INTERCEPTION_MODE").getStringValue()).isEqualTo("NONE");
  }

  @Test
  void of_defaults_sidecarInDefaultNamespaceWithoutServiceAccount() {
    Node node = NodeIdentity.of("10.0.0.7", "node1").toNode();

    assertThat(node.getId()).isEqualTo("sidecar~10.0.0.7~node1.default~default.svc.cluster.local");
    assertThat(node.getCluster()).isEqualTo("node1.default");
    assertThat(node.getMetadata().getFieldsOrThrow("CLUSTER_ID").getStringValue()).isEqualTo("Kubernetes");
    assertThat(node.getMetadata().getFieldsOrThrow("ISTIO_VERSION").getStringValue()).isEqualTo(NodeIdentity.DEFAULT_ISTIO_VERSION);
    assertThat(node.getMetadata().containsFields("SERVICE_ACCOUNT")).isFalse();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "10.0.0.999|pod|default|1.27.0|node IP '10.0.0.999'",
      "node1|pod|default|1.27.0|node IP 'node1'",
      "010.0.0.1|pod|default|1.27.0|node IP '010.0.0.1'",
      "10.0.0.7|Pod~x|default|1.27.0|pod name 'Pod~x'",
      "10.0.0.7|pod|Default|1.27.0|namespace 'Default'",
      "10.0.0.7|pod|default|latest|Istio version 'latest'"})
  void constructor_badValue_messageNamesFieldAndValue(String ip, String pod, String ns, String version, String message) {
    assertThatThrownBy(() -> new NodeIdentity(ip, pod, ns, "Kubernetes", version, Map.of(), Optional.empty(), "cluster.local"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(message)
        .hasMessageContaining("expected");
  }

  @Test
  void constructor_ipv6_isAccepted() {
    assertThat(NodeIdentity.of("fd00::7", "pod").nodeId()).isEqualTo("sidecar~fd00::7~pod.default~default.svc.cluster.local");
  }
}
