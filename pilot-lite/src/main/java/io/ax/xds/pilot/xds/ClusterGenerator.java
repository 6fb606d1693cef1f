package io.ax.xds.pilot.xds;

import com.google.protobuf.Duration;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.UInt64Value;
import com.google.protobuf.Value;
import io.ax.xds.pilot.config.ConnectionSettings;
import io.ax.xds.pilot.config.DestinationRule;
import io.ax.xds.pilot.config.LoadBalancer;
import io.ax.xds.pilot.config.Workload;
import io.ax.xds.pilot.mesh.HostRules;
import io.ax.xds.pilot.mesh.Mesh;
import io.ax.xds.pilot.mesh.MeshService;
import io.ax.xds.pilot.mesh.Protocol;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import java.util.TreeMap;

/**
 * Clusters and their ClusterLoadAssignments, as istiod makes them: per service port an
 * {@code outbound|PORT||HOST} cluster, per DestinationRule subset an {@code outbound|PORT|SUBSET|HOST}
 * cluster over the endpoints whose labels match the subset's. Pure.
 */
final class ClusterGenerator {
  /** istiod's default connect timeout (MeshConfig.connectTimeout). */
  private static final Duration CONNECT_TIMEOUT = Duration.newBuilder().setSeconds(10).build();
  /** The EDS/ADS config source istiod puts in every EDS cluster. */
  static final ConfigSource ADS = ConfigSource.newBuilder()
      .setAds(AggregatedConfigSource.getDefaultInstance())
      .setInitialFetchTimeout(Duration.getDefaultInstance())
      .setResourceApiVersion(ApiVersion.V3)
      .build();

  private ClusterGenerator() {}

  /** Adds the clusters of {@code s}, and the ClusterLoadAssignments of its EDS clusters. */
  static void generate(Mesh mesh, MeshService s, List<Cluster> clusters, List<ClusterLoadAssignment> endpoints, List<String> notes) {
    HostRules rules = mesh.rules(s.host());
    for (MeshService.Port port : s.ports()) {
      if (port.protocol() == Protocol.UNSUPPORTED) {
        notes.add("service " + s.host() + ": port " + port.port() + " is not TCP; not served");
        continue;
      }
      LoadBalancer main = rules.loadBalancer(port.port()).orElse(new LoadBalancer.Simple(mesh.options().defaultLb()));
      add(mesh, s, port, "", main, rules.connection(port.port()), s.endpoints(), clusters, endpoints);
      for (DestinationRule.Subset subset : rules.subsets()) {
        LoadBalancer lb = rules.loadBalancer(subset, port.port()).orElse(new LoadBalancer.Simple(mesh.options().defaultLb()));
        List<Workload> selected = s.endpoints().stream().filter(w -> w.matches(subset.labels())).toList();
        add(mesh, s, port, subset.name(), lb, rules.connection(subset, port.port()), selected, clusters, endpoints);
      }
    }
  }

  private static void add(
      Mesh mesh, MeshService s, MeshService.Port port, String subset, LoadBalancer lb, ConnectionSettings connection, List<Workload> workloads,
      List<Cluster> clusters, List<ClusterLoadAssignment> endpoints) {
    String name = ClusterNames.outbound(port.port(), subset, s.host());
    Cluster.Builder c = Cluster.newBuilder().setName(name).setConnectTimeout(CONNECT_TIMEOUT).setMetadata(metadata(s, port));
    setConnectionSettings(c, connection);
    boolean passthrough = s.discovery() == MeshService.Discovery.PASSTHROUGH
        || lb instanceof LoadBalancer.Simple simple && simple.policy() == LoadBalancer.SimpleLb.PASSTHROUGH;
    if (passthrough) {
      // Istio's PASSTHROUGH and resolution NONE: the connection goes to the address asked for.
      clusters.add(c.setType(Cluster.DiscoveryType.ORIGINAL_DST).setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED).build());
      return;
    }
    setLoadBalancer(c, lb, mesh.options().defaultLb());
    ClusterLoadAssignment cla = assignment(name, port, workloads);
    switch (s.discovery()) {
      case EDS -> {
        c.setType(Cluster.DiscoveryType.EDS)
            .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ADS).setServiceName(name));
        endpoints.add(cla);
      }
      case DNS, DNS_ROUND_ROBIN -> c.setType(s.discovery() == MeshService.Discovery.DNS ? Cluster.DiscoveryType.STRICT_DNS : Cluster.DiscoveryType.LOGICAL_DNS)
          .setDnsLookupFamily(Cluster.DnsLookupFamily.V4_ONLY)
          .setLoadAssignment(cla);
      case PASSTHROUGH -> throw new IllegalStateException("handled above");
    }
    clusters.add(c.build());
  }

  /**
   * {@code connectionPool.tcp} and {@code outlierDetection} as istiod's cluster builder writes
   * them ({@code applyConnectionPool}, {@code applyOutlierDetection}): the connect timeout
   * replaces the mesh's default, a positive {@code maxConnections} becomes the DEFAULT priority's
   * circuit breaker, and outlier detection sets only what the rule writes (Envoy's defaults do
   * the rest: {@code consecutive_5xx} 5, 30 s, 10%), with success-rate ejection off.
   */
  static void setConnectionSettings(Cluster.Builder c, ConnectionSettings settings) {
    settings.tcp().ifPresent(tcp -> {
      tcp.connectTimeout().ifPresent(d -> c.setConnectTimeout(duration(d)));
      tcp.maxConnections().ifPresent(n -> {
        if (n > 0) {
          c.setCircuitBreakers(CircuitBreakers.newBuilder().addThresholds(CircuitBreakers.Thresholds.newBuilder()
              .setPriority(RoutingPriority.DEFAULT)
              .setMaxConnections(UInt32Value.of(n))));
        }
      });
    });
    settings.outlier().ifPresent(o -> {
      OutlierDetection.Builder out = OutlierDetection.newBuilder().setEnforcingSuccessRate(UInt32Value.of(0));
      o.consecutive5xxErrors().ifPresent(n -> out.setConsecutive5Xx(UInt32Value.of(n)).setEnforcingConsecutive5Xx(UInt32Value.of(n > 0 ? 100 : 0)));
      o.consecutiveGatewayErrors().ifPresent(
          n -> out.setConsecutiveGatewayFailure(UInt32Value.of(n)).setEnforcingConsecutiveGatewayFailure(UInt32Value.of(n > 0 ? 100 : 0)));
      o.interval().ifPresent(d -> out.setInterval(duration(d)));
      o.baseEjectionTime().ifPresent(d -> out.setBaseEjectionTime(duration(d)));
      o.maxEjectionPercent().ifPresent(p -> {
        if (p > 0) {
          out.setMaxEjectionPercent(UInt32Value.of(p));
        }
      });
      if (o.splitExternalLocalOriginErrors()) {
        out.setSplitExternalLocalOriginErrors(true).setEnforcingLocalOriginSuccessRate(UInt32Value.of(0));
        o.consecutiveLocalOriginFailures().ifPresent(n -> {
          if (n > 0) {
            out.setConsecutiveLocalOriginFailure(UInt32Value.of(n)).setEnforcingConsecutiveLocalOriginFailure(UInt32Value.of(100));
          }
        });
      }
      c.setOutlierDetection(out);
    });
    localityLb(settings).ifPresent(l -> c.getMetadataBuilder().putFilterMetadata("ax", Struct.newBuilder().putFields("locality_lb", value(l)).build()));
  }

  /**
   * Istio's {@code localityLbSetting}, for each daemon to apply relative to its own locality
   * (istiod orders each proxy's endpoints instead, which one snapshot for every node cannot):
   * {@code distribute} when it has entries; otherwise locality failover when the policy has
   * {@code outlierDetection} (istiod fails over between localities only then) and the setting
   * is not disabled, Istio's mesh default being on.
   */
  static Optional<Struct> localityLb(ConnectionSettings settings) {
    Optional<ConnectionSettings.LocalitySetting> l = settings.locality();
    if (l.isPresent() && !l.get().enabled()) {
      return Optional.empty();
    }
    if (l.isPresent() && !l.get().distribute().isEmpty()) {
      ListValue.Builder rules = ListValue.newBuilder();
      for (Map.Entry<String, Map<String, Integer>> d : l.get().distribute()) {
        Struct.Builder to = Struct.newBuilder();
        d.getValue().forEach((pattern, w) -> to.putFields(pattern, Value.newBuilder().setNumberValue(w).build()));
        rules.addValues(value(Struct.newBuilder().putFields("from", string(d.getKey())).putFields("to", value(to.build())).build()));
      }
      return Optional.of(Struct.newBuilder().putFields("mode", string("DISTRIBUTE")).putFields("distribute", Value.newBuilder().setListValue(rules).build()).build());
    }
    if (settings.outlier().isEmpty()) {
      return Optional.empty();
    }
    ListValue.Builder rules = ListValue.newBuilder();
    for (Map.Entry<String, String> f : l.map(ConnectionSettings.LocalitySetting::failover).orElse(List.of())) {
      rules.addValues(value(Struct.newBuilder().putFields("from", string(f.getKey())).putFields("to", string(f.getValue())).build()));
    }
    return Optional.of(Struct.newBuilder().putFields("mode", string("FAILOVER")).putFields("failover", Value.newBuilder().setListValue(rules).build()).build());
  }

  private static Value value(Struct s) {
    return Value.newBuilder().setStructValue(s).build();
  }

  private static Value string(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }

  private static Duration duration(java.time.Duration d) {
    return Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build();
  }

  private static void setLoadBalancer(Cluster.Builder c, LoadBalancer lb, LoadBalancer.SimpleLb defaultLb) {
    switch (lb) {
      case LoadBalancer.Simple simple -> {
        LoadBalancer.SimpleLb p = simple.policy() == LoadBalancer.SimpleLb.UNSPECIFIED ? defaultLb : simple.policy();
        // ROUND_ROBIN is the proto default (0) and so left out of the cluster, as istiod does.
        c.setLbPolicy(switch (p) {
          case ROUND_ROBIN, UNSPECIFIED -> Cluster.LbPolicy.ROUND_ROBIN;
          case RANDOM -> Cluster.LbPolicy.RANDOM;
          case LEAST_REQUEST -> Cluster.LbPolicy.LEAST_REQUEST;
          case PASSTHROUGH -> Cluster.LbPolicy.CLUSTER_PROVIDED;
        });
      }
      case LoadBalancer.ConsistentHash hash -> {
        if (hash.algorithm() == LoadBalancer.HashAlgorithm.MAGLEV) {
          c.setLbPolicy(Cluster.LbPolicy.MAGLEV);
        } else {
          c.setLbPolicy(Cluster.LbPolicy.RING_HASH);
          hash.minimumRingSize().ifPresent(
              n -> c.setRingHashLbConfig(Cluster.RingHashLbConfig.newBuilder().setMinimumRingSize(UInt64Value.of(n))));
        }
      }
    }
  }

  /** Endpoints grouped by locality, each HEALTHY with its weight, in a stable order. */
  private static ClusterLoadAssignment assignment(String name, MeshService.Port port, List<Workload> workloads) {
    TreeMap<String, TreeMap<String, LbEndpoint>> byLocality = new TreeMap<>();
    for (Workload w : workloads) {
      int target = port.endpointPort(w);
      if (!w.serves(target)) {
        continue; // an ax app that does not listen on this port (yet): not ready there
      }
      LbEndpoint e = LbEndpoint.newBuilder()
          .setEndpoint(Endpoint.newBuilder().setAddress(Address.newBuilder()
              .setSocketAddress(SocketAddress.newBuilder().setAddress(w.address()).setPortValue(target))))
          .setHealthStatus(HealthStatus.HEALTHY)
          .setLoadBalancingWeight(UInt32Value.of(w.weight()))
          .build();
      byLocality.computeIfAbsent(w.locality(), k -> new TreeMap<>()).put(w.address() + ":" + target, e);
    }
    ClusterLoadAssignment.Builder cla = ClusterLoadAssignment.newBuilder().setClusterName(name);
    for (Map.Entry<String, TreeMap<String, LbEndpoint>> l : byLocality.entrySet()) {
      int weight = l.getValue().values().stream().mapToInt(e -> e.getLoadBalancingWeight().getValue()).sum();
      cla.addEndpoints(LocalityLbEndpoints.newBuilder()
          .setLocality(locality(l.getKey()))
          .addAllLbEndpoints(l.getValue().values())
          .setLoadBalancingWeight(UInt32Value.of(weight)));
    }
    return cla.build();
  }

  /** {@code region/zone/subzone}, any part may be missing. */
  private static Locality locality(String s) {
    String[] parts = s.split("/", 3);
    Locality.Builder b = Locality.newBuilder();
    if (!s.isEmpty()) {
      b.setRegion(parts[0]);
      if (parts.length > 1) {
        b.setZone(parts[1]);
      }
      if (parts.length > 2) {
        b.setSubZone(parts[2]);
      }
    }
    return b.build();
  }

  /** istiod's {@code istio} filter metadata: the service behind the cluster. */
  private static Metadata metadata(MeshService s, MeshService.Port port) {
    String host = s.host();
    String name = host.contains(".") ? host.substring(0, host.indexOf('.')) : host;
    Struct service = Struct.newBuilder()
        .putFields("host", Value.newBuilder().setStringValue(host).build())
        .putFields("name", Value.newBuilder().setStringValue(name).build())
        .putFields("namespace", Value.newBuilder().setStringValue(s.namespace()).build())
        .build();
    Struct istio = Struct.newBuilder()
        .putFields("default_original_port", Value.newBuilder().setNumberValue(port.port()).build())
        .putFields("services", Value.newBuilder().setListValue(ListValue.newBuilder().addValues(Value.newBuilder().setStructValue(service))).build())
        .build();
    return Metadata.newBuilder().putFilterMetadata("istio", istio).build();
  }

}
