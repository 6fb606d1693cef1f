package io.ax.core.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.ax.core.field.InvalidFieldException;
import io.ax.core.lb.LbPolicy;
import io.ax.core.lb.OutlierDetection;
import io.ax.core.model.Backend;
import io.ax.core.model.PortMapping;
import io.ax.core.model.Resilience;
import io.ax.core.model.VService;
import io.ax.core.net.Ipv4;
import io.ax.core.net.Ports;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Reads AppSwitch's {@code createvirtualservice} body:
 *
 * <pre>{"name":"external","ip":"1.1.1.1","type":"Random","backendips":["10.0.0.5"],
 *  "extports":[{"extport":31111,"appport":9080}]}</pre>
 *
 * Strict, because a typo silently ignored is worse than a refusal: unknown fields and wrong JSON
 * types are errors naming the field ({@code extports[0].appport}). {@code extports} make the
 * vservice external (exposed on each extport on every node), as AppSwitch did; {@code ports},
 * with the same shape, maps ports for mesh clients only. ax's own optional fields set the
 * vservice's resilience: {@code connecttimeoutms}, {@code maxconnections}, {@code outlierfailures},
 * {@code outlierejectionms}, {@code outliermaxpercent} (as {@code ax create vservice}'s flags).
 * Stateless: pure functions of their arguments, safe on any thread.
 */
final class VServiceJson {
  private static final Set<String> FIELDS = Set.of(
      "name", "ip", "type", "backendips", "extports", "ports", "sourceip", "force",
      "connecttimeoutms", "maxconnections", "outlierfailures", "outlierejectionms", "outliermaxpercent");
  private static final Set<String> PORT_FIELDS = Set.of("extport", "appport");

  private VServiceJson() {}

  static VService parse(JsonNode body) {
    if (!body.isObject()) {
      throw new InvalidFieldException("body", "expected a JSON object");
    }
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!FIELDS.contains(f)) {
        throw new InvalidFieldException(f, "unknown field (expected one of " + String.join(", ", new java.util.TreeSet<>(FIELDS)) + ")");
      }
    }
    String name = requiredString(body, "name");
    Ipv4 ip = Ipv4.parse("ip", requiredString(body, "ip"));
    LbPolicy policy = body.has("type") ? LbPolicy.parse("type", string(body.get("type"), "type")) : LbPolicy.RANDOM;
    List<Backend> backends = new ArrayList<>();
    JsonNode ips = array(body, "backendips");
    for (int i = 0; i < ips.size(); i++) {
      String f = "backendips[" + i + "]";
      backends.add(Backend.parse(f, string(ips.get(i), f)));
    }
    List<PortMapping> ports = new ArrayList<>();
    JsonNode ext = array(body, "extports");
    ports.addAll(portList(ext, "extports"));
    ports.addAll(portList(array(body, "ports"), "ports"));
    Optional<Ipv4> source = body.has("sourceip") && !string(body.get("sourceip"), "sourceip").isEmpty()
        ? Optional.of(Ipv4.parse("sourceip", body.get("sourceip").asText()))
        : Optional.empty();
    VService.Exposure exposure = ext.isEmpty() ? VService.Exposure.INTERNAL : VService.Exposure.EXTERNAL;
    try {
      return new VService(name, ip, ports, backends, policy, exposure, source).withResilience(resilience(body));
    } catch (InvalidFieldException e) {
      throw e.field().equals("ports") ? e.renamed(ext.isEmpty() ? "ports" : "extports") : e;
    }
  }

  private static Resilience resilience(JsonNode body) {
    OptionalLong timeout = optInt(body, "connecttimeoutms", Resilience.MAX_CONNECT_TIMEOUT.toMillis());
    OptionalLong max = optInt(body, "maxconnections", Integer.MAX_VALUE);
    OptionalLong failures = optInt(body, "outlierfailures", Integer.MAX_VALUE);
    OptionalLong ejection = optInt(body, "outlierejectionms", OutlierDetection.MAX_EJECTION_TIME.toMillis());
    OptionalLong percent = optInt(body, "outliermaxpercent", 100);
    if (failures.isEmpty() && (ejection.isPresent() || percent.isPresent())) {
      throw new InvalidFieldException(ejection.isPresent() ? "outlierejectionms" : "outliermaxpercent", "configures outlier detection; give outlierfailures too");
    }
    Optional<OutlierDetection> outlier = failures.isEmpty() ? Optional.empty() : Optional.of(new OutlierDetection((int) failures.getAsLong(),
        ejection.isPresent() ? Duration.ofMillis(ejection.getAsLong()) : OutlierDetection.DEFAULT_BASE_EJECTION_TIME,
        percent.isPresent() ? (int) percent.getAsLong() : OutlierDetection.DEFAULT_MAX_EJECTION_PERCENT));
    return new Resilience(timeout.isPresent() ? Optional.of(Duration.ofMillis(timeout.getAsLong())) : Optional.empty(),
        max.isPresent() ? OptionalInt.of((int) max.getAsLong()) : OptionalInt.empty(), outlier);
  }

  /** An optional whole number 1 to {@code max}. */
  private static OptionalLong optInt(JsonNode body, String field, long max) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return OptionalLong.empty();
    }
    if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 1 || n.asLong() > max) {
      throw new InvalidFieldException(field, "expected a whole number 1-" + max + ", got " + describe(n));
    }
    return OptionalLong.of(n.asLong());
  }

  private static List<PortMapping> portList(JsonNode list, String field) {
    List<PortMapping> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String f = field + "[" + i + "]";
      JsonNode p = list.get(i);
      if (!p.isObject()) {
        throw new InvalidFieldException(f, "expected an object {\"extport\": N, \"appport\": N}");
      }
      for (Iterator<String> it = p.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        if (!PORT_FIELDS.contains(name)) {
          throw new InvalidFieldException(f + "." + name, "unknown field (expected extport and appport)");
        }
      }
      int ext = port(p, f + ".extport", "extport");
      int app = p.has("appport") ? port(p, f + ".appport", "appport") : ext;
      out.add(new PortMapping(ext, app));
    }
    return out;
  }

  private static int port(JsonNode parent, String field, String key) {
    JsonNode n = parent.get(key);
    if (n == null || n.isNull()) {
      throw new InvalidFieldException(field, "a port is required");
    }
    if (!n.isIntegralNumber() || !n.canConvertToLong()) {
      throw new InvalidFieldException(field, "expected an integer port, got " + describe(n));
    }
    return Ports.check(field, n.asLong());
  }

  private static JsonNode array(JsonNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
    }
    if (!n.isArray()) {
      throw new InvalidFieldException(field, "expected an array, got " + describe(n));
    }
    return n;
  }

  private static String requiredString(JsonNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      throw new InvalidFieldException(field, "is required");
    }
    return string(n, field);
  }

  /** ax's {@code "force": true}: create it over live apps' vIP:vport (see {@code DataplaneStore.createVService}). */
  static boolean force(JsonNode body) {
    JsonNode f = body.get("force");
    if (f == null || f.isNull()) {
      return false;
    }
    if (!f.isBoolean()) {
      throw new InvalidFieldException("force", "expected true or false");
    }
    return f.asBoolean();
  }

  private static String string(JsonNode n, String field) {
    if (!n.isTextual()) {
      throw new InvalidFieldException(field, "expected a string, got " + describe(n));
    }
    return n.asText();
  }

  private static String describe(JsonNode n) {
    return switch (n.getNodeType()) {
      case NUMBER -> "the number " + n;
      case BOOLEAN -> "the boolean " + n;
      case STRING -> "the string " + n;
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case NULL -> "null";
      default -> n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    };
  }
}
