package io.ax.xds.ads;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.Status;
import io.ax.xds.resource.ClusterResource;
import io.ax.xds.resource.EndpointResource;
import io.ax.xds.resource.InvalidResourceException;
import io.ax.xds.resource.ListenerResource;
import io.ax.xds.resource.ResourceType;
import io.ax.xds.resource.RouteResource;
import io.ax.xds.resource.XdsResource;
import io.ax.xds.translate.XdsSnapshot;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The state-of-the-world xDS protocol as a state machine, without I/O: what has been accepted, at
 * which version, what is subscribed, and which requests answer a response. {@link AdsClient} owns
 * one and feeds it from its serial executor; not thread-safe.
 *
 * <p>Rules (https://www.envoyproxy.io/docs/envoy/latest/api-docs/xds_protocol):
 * <ul>
 *   <li>CDS and LDS are wildcard subscriptions; EDS subscribes to the {@code edsServiceName()} of
 *       the accepted clusters, RDS to the {@code routeNames()} of the accepted listeners. A change
 *       of those sets sends a new request with the new names.
 *   <li>A response whose resources all decode is ACKed: its version and nonce. Otherwise it is
 *       NACKed: the last accepted version, its nonce and an INVALID_ARGUMENT error_detail listing
 *       the reasons. Either way its valid resources are accepted and an invalid one keeps its last
 *       good value (Envoy's behaviour for CDS and LDS).
 *   <li>Removal: a CDS or LDS resource absent from a response is removed (unless an invalid
 *       resource in that response had no readable name: then nothing is removed, since it may be
 *       any of them). EDS and RDS resources are dropped when no accepted cluster or listener names
 *       them any more; resources a response carries that we did not subscribe to are ignored.
 *   <li>Nonces belong to a stream: {@link #onStreamStart} forgets them and asks again for every
 *       subscription with the last accepted versions.
 * </ul>
 */
final class AdsState {
  /** At most this many reasons go into one NACK's error_detail; the rest are counted. */
  static final int MAX_REASONS_PER_NACK = 20;

  private final Node node;
  private final ResourceDecoder decoder;
  private final int maxResources;
  private final Map<ResourceType, TypeState> types = new EnumMap<>(ResourceType.class);

  AdsState(Node node, ResourceDecoder decoder, int maxResources) {
    this.node = Objects.requireNonNull(node, "node");
    this.decoder = Objects.requireNonNull(decoder, "decoder");
    this.maxResources = maxResources;
    for (ResourceType t : ResourceType.values()) {
      types.put(t, new TypeState(t));
    }
  }

  /**
   * What one response led to.
   *
   * @param reply the ACK or NACK of the response
   * @param subscriptionUpdates requests that change the EDS or RDS names, sent after the reply
   * @param errors the reasons of a NACK, one per rejected resource (empty for an ACK)
   * @param repeatedNacks how many times in a row this same version has been NACKed before (0 for
   *     the first NACK of a version)
   * @param changed whether the accepted state changed, so the listener gets a new snapshot
   * @param ignored resources of types we did not subscribe to by name
   */
  record Outcome(
      ResourceType type,
      String version,
      DiscoveryRequest reply,
      List<DiscoveryRequest> subscriptionUpdates,
      List<String> errors,
      int repeatedNacks,
      boolean changed,
      int accepted,
      int removed,
      int ignored) {
    boolean nack() {
      return !errors.isEmpty();
    }
  }

  /** The requests that open (or reopen) a stream: every subscription, last accepted versions. */
  List<DiscoveryRequest> onStreamStart() {
    List<DiscoveryRequest> out = new ArrayList<>();
    for (TypeState t : types.values()) {
      t.nonce = "";
      t.requestedOnStream = false;
    }
    // CDS before LDS, then their dependents: the order Envoy uses so that a server can answer
    // each request with consistent state.
    for (ResourceType type : List.of(ResourceType.CLUSTER, ResourceType.LISTENER, ResourceType.ENDPOINT, ResourceType.ROUTE)) {
      TypeState t = types.get(type);
      if (wildcard(type) || !t.names.isEmpty()) {
        t.requestedOnStream = true;
        out.add(request(t, Optional.empty()));
      }
    }
    return out;
  }

  /** Handles one response; empty when its type is not one we subscribe to (the caller drops it). */
  Optional<Outcome> onResponse(DiscoveryResponse response) {
    Optional<ResourceType> maybeType = ResourceType.ofTypeUrl(response.getTypeUrl());
    if (maybeType.isEmpty()) {
      return Optional.empty();
    }
    ResourceType type = maybeType.get();
    TypeState t = types.get(type);
    t.nonce = response.getNonce();
    Decoded decoded = decode(type, t, response);
    Applied applied = accept(type, t, decoded);
    Answer answer = answer(t, response.getVersionInfo(), decoded.errors);
    return Optional.of(new Outcome(type, response.getVersionInfo(), answer.request(), List.copyOf(applied.updates()), List.copyOf(decoded.errors),
        answer.repeated(), applied.changed(), decoded.valid.size(), applied.removed(), decoded.ignored));
  }

  /**
   * What one response holds, resource by resource: the valid ones by name, the names of invalid
   * ones, the errors for the NACK. Confined to the {@link #onResponse} call that fills it.
   */
  private static final class Decoded {
    final List<String> errors = new ArrayList<>();
    final Map<String, XdsResource> valid = new LinkedHashMap<>();
    final Set<String> invalidNames = new HashSet<>();
    /** An invalid resource without a name: a wildcard type then removes nothing (we cannot tell what is gone). */
    boolean unnamedInvalid;
    /** Resources of names we did not subscribe to. */
    int ignored;
  }

  /** Step 1: parses each resource; errors are collected per resource and the rest still parse. */
  private Decoded decode(ResourceType type, TypeState t, DiscoveryResponse response) {
    Decoded d = new Decoded();
    if (response.getResourcesCount() > maxResources) {
      d.errors.add(type.shortName() + " response has " + response.getResourcesCount() + " resources, more than the limit of " + maxResources);
      d.unnamedInvalid = true;
      return d;
    }
    int index = 0;
    for (Any any : response.getResourcesList()) {
      try {
        XdsResource r = decoder.decode(type, any);
        if (r.type() != type) {
          throw new InvalidResourceException(type, r.name(), "decoded as " + r.type().shortName() + ", expected " + type.shortName());
        }
        if (!wildcard(type) && !t.names.contains(r.name())) {
          d.ignored++;
        } else if (d.invalidNames.contains(r.name()) || d.valid.containsKey(r.name())) {
          // Two resources with one name: neither can be trusted, keep the last good value.
          d.valid.remove(r.name());
          d.invalidNames.add(r.name());
          d.errors.add(type.shortName() + " resource '" + r.name() + "': appears more than once in the response");
        } else {
          d.valid.put(r.name(), r);
        }
      } catch (InvalidResourceException e) {
        d.errors.add(e.getMessage());
        if (e.resourceName() == null || e.resourceName().isEmpty()) {
          d.unnamedInvalid = true;
        } else {
          d.invalidNames.add(e.resourceName());
        }
      } catch (RuntimeException e) {
        d.errors.add(type.shortName() + " resource #" + index + ": cannot be decoded: " + e);
        d.unnamedInvalid = true;
      }
      index++;
    }
    return d;
  }

  /** What accepting a response changed, and the subscription updates of the types that depend on it. */
  private record Applied(boolean changed, int removed, List<DiscoveryRequest> updates) {}

  /**
   * Step 2: the valid resources replace their last accepted values (invalid ones keep theirs); a
   * wildcard type drops what the response no longer has; CDS and LDS re-subscribe EDS and RDS.
   */
  private Applied accept(ResourceType type, TypeState t, Decoded d) {
    boolean changed = false;
    int removed = 0;
    for (Map.Entry<String, XdsResource> e : d.valid.entrySet()) {
      XdsResource previous = t.accepted.put(e.getKey(), e.getValue());
      changed |= !e.getValue().equals(previous);
    }
    if (wildcard(type) && !d.unnamedInvalid) {
      List<String> gone = t.accepted.keySet().stream().filter(n -> !d.valid.containsKey(n) && !d.invalidNames.contains(n)).toList();
      gone.forEach(t.accepted::remove);
      removed += gone.size();
    }
    List<DiscoveryRequest> updates = new ArrayList<>();
    if (type == ResourceType.CLUSTER) {
      removed += resubscribe(types.get(ResourceType.ENDPOINT), edsNames(), updates);
    } else if (type == ResourceType.LISTENER) {
      removed += resubscribe(types.get(ResourceType.ROUTE), rdsNames(), updates);
    }
    return new Applied(changed || removed > 0, removed, updates);
  }

  /** The ACK or NACK, and how many times in a row this version was NACKed before. */
  private record Answer(DiscoveryRequest request, int repeated) {}

  /** Step 3: ACK without errors; a NACK carries the last accepted version, the nonce and the errors. */
  private Answer answer(TypeState t, String version, List<String> errors) {
    if (errors.isEmpty()) {
      t.acceptedVersion = version;
      t.nackedVersion = Optional.empty();
      t.nackRepeats = 0;
      return new Answer(request(t, Optional.empty()), 0);
    }
    int repeated = 0;
    if (t.nackedVersion.equals(Optional.of(version))) {
      repeated = ++t.nackRepeats;
    } else {
      t.nackedVersion = Optional.of(version);
      t.nackRepeats = 0;
    }
    return new Answer(request(t, Optional.of(errorDetail(errors))), repeated);
  }

  /** The accepted resources of all four types. */
  XdsSnapshot snapshot() {
    Map<String, ClusterResource> clusters = new HashMap<>();
    Map<String, EndpointResource> endpoints = new HashMap<>();
    Map<String, ListenerResource> listeners = new HashMap<>();
    Map<String, RouteResource> routes = new HashMap<>();
    for (TypeState t : types.values()) {
      for (Map.Entry<String, XdsResource> e : t.accepted.entrySet()) {
        switch (e.getValue()) {
          case ClusterResource c -> clusters.put(e.getKey(), c);
          case EndpointResource c -> endpoints.put(e.getKey(), c);
          case ListenerResource c -> listeners.put(e.getKey(), c);
          case RouteResource c -> routes.put(e.getKey(), c);
        }
      }
    }
    return new XdsSnapshot(clusters, endpoints, listeners, routes);
  }

  /** The last accepted version of {@code type}, "" before any. */
  String acceptedVersion(ResourceType type) {
    return types.get(type).acceptedVersion;
  }

  /** The names {@code type} is subscribed to; empty for the wildcard types. */
  Set<String> subscription(ResourceType type) {
    return Set.copyOf(types.get(type).names);
  }

  /** The request for {@code type} as it stands now, without error detail (a subscription update). */
  DiscoveryRequest currentRequest(ResourceType type) {
    return request(types.get(type), Optional.empty());
  }

  private int resubscribe(TypeState dependent, Set<String> names, List<DiscoveryRequest> updates) {
    if (names.equals(dependent.names)) {
      return 0;
    }
    dependent.names = names;
    List<String> dropped = dependent.accepted.keySet().stream().filter(n -> !names.contains(n)).toList();
    dropped.forEach(dependent.accepted::remove);
    // An empty list unsubscribes; it only needs saying if we asked for something on this stream.
    if (!names.isEmpty() || dependent.requestedOnStream) {
      dependent.requestedOnStream = true;
      updates.add(request(dependent, Optional.empty()));
    }
    return dropped.size();
  }

  private Set<String> edsNames() {
    Set<String> names = new TreeSet<>();
    for (XdsResource r : types.get(ResourceType.CLUSTER).accepted.values()) {
      ((ClusterResource) r).edsServiceName().ifPresent(names::add);
    }
    return names;
  }

  private Set<String> rdsNames() {
    Set<String> names = new TreeSet<>();
    for (XdsResource r : types.get(ResourceType.LISTENER).accepted.values()) {
      names.addAll(((ListenerResource) r).routeNames());
    }
    return names;
  }

  private DiscoveryRequest request(TypeState t, Optional<Status> error) {
    // The node goes on every request, not only the first of a stream: Envoy's default
    // (set_node_on_first_message_only is false), and java-control-plane's cache picks the
    // snapshot of each request by the node it carries.
    DiscoveryRequest.Builder b = DiscoveryRequest.newBuilder()
        .setNode(node)
        .setTypeUrl(t.type.typeUrl())
        .setVersionInfo(t.acceptedVersion)
        .setResponseNonce(t.nonce);
    if (!wildcard(t.type)) {
      b.addAllResourceNames(t.names);
    }
    error.ifPresent(b::setErrorDetail);
    return b.build();
  }

  private static Status errorDetail(List<String> errors) {
    StringBuilder message = new StringBuilder();
    int shown = Math.min(errors.size(), MAX_REASONS_PER_NACK);
    for (int i = 0; i < shown; i++) {
      message.append(i == 0 ? "" : "; ").append(errors.get(i));
    }
    if (errors.size() > shown) {
      message.append("; and ").append(errors.size() - shown).append(" more");
    }
    return Status.newBuilder().setCode(Code.INVALID_ARGUMENT_VALUE).setMessage(message.toString()).build();
  }

  private static boolean wildcard(ResourceType type) {
    return type == ResourceType.CLUSTER || type == ResourceType.LISTENER;
  }

  private static final class TypeState {
    final ResourceType type;
    final Map<String, XdsResource> accepted = new HashMap<>();
    String acceptedVersion = "";
    String nonce = "";
    Set<String> names = Set.of();
    boolean requestedOnStream;
    Optional<String> nackedVersion = Optional.empty();
    int nackRepeats;

    TypeState(ResourceType type) {
      this.type = type;
    }
  }
}
