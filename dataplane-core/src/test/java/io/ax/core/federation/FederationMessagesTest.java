package io.ax.core.federation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ax.bridge.net.Inet4Endpoint;
import io.ax.cluster.v1.ClusterServices;
import io.ax.cluster.v1.FederationMessage;
import io.ax.core.net.Endpoints;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FederationMessagesTest {
  private static final Inet4Endpoint INGRESS = Endpoints.parse("i", "10.253.0.2:6660");

  @Test
  void aSummary_roundTrips() throws Exception {
    List<ExportedService> services = List.of(
        new ExportedService("web", Endpoints.parse("a", "2.2.2.2:8000"), List.of(Map.entry("zone", "default"), Map.entry("zone", "eu"))));

    byte[] bytes = FederationMessages.encode("cluster1", "host10", INGRESS, 7, 3, services);
    FederationMessages.Summary s = FederationMessages.decode(bytes, 0, bytes.length);

    assertThat(s).isEqualTo(new FederationMessages.Summary("cluster1", "host10", INGRESS, 7, 3, services));
  }

  @Test
  void whatAGatewayCouldForgeOrBreak_isRefusedWhole_withTheReason() {
    assertThatThrownBy(() -> FederationMessages.decode(new byte[] {1, 2, 3}, 0, 3))
        .isInstanceOf(FederationMessages.MalformedFederationMessage.class).hasMessageStartingWith("not a federation message");
    assertRefused(valid().setIngressPort(0), "ingress_port: 0 is not a port (1-65535)");
    assertRefused(valid().setCluster(""), "cluster: '' is not a name (1-253 printable characters)");
    assertRefused(valid().addExported(io.ax.cluster.v1.ExportedService.newBuilder().setName("x").setIp("2.2.2").setPort(80)), "service ip");
    assertRefused(valid().addExported(io.ax.cluster.v1.ExportedService.newBuilder().setName("x").setIp("2.2.2.2").setPort(80)
        .addLabels(io.ax.cluster.v1.Label.newBuilder().setKey("").setValue("v"))), "labels: label '' must have a key");
    byte[] empty = FederationMessage.getDefaultInstance().toByteArray();
    assertThatThrownBy(() -> FederationMessages.decode(empty, 0, empty.length)).hasMessageContaining("no summary");
  }

  private static ClusterServices.Builder valid() {
    return ClusterServices.newBuilder().setCluster("c1").setGateway("g").setIngressIp("10.0.0.1").setIngressPort(6660);
  }

  private static void assertRefused(ClusterServices.Builder b, String reason) {
    byte[] bytes = FederationMessage.newBuilder().setServices(b).build().toByteArray();
    assertThatThrownBy(() -> FederationMessages.decode(bytes, 0, bytes.length))
        .isInstanceOf(FederationMessages.MalformedFederationMessage.class).hasMessageContaining(reason);
  }
}
