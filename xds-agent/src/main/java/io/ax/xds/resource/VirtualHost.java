package io.ax.xds.resource;

import java.util.List;
import java.util.Objects;

/**
 * A virtual host of a route configuration. Istio names it {@code HOST:PORT} and lists as domains
 * the host's short names and the service's cluster IP ({@code 10.96.36.43},
 * {@code 10.96.36.43:9080}).
 *
 * @param routes in match order; the first route that matches a request wins
 */
public record VirtualHost(String name, List<String> domains, List<Route> routes) {
  public VirtualHost {
    Objects.requireNonNull(name, "name");
    domains = List.copyOf(domains);
    routes = List.copyOf(routes);
  }
}
