package io.ax.core.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.ax.admin.v1.ListAppsResponse;
import io.ax.admin.v1.ListNodesResponse;
import io.ax.admin.v1.ListProxiesResponse;
import io.ax.admin.v1.ListServersResponse;
import io.ax.admin.v1.ListSocketsResponse;
import io.ax.admin.v1.ListVServicesResponse;
import io.ax.core.field.InvalidFieldException;
import io.ax.core.model.NodeInfo;
import io.ax.core.model.ProxyInfo;
import io.ax.core.model.VService;
import io.ax.core.proto.Protos;
import io.ax.core.state.DataplaneState;
import io.ax.core.state.DataplaneStore;
import io.ax.core.state.ResourceException;
import io.ax.core.state.StateWriteException;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API, AppSwitch's paths under {@code /appswitch/v1}, as a function from (method, path,
 * body) to a response, apart from the HTTP server so it can be tested directly:
 *
 * <ul>
 *   <li>{@code POST oper/createvirtualservice}: AppSwitch's body (see {@link VServiceJson});
 *       answers {@code {"name":..,"result":true,"details":"Success","portmap":null}}
 *   <li>{@code POST oper/deletevirtualservice} with {@code {"name":..}}, or
 *       {@code DELETE vservices/NAME}
 *   <li>{@code GET apps|servers|sockets|vservices|nodes|proxies}, and {@code GET vservices/NAME}:
 *       the admin API's messages as JSON with snake_case names, as {@code ax get -o json} prints
 * </ul>
 *
 * Every error is a 4xx or 5xx with {@code {"result":false,"details":..,"field":..}}; no stack
 * trace leaves the daemon.
 *
 * <p>Thread-safe: it holds only final references (the mapper is configured once, then only
 * read), each request reads one immutable snapshot, and every write is serialised by the store.
 */
public final class RestApi {
  private static final Logger log = LoggerFactory.getLogger(RestApi.class);
  static final String PREFIX = "/appswitch/v1/";

  private final DataplaneStore store;
  private final Function<DataplaneState, Map<String, NodeInfo>> nodes;
  private final Supplier<Map<String, ProxyInfo>> proxies;
  private final ObjectMapper mapper;
  private final JsonFormat.Printer printer = JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();

  public RestApi(DataplaneStore store, Function<DataplaneState, Map<String, NodeInfo>> nodes, Supplier<Map<String, ProxyInfo>> proxies) {
    this.store = Objects.requireNonNull(store, "store");
    this.nodes = Objects.requireNonNull(nodes, "nodes");
    this.proxies = Objects.requireNonNull(proxies, "proxies");
    // Strict reading: trailing data or a repeated key would make the request ambiguous.
    this.mapper = new ObjectMapper()
        .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    // Bodies are capped by the server; cap the shapes inside them too.
    mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).maxStringLength(4096).build());
  }

  public RestResponse handle(String method, String rawPath, byte[] body) {
    String path = stripQuery(rawPath);
    try {
      if (!path.startsWith(PREFIX)) {
        return error(404, null, null, "no such resource: " + path + " (the API lives under " + PREFIX + ")");
      }
      String rest = path.substring(PREFIX.length());
      return switch (method) {
        case "GET" -> get(rest);
        case "POST" -> post(rest, body);
        case "DELETE" -> delete(rest);
        default -> error(405, null, null, "method " + method + " is not allowed (expected GET, POST or DELETE)");
      };
    } catch (InvalidFieldException e) {
      return error(400, null, e.field(), e.getMessage());
    } catch (ResourceException e) {
      int status = switch (e.kind()) {
        case NOT_FOUND -> 404;
        case ALREADY_EXISTS, CONFLICT -> 409;
      };
      return error(status, null, null, e.getMessage());
    } catch (StateWriteException e) {
      log.error("[rest] {} {}: {}", method, path, e.getMessage());
      return error(503, null, null, e.getMessage());
    } catch (RuntimeException e) {
      log.error("[rest] {} {} failed", method, path, e);
      return error(500, null, null, "internal error; the daemon log has the details");
    }
  }

  private RestResponse get(String resource) {
    DataplaneState s = store.current();
    return switch (resource) {
      case "apps" -> ok(ListAppsResponse.newBuilder().addAllApps(s.apps().values().stream().map(Protos::app).toList()));
      case "servers" -> ok(ListServersResponse.newBuilder().addAllServers(s.servers().values().stream().map(Protos::server).toList()));
      case "sockets" -> ok(ListSocketsResponse.newBuilder().addAllSockets(s.sockets().values().stream().map(Protos::socket).toList()));
      case "vservices" -> ok(ListVServicesResponse.newBuilder().addAllVservices(s.vservices().values().stream().map(Protos::vservice).toList()));
      case "nodes" -> ok(ListNodesResponse.newBuilder().addAllNodes(nodes.apply(s).values().stream().map(Protos::node).toList()));
      case "proxies" -> ok(ListProxiesResponse.newBuilder().addAllProxies(proxies.get().values().stream().map(Protos::proxy).toList()));
      default -> {
        if (resource.startsWith("vservices/")) {
          String name = resource.substring("vservices/".length());
          VService vs = s.vservices().get(name);
          yield vs == null ? error(404, name, null, "vservice '" + name + "' not found") : ok(Protos.vservice(vs));
        }
        yield error(404, null, null, "no such resource: " + PREFIX + resource);
      }
    };
  }

  private RestResponse post(String operation, byte[] body) {
    return switch (operation) {
      case "oper/createvirtualservice" -> {
        JsonNode request = json(body);
        VService vs = VServiceJson.parse(request);
        store.createVService(vs, VServiceJson.force(request));
        log.info("[rest] created vservice {} at {} ({})", vs.name(), vs.ip(), vs.policy().displayName());
        yield result(200, vs.name());
      }
      case "oper/deletevirtualservice" -> {
        JsonNode n = json(body);
        JsonNode name = n.get("name");
        if (name == null || !name.isTextual()) {
          throw new InvalidFieldException("name", "a vservice name string is required");
        }
        yield deleteVService(name.asText());
      }
      default -> error(404, null, null, "no such operation: " + PREFIX + operation);
    };
  }

  private RestResponse delete(String resource) {
    if (resource.startsWith("vservices/") && resource.length() > "vservices/".length()) {
      return deleteVService(resource.substring("vservices/".length()));
    }
    return error(405, null, null, "DELETE is only for " + PREFIX + "vservices/NAME");
  }

  private RestResponse deleteVService(String name) {
    store.deleteVService(name);
    log.info("[rest] deleted vservice {}", name);
    return result(200, name);
  }

  private JsonNode json(byte[] body) {
    if (body.length == 0) {
      throw new InvalidFieldException("body", "a JSON body is required");
    }
    try {
      return mapper.readTree(body);
    } catch (JsonProcessingException e) {
      throw new InvalidFieldException("body", "not valid JSON: " + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw new InvalidFieldException("body", "unreadable: " + e.getMessage());
    }
  }

  private RestResponse ok(MessageOrBuilder message) {
    try {
      return new RestResponse(200, printer.print(message));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print " + message.getClass().getSimpleName(), e);
    }
  }

  /** AppSwitch's success shape. */
  private RestResponse result(int status, String name) {
    ObjectNode n = mapper.createObjectNode();
    n.put("name", name);
    n.put("result", true);
    n.put("details", "Success");
    n.putNull("portmap");
    return new RestResponse(status, n.toString());
  }

  private RestResponse error(int status, String name, String field, String details) {
    ObjectNode n = mapper.createObjectNode();
    n.put("name", name);
    n.put("result", false);
    n.put("details", details);
    if (field != null) {
      n.put("field", field);
    }
    return new RestResponse(status, n.toString());
  }

  private static String stripQuery(String path) {
    int q = path.indexOf('?');
    return q < 0 ? path : path.substring(0, q);
  }
}
