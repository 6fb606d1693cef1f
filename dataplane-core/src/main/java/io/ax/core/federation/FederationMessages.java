package io.ax.core.federation;

import com.google.protobuf.InvalidProtocolBufferException;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.cluster.v1.ClusterServices;
import io.ax.cluster.v1.FederationMessage;
import io.ax.cluster.v1.Label;
import io.ax.core.field.InvalidFieldException;
import io.ax.core.model.Labels;
import io.ax.core.net.Endpoints;
import io.ax.core.net.Ipv4;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Federation messages to and from bytes. Decoding checks what another cluster's gateway could get
 * wrong or forge before any of it reaches this cluster's table (sizes, counts, names, addresses,
 * labels, through the same checks as local input); a message that fails is refused whole with a
 * {@link MalformedFederationMessage} naming the reason.
 */
final class FederationMessages {
  /** One summary, encoded: 100,000 services of a few labels each. */
  static final int MAX_MESSAGE_BYTES = 32 << 20;
  /** Services one cluster may offer. */
  static final int MAX_SERVICES = 100_000;
  /** Label pairs of one service (a server's 64 labels, over a few versions). */
  static final int MAX_LABEL_PAIRS = 256;

  private FederationMessages() {}

  /** A decoded, checked summary. */
  record Summary(String cluster, String gateway, Inet4Endpoint ingress, long incarnation, long version, List<ExportedService> services) {}

  static final class MalformedFederationMessage extends Exception {
    MalformedFederationMessage(String message) {
      super(message);
    }
  }

  static byte[] encode(String cluster, String gateway, Inet4Endpoint ingress, long incarnation, long version, List<ExportedService> services) {
    ClusterServices.Builder b = ClusterServices.newBuilder()
        .setCluster(cluster).setGateway(gateway)
        .setIngressIp(new Ipv4(ingress.ip()).toString()).setIngressPort(ingress.port())
        .setIncarnation(incarnation).setVersion(version);
    for (ExportedService x : services) {
      io.ax.cluster.v1.ExportedService.Builder e = io.ax.cluster.v1.ExportedService.newBuilder()
          .setName(x.name()).setIp(new Ipv4(x.address().ip()).toString()).setPort(x.address().port());
      for (Map.Entry<String, String> pair : x.labels()) {
        e.addLabels(Label.newBuilder().setKey(pair.getKey()).setValue(pair.getValue()));
      }
      b.addExported(e);
    }
    return FederationMessage.newBuilder().setServices(b).build().toByteArray();
  }

  static Summary decode(byte[] buf, int offset, int length) throws MalformedFederationMessage {
    if (length > MAX_MESSAGE_BYTES) {
      throw new MalformedFederationMessage(length + " bytes, more than the " + MAX_MESSAGE_BYTES + " allowed");
    }
    FederationMessage m;
    try {
      m = FederationMessage.parseFrom(java.nio.ByteBuffer.wrap(buf, offset, length));
    } catch (InvalidProtocolBufferException e) {
      throw new MalformedFederationMessage("not a federation message: " + e.getMessage());
    }
    if (m.getBodyCase() != FederationMessage.BodyCase.SERVICES) {
      throw new MalformedFederationMessage("a message with no summary (a newer gateway, or not ax)");
    }
    ClusterServices c = m.getServices();
    if (c.getExportedCount() > MAX_SERVICES) {
      throw new MalformedFederationMessage(c.getExportedCount() + " services, more than the " + MAX_SERVICES + " allowed");
    }
    try {
      String cluster = name("cluster", c.getCluster());
      String gateway = name("gateway", c.getGateway());
      Inet4Endpoint ingress = Endpoints.of(Ipv4.parse("ingress_ip", c.getIngressIp()), port("ingress_port", c.getIngressPort()));
      List<ExportedService> services = new ArrayList<>(c.getExportedCount());
      for (io.ax.cluster.v1.ExportedService e : c.getExportedList()) {
        if (e.getLabelsCount() > MAX_LABEL_PAIRS) {
          throw new InvalidFieldException("labels", e.getLabelsCount() + " label pairs, more than the " + MAX_LABEL_PAIRS + " allowed");
        }
        List<Map.Entry<String, String>> pairs = new ArrayList<>(e.getLabelsCount());
        for (Label l : e.getLabelsList()) {
          // Each pair checked as a label is; pairs may share keys, so one set each.
          Labels.of("labels", List.of(Map.entry(l.getKey(), l.getValue())));
          pairs.add(Map.entry(l.getKey(), l.getValue()));
        }
        services.add(new ExportedService(name("service name", e.getName()), Endpoints.of(Ipv4.parse("service ip", e.getIp()), port("service port", e.getPort())), pairs));
      }
      return new Summary(cluster, gateway, ingress, c.getIncarnation(), c.getVersion(), services);
    } catch (InvalidFieldException e) {
      throw new MalformedFederationMessage(e.getMessage());
    }
  }

  private static String name(String field, String value) {
    if (value.isEmpty() || value.length() > 253 || !value.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f)) {
      throw new InvalidFieldException(field, "'" + value + "' is not a name (1-253 printable characters)");
    }
    return value;
  }

  private static int port(String field, int port) {
    if (port < 1 || port > 65535) {
      throw new InvalidFieldException(field, port + " is not a port (1-65535)");
    }
    return port;
  }
}
