package io.ax.xds.translate;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import io.ax.xds.resource.ClusterResource;
import io.ax.xds.resource.EndpointResource;
import io.ax.xds.resource.InvalidResourceException;
import io.ax.xds.resource.ListenerResource;
import io.ax.xds.resource.ResourceParser;
import io.ax.xds.resource.ResourceType;
import io.ax.xds.resource.RouteResource;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.load_balancing_policies.client_side_weighted_round_robin.v3.ClientSideWeightedRoundRobin;
import io.envoyproxy.envoy.extensions.load_balancing_policies.cluster_provided.v3.ClusterProvided;
import io.envoyproxy.envoy.extensions.load_balancing_policies.least_request.v3.LeastRequest;
import io.envoyproxy.envoy.extensions.load_balancing_policies.maglev.v3.Maglev;
import io.envoyproxy.envoy.extensions.load_balancing_policies.random.v3.Random;
import io.envoyproxy.envoy.extensions.load_balancing_policies.ring_hash.v3.RingHash;
import io.envoyproxy.envoy.extensions.load_balancing_policies.round_robin.v3.RoundRobin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads an Envoy admin config dump ({@code /config_dump}: v3 JSON, snake_case or lowerCamelCase)
 * into an {@link XdsSnapshot} through the same {@link ResourceParser} the ADS client uses. It
 * takes the {@code configs} array of {@code envoy.admin.v3.*ConfigDump} (static and dynamic
 * clusters, endpoint configs, listeners' active state, route configs) or a file that is one such
 * dump (e.g. a lone EndpointsConfigDump). Typed extensions the agent does not know (Istio's
 * filters, TLS contexts...) are read as opaque structs, so they never fail the file; a resource
 * that does not parse or validate is skipped with a note. A dump of Envoy v2 resources is refused.
 *
 * <p>Stateless and thread-safe.
 */
public final class ConfigDumps {
  private ConfigDumps() {}

  /** A dump of a 10,000-service mesh is tens of megabytes; this bounds what is read into memory. */
  public static final long MAX_BYTES = 512L * 1024 * 1024;

  private static final String TYPE_PREFIX = "type.googleapis.com/";
  private static final String ADMIN_V3 = "envoy.admin.v3.";
  private static final String STRUCT_URL = TYPE_PREFIX + Struct.getDescriptor().getFullName();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The resource messages and every typed config whose type translation looks at, with their dependencies. */
  private static final JsonFormat.TypeRegistry TYPES = registry(
      Cluster.getDescriptor(), ClusterLoadAssignment.getDescriptor(), Listener.getDescriptor(), RouteConfiguration.getDescriptor(),
      HttpConnectionManager.getDescriptor(), TcpProxy.getDescriptor(), Router.getDescriptor(), Struct.getDescriptor(),
      RoundRobin.getDescriptor(), LeastRequest.getDescriptor(), Random.getDescriptor(), RingHash.getDescriptor(), Maglev.getDescriptor(),
      ClusterProvided.getDescriptor(), ClientSideWeightedRoundRobin.getDescriptor());
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().usingTypeRegistry(TYPES).ignoringUnknownFields();

  /** The resources of a dump, and one line for each it had to skip. */
  public record ConfigDump(XdsSnapshot snapshot, List<String> notes) {
    public ConfigDump {
      Objects.requireNonNull(snapshot, "snapshot");
      notes = List.copyOf(notes);
    }
  }

  /** Reads {@code file}; every failure is one line naming the file and what was expected. */
  public static ConfigDump read(Path file) throws ConfigDumpException {
    Objects.requireNonNull(file, "file");
    JsonNode root;
    try {
      long size = Files.size(file);
      if (size > MAX_BYTES) {
        throw new ConfigDumpException("config dump " + file + " is " + size + " bytes, more than the limit of " + MAX_BYTES);
      }
      root = JSON.readTree(file.toFile());
    } catch (NoSuchFileException e) {
      throw new ConfigDumpException("config dump " + file + " does not exist", e);
    } catch (JacksonException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw new ConfigDumpException("config dump " + file + " is not JSON" + where + ": " + e.getOriginalMessage().lines().findFirst().orElse("")
          + " (expected the JSON of Envoy's /config_dump)", e);
    } catch (IOException e) {
      throw new ConfigDumpException("cannot read config dump " + file + ": " + e.getMessage(), e);
    }
    return fromJson(root, file.toString());
  }

  /** Reads a dump already in memory; {@code source} names it in messages. */
  public static ConfigDump parse(String json, String source) throws ConfigDumpException {
    try {
      return fromJson(JSON.readTree(json), source);
    } catch (JacksonException e) {
      throw new ConfigDumpException("config dump " + source + " is not JSON: " + e.getOriginalMessage().lines().findFirst().orElse(""), e);
    }
  }

  private static ConfigDump fromJson(JsonNode root, String source) throws ConfigDumpException {
    Reader r = new Reader(source);
    if (root instanceof ObjectNode o && o.get("configs") instanceof ArrayNode configs) {
      for (JsonNode c : configs) {
        r.config(c);
      }
    } else if (root instanceof ObjectNode o && o.path("@type").asText().contains("ConfigDump")) {
      r.config(o);
    } else {
      throw new ConfigDumpException(source + " is not an Envoy config dump (expected a JSON object with a \"configs\" array"
          + " of envoy.admin.v3 ConfigDumps, as Envoy's /config_dump writes)");
    }
    if (r.configs == 0) {
      throw new ConfigDumpException(source + " holds no cluster, endpoint, listener or route dump (expected envoy.admin.v3 ClustersConfigDump,"
          + " EndpointsConfigDump, ListenersConfigDump or RoutesConfigDump in \"configs\")");
    }
    if (r.unnamedStatic > 0) {
      r.notes.add("skipped " + r.unnamedStatic + " unnamed static resource(s) of Envoy's bootstrap (health and stats listeners); istiod sends none of them");
    }
    return new ConfigDump(new XdsSnapshot(r.clusters, r.endpoints, r.listeners, r.routes), r.notes);
  }

  /** Where a dump section's resources come from: Envoy's bootstrap, or xDS. */
  private enum Origin {
    STATIC,
    DYNAMIC
  }

  /** One reading: what it has collected so far. */
  private static final class Reader {
    private final String source;
    private final Map<String, ClusterResource> clusters = new LinkedHashMap<>();
    private final Map<String, EndpointResource> endpoints = new LinkedHashMap<>();
    private final Map<String, ListenerResource> listeners = new LinkedHashMap<>();
    private final Map<String, RouteResource> routes = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private int configs;
    private int unnamedStatic;

    Reader(String source) {
      this.source = source;
    }

    void config(JsonNode config) throws ConfigDumpException {
      String type = config.path("@type").asText();
      if (type.startsWith(TYPE_PREFIX + "envoy.admin.v2")) {
        throw v2(type.substring(TYPE_PREFIX.length()));
      }
      if (!type.startsWith(TYPE_PREFIX + ADMIN_V3)) {
        return;
      }
      switch (type.substring(TYPE_PREFIX.length() + ADMIN_V3.length())) {
        case "ClustersConfigDump" -> {
          configs++;
          for (JsonNode c : field(config, "static_clusters")) {
            resource(ResourceType.CLUSTER, field(c, "cluster"), Origin.STATIC);
          }
          for (JsonNode c : field(config, "dynamic_active_clusters")) {
            resource(ResourceType.CLUSTER, field(c, "cluster"), Origin.DYNAMIC);
          }
        }
        case "EndpointsConfigDump" -> {
          configs++;
          for (JsonNode e : field(config, "static_endpoint_configs")) {
            resource(ResourceType.ENDPOINT, field(e, "endpoint_config"), Origin.STATIC);
          }
          for (JsonNode e : field(config, "dynamic_endpoint_configs")) {
            resource(ResourceType.ENDPOINT, field(e, "endpoint_config"), Origin.DYNAMIC);
          }
        }
        case "ListenersConfigDump" -> {
          configs++;
          for (JsonNode l : field(config, "static_listeners")) {
            resource(ResourceType.LISTENER, field(l, "listener"), Origin.STATIC);
          }
          for (JsonNode l : field(config, "dynamic_listeners")) {
            resource(ResourceType.LISTENER, field(field(l, "active_state"), "listener"), Origin.DYNAMIC);
          }
        }
        case "RoutesConfigDump" -> {
          configs++;
          for (JsonNode rc : field(config, "static_route_configs")) {
            resource(ResourceType.ROUTE, field(rc, "route_config"), Origin.STATIC);
          }
          for (JsonNode rc : field(config, "dynamic_route_configs")) {
            resource(ResourceType.ROUTE, field(rc, "route_config"), Origin.DYNAMIC);
          }
        }
        default -> {
          // bootstrap, secrets, scoped routes...: nothing translation uses
        }
      }
    }

    private void resource(ResourceType type, JsonNode node, Origin origin) throws ConfigDumpException {
      if (!(node instanceof ObjectNode o)) {
        return; // e.g. a dynamic listener that has only a warming or draining state
      }
      String url = o.path("@type").asText();
      if (url.startsWith(TYPE_PREFIX + "envoy.api.v2.")) {
        throw v2(url.substring(TYPE_PREFIX.length()));
      }
      String name = o.path(type == ResourceType.ENDPOINT ? "cluster_name" : "name").asText(o.path("clusterName").asText(""));
      if (!url.isEmpty() && !url.equals(type.typeUrl())) {
        notes.add("skipped a " + type.shortName() + " resource '" + name + "' of type " + url + " (expected " + type.typeUrl() + ")");
        return;
      }
      if (origin == Origin.STATIC && name.isEmpty()) {
        // Envoy's bootstrap may leave its own listeners (and their inline routes) unnamed; istiod never sends those.
        unnamedStatic++;
        return;
      }
      ObjectNode copy = o.deepCopy();
      copy.remove("@type");
      opaqueUnknownTypes(copy);
      try {
        switch (type) {
          case CLUSTER -> put(clusters, ResourceParser.parseCluster(merge(copy, Cluster.newBuilder())));
          case ENDPOINT -> put(endpoints, ResourceParser.parseEndpoints(merge(copy, ClusterLoadAssignment.newBuilder())));
          case LISTENER -> put(listeners, ResourceParser.parseListener(merge(copy, Listener.newBuilder())));
          case ROUTE -> put(routes, ResourceParser.parseRoute(merge(copy, RouteConfiguration.newBuilder())));
        }
      } catch (InvalidProtocolBufferException e) {
        notes.add("skipped " + type.shortName() + " resource '" + name + "': it does not parse as " + type.typeUrl() + ": " + e.getMessage());
      } catch (InvalidResourceException e) {
        notes.add("skipped " + e.getMessage());
      }
    }

    private ConfigDumpException v2(String type) {
      return new ConfigDumpException("config dump " + source + " holds Envoy v2 resources (" + type + "); ax reads v3 (Istio 1.5 and later)");
    }
  }

  private static <T extends io.ax.xds.resource.XdsResource> void put(Map<String, T> into, T r) {
    into.put(r.name(), r);
  }

  @SuppressWarnings("unchecked")
  private static <M extends Message> M merge(ObjectNode json, Message.Builder builder) throws InvalidProtocolBufferException {
    PARSER.merge(json.toString(), builder);
    return (M) builder.build();
  }

  /**
   * Replaces every {@code Any} whose type the registry lacks with a Struct of the same fields:
   * JsonFormat fails on an Any it cannot resolve, and translation needs none of them.
   */
  private static void opaqueUnknownTypes(JsonNode node) {
    if (node instanceof ObjectNode o) {
      JsonNode type = o.get("@type");
      if (type != null && type.isTextual() && TYPES.find(type.asText().substring(type.asText().lastIndexOf('/') + 1)) == null) {
        ObjectNode value = o.deepCopy();
        value.remove("@type");
        o.removeAll();
        o.put("@type", STRUCT_URL);
        o.set("value", value);
        return;
      }
      for (Iterator<JsonNode> it = o.elements(); it.hasNext(); ) {
        opaqueUnknownTypes(it.next());
      }
    } else if (node instanceof ArrayNode a) {
      for (JsonNode e : a) {
        opaqueUnknownTypes(e);
      }
    }
  }

  /** A field by its proto name, or by the lowerCamelCase name JsonFormat prints by default. */
  private static JsonNode field(JsonNode node, String snake) {
    JsonNode v = node.get(snake);
    if (v != null) {
      return v;
    }
    StringBuilder camel = new StringBuilder(snake.length());
    boolean up = false;
    for (char c : snake.toCharArray()) {
      if (c == '_') {
        up = true;
      } else {
        camel.append(up ? Character.toUpperCase(c) : c);
        up = false;
      }
    }
    return node.path(camel.toString());
  }

  private static JsonFormat.TypeRegistry registry(Descriptor... types) {
    JsonFormat.TypeRegistry.Builder b = JsonFormat.TypeRegistry.newBuilder();
    for (Descriptor d : types) {
      b.add(d);
    }
    return b.build();
  }
}
