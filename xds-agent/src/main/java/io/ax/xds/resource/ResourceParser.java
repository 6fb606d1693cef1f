package io.ax.xds.resource;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.io.IOException;
import java.util.Objects;

/**
 * Decodes and validates xDS resources into {@link XdsResource} records: one parser per type
 * ({@code ClusterParser}, {@code EndpointParser}, {@code ListenerParser}, {@code RouteParser},
 * whose javadoc lists the rules). A resource that breaks a rule raises a checked
 * {@link InvalidResourceException} naming the resource and the rule; it never affects other
 * resources, since each call parses one. Things that are valid but that ax cannot apply (IPv6
 * endpoints, header matches, retries...) are kept in the records for translation to report.
 *
 * <p>Stateless and thread-safe.
 */
public final class ResourceParser {
  private ResourceParser() {}

  /** Field 1, length-delimited: (1 << 3) | 2. */
  private static final int NAME_TAG = 10;

  private static final String WRAPPED = "type.googleapis.com/" + Resource.getDescriptor().getFullName();

  /**
   * Parses one resource of a discovery response. A resource wrapped in
   * {@code envoy.service.discovery.v3.Resource} is unwrapped first.
   *
   * @throws InvalidResourceException when its type URL is not {@code type}'s, it does not decode,
   *     or it fails validation
   */
  public static XdsResource parse(ResourceType type, Any resource) throws InvalidResourceException {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(resource, "resource");
    Any any = resource;
    if (any.getTypeUrl().equals(WRAPPED)) {
      try {
        any = Resource.parseFrom(any.getValue()).getResource();
      } catch (InvalidProtocolBufferException e) {
        throw new InvalidResourceException(type, "", "wrapped resource does not decode: " + e.getMessage());
      }
    }
    if (!any.getTypeUrl().equals(type.typeUrl())) {
      throw new InvalidResourceException(type, nameOf(any.getValue()), "type URL '" + any.getTypeUrl() + "' is not " + type.typeUrl());
    }
    try {
      return switch (type) {
        case CLUSTER -> parseCluster(Cluster.parseFrom(any.getValue()));
        case ENDPOINT -> parseEndpoints(ClusterLoadAssignment.parseFrom(any.getValue()));
        case LISTENER -> parseListener(Listener.parseFrom(any.getValue()));
        case ROUTE -> parseRoute(RouteConfiguration.parseFrom(any.getValue()));
      };
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidResourceException(type, nameOf(any.getValue()), "does not decode as " + type.typeUrl() + ": " + e.getMessage());
    }
  }

  public static ClusterResource parseCluster(Cluster cluster) throws InvalidResourceException {
    return ClusterParser.parse(Objects.requireNonNull(cluster, "cluster"));
  }

  public static EndpointResource parseEndpoints(ClusterLoadAssignment assignment) throws InvalidResourceException {
    return EndpointParser.parse(Objects.requireNonNull(assignment, "assignment"));
  }

  public static ListenerResource parseListener(Listener listener) throws InvalidResourceException {
    return ListenerParser.parse(Objects.requireNonNull(listener, "listener"));
  }

  public static RouteResource parseRoute(RouteConfiguration routes) throws InvalidResourceException {
    return RouteParser.parse(Objects.requireNonNull(routes, "routes"));
  }

  /**
   * The name of a resource that does not decode, for the error: field 1 is the name (or
   * cluster_name) in all four types. Empty when even that cannot be read.
   */
  static String nameOf(ByteString bytes) {
    try {
      CodedInputStream in = bytes.newCodedInput();
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (tag == NAME_TAG) {
          String name = in.readStringRequireUtf8();
          return EndpointParser.abbreviate(name);
        }
        if (!in.skipField(tag)) {
          break;
        }
      }
    } catch (IOException | RuntimeException e) {
      // the bytes are broken before the name; there is no name to give
    }
    return "";
  }
}
