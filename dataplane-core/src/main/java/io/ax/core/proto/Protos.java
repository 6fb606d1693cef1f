package io.ax.core.proto;

import io.ax.admin.v1.Endpoint;
import io.ax.admin.v1.Label;
import io.ax.admin.v1.LbType;
import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.field.InvalidFieldException;
import io.ax.core.lb.LbPolicy;
import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.model.Backend;
import io.ax.core.model.ExposedPort;
import io.ax.core.model.Labels;
import io.ax.core.model.NodeInfo;
import io.ax.core.model.PortMapping;
import io.ax.core.model.Locality;
import io.ax.core.model.LocalityLb;
import io.ax.core.model.ProxyInfo;
import io.ax.core.model.Resilience;
import io.ax.core.model.ServerEntry;
import io.ax.core.model.SocketEntry;
import io.ax.core.model.Subset;
import io.ax.core.model.VService;
import io.ax.core.net.Endpoints;
import io.ax.core.net.Ipv4;
import io.ax.core.net.Ports;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Converts between the model and the admin API messages. Messages from the wire are checked as
 * they are converted: errors name the proto field ({@code vservice.backends[2].ip}). Stateless:
 * pure functions, safe on any thread.
 */
public final class Protos {
  private Protos() {}

  // ---- model to proto ----

  public static Endpoint endpoint(Inet4Endpoint hp) {
    return Endpoint.newBuilder().setIp(Endpoints.ip(hp).toString()).setPort(hp.port()).build();
  }

  public static List<Label> labels(Labels labels) {
    List<Label> out = new ArrayList<>();
    labels.entries().forEach((k, v) -> out.add(Label.newBuilder().setKey(k).setValue(v).build()));
    return out;
  }

  public static io.ax.admin.v1.Protocol protocol(Transport p) {
    return switch (p) {
      case TCP -> io.ax.admin.v1.Protocol.TCP;
      case UDP -> io.ax.admin.v1.Protocol.UDP;
    };
  }

  public static io.ax.admin.v1.App app(App a) {
    io.ax.admin.v1.App.Builder b = io.ax.admin.v1.App.newBuilder();
    if (a.ownerUid() != App.UNKNOWN_UID) {
      b.setOwnerUid(a.ownerUid());
    }
    return b
        .setAppId(a.id().value())
        .setName(a.name())
        .setNodeId(a.nodeId())
        .setCluster(a.cluster())
        .setAppIp(a.appIp().toString())
        .setDriver(a.driver())
        .addAllLabels(labels(a.labels()))
        .setPid(a.pid())
        .addAllExposures(a.exposures().stream().map(Protos::exposedPort).toList())
        .build();
  }

  public static io.ax.admin.v1.ExposedPort exposedPort(ExposedPort x) {
    return io.ax.admin.v1.ExposedPort.newBuilder()
        .setAppPort(x.appPort())
        .setNodeIp(x.nodeIp().map(Ipv4::toString).orElse(""))
        .setHostPort(x.hostPort())
        .build();
  }

  public static io.ax.admin.v1.Server server(ServerEntry e) {
    return io.ax.admin.v1.Server.newBuilder()
        .setId(e.id())
        .setAppId(e.appId().value())
        .setName(e.name())
        .setProtocol(protocol(e.protocol()))
        .setServiceAddr(endpoint(e.serviceAddr()))
        .setHostAddr(endpoint(e.hostAddr()))
        .addAllLabels(labels(e.labels()))
        .setNodeId(e.nodeId())
        .setCluster(e.cluster())
        .build();
  }

  public static io.ax.admin.v1.Socket socket(SocketEntry s) {
    return io.ax.admin.v1.Socket.newBuilder()
        .setId(s.id())
        .setNodeId(s.nodeId())
        .setAppId(s.appId().value())
        .setInode(s.inode())
        .setProtocol(protocol(s.protocol()))
        .setFlags(s.flags())
        .setBind(endpoint(s.bind()))
        .setBacklog(s.backlog())
        .build();
  }

  public static LbType lbType(LbPolicy policy) {
    return switch (policy) {
      case LbPolicy.Random r -> LbType.RANDOM;
      case LbPolicy.RoundRobin r -> LbType.ROUND_ROBIN;
      case LbPolicy.LeastConn l -> LbType.LEAST_CONN;
      case LbPolicy.ConsistentHash c -> LbType.CONSISTENT_HASH;
    };
  }

  /** A backend; weight 1 is left out (the wire's 0 means 1), so plain backends print as before. */
  public static io.ax.admin.v1.Backend backend(Backend be) {
    return io.ax.admin.v1.Backend.newBuilder().setIp(be.ip().toString()).setPort(be.port().orElse(0)).setWeight(be.weight() == 1 ? 0 : be.weight())
        .setLocality(be.locality().toString()).build();
  }

  public static io.ax.admin.v1.VService vservice(VService vs) {
    io.ax.admin.v1.VService.Builder b = io.ax.admin.v1.VService.newBuilder()
        .setName(vs.name())
        .setIp(vs.ip().toString())
        .setLbType(lbType(vs.policy()))
        .setExternal(vs.exposure() == VService.Exposure.EXTERNAL);
    for (PortMapping p : vs.ports()) {
      b.addPorts(io.ax.admin.v1.PortMapping.newBuilder().setVport(p.vport()).setAppPort(p.appPort()));
    }
    for (Backend be : vs.backends()) {
      b.addBackends(backend(be));
    }
    for (Subset s : vs.subsets()) {
      io.ax.admin.v1.Subset.Builder sb = io.ax.admin.v1.Subset.newBuilder().setName(s.name()).setWeight(s.weight()).setLbType(lbType(s.policy()));
      s.backends().forEach(be -> sb.addBackends(backend(be)));
      if (!s.resilience().isNone()) {
        sb.setResilience(resilience(s.resilience()));
      }
      b.addSubsets(sb);
    }
    vs.sourceIp().ifPresent(ip -> b.setSourceIp(ip.toString()));
    if (!vs.resilience().isNone()) {
      b.setResilience(resilience(vs.resilience()));
    }
    return b.addAllHostnames(vs.hostnames()).setOwner(vs.owner()).build();
  }

  public static io.ax.admin.v1.Node node(NodeInfo n) {
    return io.ax.admin.v1.Node.newBuilder()
        .setName(n.name())
        .setCluster(n.cluster())
        .setIp(n.ip())
        .setExternalIp(n.externalIp())
        .addAllRoles(n.roles())
        .setAppCount(n.appCount())
        .setStatus(n.alive() ? io.ax.admin.v1.NodeStatus.NODE_ALIVE : io.ax.admin.v1.NodeStatus.NODE_DEAD)
        .build();
  }

  public static io.ax.admin.v1.Proxy proxy(ProxyInfo p) {
    io.ax.admin.v1.Proxy.Builder b = io.ax.admin.v1.Proxy.newBuilder()
        .setId(p.id())
        .setProtocol(protocol(p.protocol()))
        .setListener(endpoint(p.listener()));
    p.dialers().forEach(d -> b.addDialers(endpoint(d)));
    return b.build();
  }

  // ---- proto to model, checked ----

  /**
   * A vservice from the wire. {@code defaultPolicy} stands in for LB_TYPE_UNSPECIFIED.
   *
   * @throws InvalidFieldException naming the field under {@code prefix}
   */
  public static VService vservice(String prefix, io.ax.admin.v1.VService m, LbPolicy defaultPolicy) {
    String name = m.getName();
    try {
      VService.checkName(name);
    } catch (InvalidFieldException e) {
      throw e.renamed(prefix + "name");
    }
    Ipv4 ip = Ipv4.parse(prefix + "ip", m.getIp());
    List<PortMapping> ports = new ArrayList<>();
    for (int i = 0; i < m.getPortsCount(); i++) {
      io.ax.admin.v1.PortMapping p = m.getPorts(i);
      String f = prefix + "ports[" + i + "]";
      ports.add(new PortMapping(Ports.check(f + ".vport", p.getVport()), Ports.check(f + ".app_port", p.getAppPort())));
    }
    List<Backend> backends = backends(prefix + "backends", m.getBackendsList());
    LbPolicy policy = policy(prefix + "lb_type", m.getLbType(), m.getLbTypeValue(), defaultPolicy);
    List<Subset> subsets = new ArrayList<>();
    for (int i = 0; i < m.getSubsetsCount(); i++) {
      io.ax.admin.v1.Subset sm = m.getSubsets(i);
      String f = prefix + "subsets[" + i + "]";
      // A subset without a type balances like its vservice.
      LbPolicy subsetPolicy = policy(f + ".lb_type", sm.getLbType(), sm.getLbTypeValue(), policy);
      List<Backend> subsetBackends = backends(f + ".backends", sm.getBackendsList());
      Resilience subsetResilience = resilience(f + ".resilience", sm.getResilience());
      try {
        subsets.add(new Subset(sm.getName(), sm.getWeight(), subsetPolicy, subsetBackends, subsetResilience));
      } catch (InvalidFieldException e) {
        throw e.renamed(f + "." + e.field());
      }
    }
    Optional<Ipv4> source = m.getSourceIp().isEmpty() ? Optional.empty() : Optional.of(Ipv4.parse(prefix + "source_ip", m.getSourceIp()));
    Resilience resilience = resilience(prefix + "resilience", m.getResilience());
    try {
      return new VService(
          name, ip, ports, backends, policy, m.getExternal() ? VService.Exposure.EXTERNAL : VService.Exposure.INTERNAL, source,
          subsets, m.getHostnamesList(), m.getOwner(), resilience);
    } catch (InvalidFieldException e) {
      throw e.renamed(prefix + e.field());
    }
  }

  /** Resilience from the wire: each zero asks for nothing (an absent message is all zeros). */
  public static Resilience resilience(String prefix, io.ax.admin.v1.Resilience m) {
    Optional<io.ax.core.lb.OutlierDetection> outlier = Optional.empty();
    io.ax.admin.v1.OutlierDetection o = m.getOutlierDetection();
    if (o.getConsecutiveFailures() != 0) {
      try {
        outlier = Optional.of(new io.ax.core.lb.OutlierDetection(
            (int) Math.min(Integer.toUnsignedLong(o.getConsecutiveFailures()), Integer.MAX_VALUE),
            o.getBaseEjectionMs() == 0 ? io.ax.core.lb.OutlierDetection.DEFAULT_BASE_EJECTION_TIME : Duration.ofMillis(Integer.toUnsignedLong(o.getBaseEjectionMs())),
            o.getMaxEjectionPercent() == 0 ? io.ax.core.lb.OutlierDetection.DEFAULT_MAX_EJECTION_PERCENT : (int) Math.min(Integer.toUnsignedLong(o.getMaxEjectionPercent()), 101)));
      } catch (InvalidFieldException e) {
        throw e.renamed(prefix + ".outlier_detection." + e.field());
      }
    }
    // uint32 on the wire: read unsigned; past int range is no limit (Istio's default is 2^32-1).
    long max = Integer.toUnsignedLong(m.getMaxConnections());
    Optional<Duration> timeout = m.getConnectTimeoutMs() == 0 ? Optional.empty() : Optional.of(Duration.ofMillis(Integer.toUnsignedLong(m.getConnectTimeoutMs())));
    try {
      return new Resilience(timeout, max == 0 || max > Integer.MAX_VALUE ? OptionalInt.empty() : OptionalInt.of((int) max), outlier, localityLb(m.getLocalityLb()));
    } catch (InvalidFieldException e) {
      throw e.renamed(prefix + "." + e.field());
    }
  }

  private static LocalityLb localityLb(io.ax.admin.v1.LocalityLb m) {
    return switch (m.getMode()) {
      case LOCALITY_OFF -> LocalityLb.OFF;
      case LOCALITY_FAILOVER -> new LocalityLb.Failover(m.getFailoverList().stream().map(f -> new LocalityLb.FailoverRule(f.getFrom(), f.getTo())).toList());
      case LOCALITY_DISTRIBUTE -> {
        List<LocalityLb.DistributeRule> rules = new ArrayList<>();
        for (io.ax.admin.v1.LocalityDistribute d : m.getDistributeList()) {
          Map<String, Integer> to = new java.util.LinkedHashMap<>();
          d.getToMap().forEach((k, v) -> to.put(k, (int) Math.min(Integer.toUnsignedLong(v), Integer.MAX_VALUE)));
          rules.add(new LocalityLb.DistributeRule(d.getFrom(), to));
        }
        yield new LocalityLb.Distribute(rules);
      }
      case UNRECOGNIZED -> throw new InvalidFieldException("locality_lb.mode", m.getModeValue() + " is not a locality mode (expected 0-2)");
    };
  }

  private static io.ax.admin.v1.LocalityLb localityLb(LocalityLb l) {
    io.ax.admin.v1.LocalityLb.Builder b = io.ax.admin.v1.LocalityLb.newBuilder();
    switch (l) {
      case LocalityLb.Off off -> {}
      case LocalityLb.Failover f -> {
        b.setMode(io.ax.admin.v1.LocalityMode.LOCALITY_FAILOVER);
        f.rules().forEach(r -> b.addFailover(io.ax.admin.v1.LocalityFailover.newBuilder().setFrom(r.from()).setTo(r.to())));
      }
      case LocalityLb.Distribute d -> {
        b.setMode(io.ax.admin.v1.LocalityMode.LOCALITY_DISTRIBUTE);
        d.rules().forEach(r -> b.addDistribute(io.ax.admin.v1.LocalityDistribute.newBuilder().setFrom(r.from()).putAllTo(r.to())));
      }
    }
    return b.build();
  }

  /** Resilience to the wire. */
  public static io.ax.admin.v1.Resilience resilience(Resilience r) {
    io.ax.admin.v1.Resilience.Builder b = io.ax.admin.v1.Resilience.newBuilder();
    r.connectTimeout().ifPresent(d -> b.setConnectTimeoutMs((int) d.toMillis()));
    r.maxConnections().ifPresent(b::setMaxConnections);
    r.outlierDetection().ifPresent(o -> b.setOutlierDetection(io.ax.admin.v1.OutlierDetection.newBuilder()
        .setConsecutiveFailures(o.consecutiveFailures())
        .setBaseEjectionMs((int) o.baseEjectionTime().toMillis())
        .setMaxEjectionPercent(o.maxEjectionPercent())));
    if (!(r.localityLb() instanceof LocalityLb.Off)) {
      b.setLocalityLb(localityLb(r.localityLb()));
    }
    return b.build();
  }

  private static List<Backend> backends(String field, List<io.ax.admin.v1.Backend> list) {
    List<Backend> backends = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      io.ax.admin.v1.Backend be = list.get(i);
      String f = field + "[" + i + "]";
      OptionalInt port = be.getPort() == 0 ? OptionalInt.empty() : OptionalInt.of(Ports.check(f + ".port", be.getPort()));
      // uint32 on the wire: read it unsigned, or 2^31 and above would look negative.
      int weight = be.getWeight() == 0 ? 1 : Backend.checkWeight(f + ".weight", Integer.toUnsignedLong(be.getWeight()));
      backends.add(new Backend(Ipv4.parse(f + ".ip", be.getIp()), port, weight, Locality.parse(f + ".locality", be.getLocality())));
    }
    return backends;
  }

  /** A policy from the wire; {@code unspecified} stands in for LB_TYPE_UNSPECIFIED. */
  public static LbPolicy policy(String field, LbType type, int value, LbPolicy unspecified) {
    return switch (type) {
      case LB_TYPE_UNSPECIFIED -> unspecified;
      case RANDOM -> LbPolicy.RANDOM;
      case ROUND_ROBIN -> LbPolicy.ROUND_ROBIN;
      case LEAST_CONN -> LbPolicy.LEAST_CONN;
      case CONSISTENT_HASH -> LbPolicy.CONSISTENT_HASH;
      case UNRECOGNIZED -> throw new InvalidFieldException(
          field, "unknown load balancer type " + value + " (expected RANDOM, ROUND_ROBIN, LEAST_CONN or CONSISTENT_HASH)");
    };
  }

  public static Inet4Endpoint endpoint(String field, Endpoint e) {
    return Endpoints.of(Ipv4.parse(field + ".ip", e.getIp()), e.getPort() == 0 ? 0 : Ports.check(field + ".port", e.getPort()));
  }

  public static Labels labels(String field, List<Label> labels) {
    List<Map.Entry<String, String>> pairs = new ArrayList<>();
    labels.forEach(l -> pairs.add(new AbstractMap.SimpleEntry<>(l.getKey(), l.getValue())));
    return Labels.of(field, pairs);
  }

  public static Transport protocol(String field, io.ax.admin.v1.Protocol p) {
    return switch (p) {
      case TCP -> Transport.TCP;
      case UDP -> Transport.UDP;
      case PROTOCOL_UNSPECIFIED, UNRECOGNIZED -> throw new InvalidFieldException(field, "protocol must be TCP or UDP");
    };
  }

  public static App app(io.ax.admin.v1.App m) {
    List<ExposedPort> exposures = new ArrayList<>(m.getExposuresCount());
    for (int i = 0; i < m.getExposuresCount(); i++) {
      exposures.add(exposedPort("exposures[" + i + "].", m.getExposures(i)));
    }
    return new App(
        new AppId(m.getAppId()), m.getName(), m.getNodeId(), m.getCluster(), Ipv4.parse("app_ip", m.getAppIp()), m.getDriver(), labels("labels", m.getLabelsList()), m.getPid(),
        exposures, m.hasOwnerUid() && m.getOwnerUid() >= 0 ? m.getOwnerUid() : App.UNKNOWN_UID);
  }

  /**
   * An {@code --expose} mapping as stored: an empty {@code node_ip} means all of the app's node's
   * addresses, 0.0.0.0 every node of the cluster.
   */
  public static ExposedPort exposedPort(String prefix, io.ax.admin.v1.ExposedPort m) {
    Optional<Ipv4> nodeIp = m.getNodeIp().isEmpty() ? Optional.empty() : Optional.of(Ipv4.parse(prefix + "node_ip", m.getNodeIp()));
    return new ExposedPort(
        Ports.check(prefix + "app_port", Integer.toUnsignedLong(m.getAppPort())), nodeIp, Ports.check(prefix + "host_port", Integer.toUnsignedLong(m.getHostPort())));
  }

  public static ServerEntry server(io.ax.admin.v1.Server m) {
    return new ServerEntry(
        m.getId(),
        new AppId(m.getAppId()),
        m.getName(),
        protocol("protocol", m.getProtocol()),
        endpoint("service_addr", m.getServiceAddr()),
        endpoint("host_addr", m.getHostAddr()),
        labels("labels", m.getLabelsList()),
        m.getNodeId(),
        m.getCluster());
  }

  public static SocketEntry socket(io.ax.admin.v1.Socket m) {
    return new SocketEntry(
        m.getId(), m.getNodeId(), new AppId(m.getAppId()), m.getInode(), protocol("protocol", m.getProtocol()), m.getFlags(), endpoint("bind", m.getBind()), m.getBacklog());
  }
}
