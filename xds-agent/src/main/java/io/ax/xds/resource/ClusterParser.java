package io.ax.xds.resource;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.LoadBalancingPolicy;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * CDS: a Cluster into a {@link ClusterResource}. Rules: the name is set (at most
 * {@link Limits#MAX_NAME} characters); {@code type} and {@code lb_policy} are values Envoy knows;
 * {@code LOAD_BALANCING_POLICY_CONFIG} comes with a {@code load_balancing_policy} that has
 * policies; an EDS cluster's {@code eds_config} is ADS (or self), since the agent fetches
 * endpoints only over its one ADS stream (the rule grpc-java's xDS client applies too); an inline
 * {@code load_assignment} follows the EDS rules.
 */
final class ClusterParser {
  private ClusterParser() {}

  private static final String LB_POLICIES = "type.googleapis.com/envoy.extensions.load_balancing_policies.";

  static ClusterResource parse(Cluster c) throws InvalidResourceException {
    String name = c.getName();
    if (name.isEmpty()) {
      throw invalid(name, "name is empty");
    }
    if (name.length() > Limits.MAX_NAME) {
      throw invalid(EndpointParser.abbreviate(name), "name is longer than " + Limits.MAX_NAME + " characters");
    }
    DiscoveryType discovery = switch (c.getClusterDiscoveryTypeCase()) {
      case CLUSTER_TYPE -> DiscoveryType.CUSTOM;
      case TYPE, CLUSTERDISCOVERYTYPE_NOT_SET -> switch (c.getType()) {
        case STATIC -> DiscoveryType.STATIC;
        case STRICT_DNS -> DiscoveryType.STRICT_DNS;
        case LOGICAL_DNS -> DiscoveryType.LOGICAL_DNS;
        case EDS -> DiscoveryType.EDS;
        case ORIGINAL_DST -> DiscoveryType.ORIGINAL_DST;
        case UNRECOGNIZED -> throw invalid(name, "type " + c.getTypeValue() + " is not a known discovery type (expected STATIC, STRICT_DNS, LOGICAL_DNS, EDS or ORIGINAL_DST)");
      };
    };
    LbPolicy lb = lbPolicy(name, c);
    Optional<String> edsServiceName = Optional.empty();
    List<LbEndpoint> inline = List.of();
    if (discovery == DiscoveryType.EDS) {
      ConfigSource source = c.getEdsClusterConfig().getEdsConfig();
      if (!source.hasAds() && !source.hasSelf()) {
        throw invalid(name, "eds_cluster_config.eds_config must be ADS (the agent fetches endpoints only over its ADS stream)");
      }
      String service = c.getEdsClusterConfig().getServiceName();
      edsServiceName = Optional.of(service.isEmpty() ? name : service);
    } else if (c.hasLoadAssignment()) {
      try {
        inline = EndpointParser.endpoints(c.getLoadAssignment(), "load_assignment.");
      } catch (EndpointParser.BadEndpoint e) {
        throw invalid(name, e.getMessage());
      }
    }
    return new ClusterResource(name, edsServiceName, IstioClusterName.parse(name), discovery, lb, inline, resilience(name, c));
  }

  /** Envoy's defaults of outlier detection (cluster/v3/outlier_detection.proto). */
  private static final int DEFAULT_CONSECUTIVE = 5;
  private static final int DEFAULT_BASE_EJECTION_MS = 30_000;
  private static final int DEFAULT_MAX_EJECTION_PERCENT = 10;
  /** A connect timeout beyond an hour is no timeout; the daemon refuses one. */
  private static final long MAX_CONNECT_TIMEOUT_MS = 3_600_000;

  private static ClusterResilience resilience(String name, Cluster c) throws InvalidResourceException {
    Optional<java.time.Duration> timeout = Optional.empty();
    if (c.hasConnectTimeout()) {
      long ms = c.getConnectTimeout().getSeconds() * 1000 + c.getConnectTimeout().getNanos() / 1_000_000;
      if (ms <= 0 || ms > MAX_CONNECT_TIMEOUT_MS) {
        throw invalid(name, "connect_timeout " + ms + " ms is outside 1 ms-1 h");
      }
      timeout = Optional.of(java.time.Duration.ofMillis(ms));
    }
    OptionalLong max = OptionalLong.empty();
    for (var t : c.getCircuitBreakers().getThresholdsList()) {
      // The DEFAULT priority's (0): ax has no priorities of traffic.
      if (t.getPriorityValue() == 0 && t.hasMaxConnections()) {
        long v = Integer.toUnsignedLong(t.getMaxConnections().getValue());
        if (v == 0) {
          throw invalid(name, "circuit_breakers max_connections is 0 (expected at least 1)");
        }
        max = v > Integer.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(v);
      }
    }
    return new ClusterResilience(timeout, max, c.hasOutlierDetection() ? outlier(c.getOutlierDetection()) : Optional.empty(), localityLb(name, c));
  }

  /** At most this many failover or distribute entries: Istio's have one per region or so. */
  private static final int MAX_LOCALITY_RULES = 64;

  /**
   * {@code filter_metadata.ax.locality_lb}: {@code {mode: FAILOVER|DISTRIBUTE, failover: [{from,
   * to}], distribute: [{from, to: {PATTERN: WEIGHT}}]}}, as pilot-lite writes it.
   */
  private static io.ax.admin.v1.LocalityLb localityLb(String name, Cluster c) throws InvalidResourceException {
    com.google.protobuf.Struct ax = c.getMetadata().getFilterMetadataMap().get(ClusterResilience.METADATA);
    if (ax == null || !ax.containsFields("locality_lb")) {
      return io.ax.admin.v1.LocalityLb.getDefaultInstance();
    }
    String at = "metadata " + ClusterResilience.METADATA + ".locality_lb";
    com.google.protobuf.Struct l = ax.getFieldsOrThrow("locality_lb").getStructValue();
    io.ax.admin.v1.LocalityLb.Builder b = io.ax.admin.v1.LocalityLb.newBuilder();
    String mode = l.getFieldsOrDefault("mode", com.google.protobuf.Value.getDefaultInstance()).getStringValue();
    switch (mode) {
      case "FAILOVER" -> b.setMode(io.ax.admin.v1.LocalityMode.LOCALITY_FAILOVER);
      case "DISTRIBUTE" -> b.setMode(io.ax.admin.v1.LocalityMode.LOCALITY_DISTRIBUTE);
      default -> throw invalid(name, at + ".mode '" + mode + "' is not a locality mode (expected FAILOVER or DISTRIBUTE)");
    }
    List<com.google.protobuf.Value> failover = l.getFieldsOrDefault("failover", com.google.protobuf.Value.getDefaultInstance()).getListValue().getValuesList();
    List<com.google.protobuf.Value> distribute = l.getFieldsOrDefault("distribute", com.google.protobuf.Value.getDefaultInstance()).getListValue().getValuesList();
    if (failover.size() > MAX_LOCALITY_RULES || distribute.size() > MAX_LOCALITY_RULES) {
      throw invalid(name, at + " has more than " + MAX_LOCALITY_RULES + " rules");
    }
    for (com.google.protobuf.Value f : failover) {
      var s = f.getStructValue();
      b.addFailover(io.ax.admin.v1.LocalityFailover.newBuilder()
          .setFrom(s.getFieldsOrDefault("from", com.google.protobuf.Value.getDefaultInstance()).getStringValue())
          .setTo(s.getFieldsOrDefault("to", com.google.protobuf.Value.getDefaultInstance()).getStringValue()));
    }
    for (com.google.protobuf.Value d : distribute) {
      var s = d.getStructValue();
      io.ax.admin.v1.LocalityDistribute.Builder db = io.ax.admin.v1.LocalityDistribute.newBuilder()
          .setFrom(s.getFieldsOrDefault("from", com.google.protobuf.Value.getDefaultInstance()).getStringValue());
      for (var e : s.getFieldsOrDefault("to", com.google.protobuf.Value.getDefaultInstance()).getStructValue().getFieldsMap().entrySet()) {
        double w = e.getValue().getNumberValue();
        if (w < 1 || w > 1_000_000 || w != Math.rint(w)) {
          throw invalid(name, at + ".distribute: weight " + e.getValue() + " of '" + e.getKey() + "' is not a whole number 1-1000000");
        }
        db.putTo(e.getKey(), (int) w);
      }
      b.addDistribute(db);
    }
    return b.build();
  }

  /**
   * A connect failure is what Envoy calls a locally originated error: with
   * {@code split_external_local_origin_errors} it counts toward
   * {@code consecutive_local_origin_failure}, otherwise as a 5xx toward both
   * {@code consecutive_5xx} and {@code consecutive_gateway_failure}. The lowest enforced threshold
   * ejects; none enforced: no detection.
   */
  private static Optional<ClusterResilience.Outlier> outlier(io.envoyproxy.envoy.config.cluster.v3.OutlierDetection o) {
    int threshold = Integer.MAX_VALUE;
    if (o.getSplitExternalLocalOriginErrors()) {
      threshold = enforced(o.hasConsecutiveLocalOriginFailure() ? o.getConsecutiveLocalOriginFailure().getValue() : DEFAULT_CONSECUTIVE,
          o.hasEnforcingConsecutiveLocalOriginFailure() ? o.getEnforcingConsecutiveLocalOriginFailure().getValue() : 100, threshold);
    } else {
      threshold = enforced(o.hasConsecutive5Xx() ? o.getConsecutive5Xx().getValue() : DEFAULT_CONSECUTIVE,
          o.hasEnforcingConsecutive5Xx() ? o.getEnforcingConsecutive5Xx().getValue() : 100, threshold);
      threshold = enforced(o.hasConsecutiveGatewayFailure() ? o.getConsecutiveGatewayFailure().getValue() : DEFAULT_CONSECUTIVE,
          o.hasEnforcingConsecutiveGatewayFailure() ? o.getEnforcingConsecutiveGatewayFailure().getValue() : 0, threshold);
    }
    if (threshold == Integer.MAX_VALUE) {
      return Optional.empty();
    }
    long base = o.hasBaseEjectionTime() ? o.getBaseEjectionTime().getSeconds() * 1000 + o.getBaseEjectionTime().getNanos() / 1_000_000 : DEFAULT_BASE_EJECTION_MS;
    int percent = o.hasMaxEjectionPercent() ? (int) Math.min(100, Integer.toUnsignedLong(o.getMaxEjectionPercent().getValue())) : DEFAULT_MAX_EJECTION_PERCENT;
    // The daemon takes 1 ms to 300 s (Envoy's max_ejection_time default).
    return Optional.of(new ClusterResilience.Outlier(threshold, java.time.Duration.ofMillis(Math.clamp(base, 1, 300_000)), percent));
  }

  /** The lower of {@code current} and {@code value} when the detector is enforced (and on). */
  private static int enforced(int value, int enforcingPercent, int current) {
    return enforcingPercent > 0 && value > 0 ? Math.min(current, value) : current;
  }

  private static LbPolicy lbPolicy(String name, Cluster c) throws InvalidResourceException {
    if (c.hasLoadBalancingPolicy()) {
      return fromPolicies(name, c.getLoadBalancingPolicy());
    }
    return switch (c.getLbPolicy()) {
      case ROUND_ROBIN -> LbPolicy.ROUND_ROBIN;
      case LEAST_REQUEST -> LbPolicy.LEAST_REQUEST;
      case RING_HASH -> LbPolicy.RING_HASH;
      case RANDOM -> LbPolicy.RANDOM;
      case MAGLEV -> LbPolicy.MAGLEV;
      case CLUSTER_PROVIDED -> LbPolicy.CLUSTER_PROVIDED;
      case LOAD_BALANCING_POLICY_CONFIG -> throw invalid(name, "lb_policy LOAD_BALANCING_POLICY_CONFIG without a load_balancing_policy");
      case UNRECOGNIZED -> throw invalid(name, "lb_policy " + c.getLbPolicyValue()
          + " is not a known policy (expected ROUND_ROBIN, LEAST_REQUEST, RING_HASH, RANDOM, MAGLEV, CLUSTER_PROVIDED or LOAD_BALANCING_POLICY_CONFIG)");
    };
  }

  /** The first policy of the list whose extension type the agent knows, as Envoy picks the first it supports. */
  private static LbPolicy fromPolicies(String name, LoadBalancingPolicy policy) throws InvalidResourceException {
    if (policy.getPoliciesCount() == 0) {
      throw invalid(name, "load_balancing_policy has no policies");
    }
    for (LoadBalancingPolicy.Policy p : policy.getPoliciesList()) {
      Any config = p.getTypedExtensionConfig().getTypedConfig();
      String url = config.getTypeUrl();
      if (!url.startsWith(LB_POLICIES)) {
        continue;
      }
      String type = url.substring(LB_POLICIES.length());
      switch (type) {
        case "round_robin.v3.RoundRobin", "client_side_weighted_round_robin.v3.ClientSideWeightedRoundRobin" -> {
          return LbPolicy.ROUND_ROBIN;
        }
        case "least_request.v3.LeastRequest" -> {
          return LbPolicy.LEAST_REQUEST;
        }
        case "random.v3.Random" -> {
          return LbPolicy.RANDOM;
        }
        case "ring_hash.v3.RingHash" -> {
          return LbPolicy.RING_HASH;
        }
        case "maglev.v3.Maglev" -> {
          return LbPolicy.MAGLEV;
        }
        case "cluster_provided.v3.ClusterProvided" -> {
          return LbPolicy.CLUSTER_PROVIDED;
        }
        default -> {
          // not one the agent knows; Envoy would try the next one too
        }
      }
    }
    return LbPolicy.OTHER;
  }

  private static InvalidResourceException invalid(String name, String reason) {
    return new InvalidResourceException(ResourceType.CLUSTER, name, reason);
  }
}
