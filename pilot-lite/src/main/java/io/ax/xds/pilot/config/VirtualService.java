package io.ax.xds.pilot.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/** An Istio {@code VirtualService}: HTTP routes (matches kept, weighted destinations) and TCP routes. */
public record VirtualService(Meta meta, List<String> hosts, List<HttpRoute> http, List<TcpRoute> tcp) implements ConfigObject {
  public VirtualService {
    Objects.requireNonNull(meta, "meta");
    hosts = List.copyOf(hosts);
    http = List.copyOf(http);
    tcp = List.copyOf(tcp);
  }

  /** One {@code http} entry: it applies when any of its matches does (or always, with none). */
  public record HttpRoute(Optional<String> name, List<HttpMatch> match, List<Destination> route) {
    public HttpRoute {
      Objects.requireNonNull(name, "name");
      match = List.copyOf(match);
      route = List.copyOf(route);
    }
  }

  /** One {@code match} entry: all of its conditions must hold. */
  public record HttpMatch(Optional<StringMatch> uri, Map<String, StringMatch> headers, OptionalInt port) {
    public HttpMatch {
      Objects.requireNonNull(uri, "uri");
      headers = Map.copyOf(headers);
      Objects.requireNonNull(port, "port");
    }
  }

  /** Istio's StringMatch. */
  public sealed interface StringMatch {
    String value();

    record Exact(String value) implements StringMatch {}

    record Prefix(String value) implements StringMatch {}

    record Regex(String value) implements StringMatch {}
  }

  /**
   * A route destination.
   *
   * @param host as written; short names resolve against the VirtualService's namespace
   * @param weight percent of the traffic; 0 when not given (then it is the only destination)
   */
  public record Destination(String host, Optional<String> subset, OptionalInt port, int weight) {
    public Destination {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(subset, "subset");
      Objects.requireNonNull(port, "port");
    }
  }

  /** One {@code tcp} entry: for the listed ports (any port when empty). */
  public record TcpRoute(List<Integer> matchPorts, List<Destination> route) {
    public TcpRoute {
      matchPorts = List.copyOf(matchPorts);
      route = List.copyOf(route);
    }
  }
}
