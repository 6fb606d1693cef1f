package io.ax.xds.resource;

import java.util.List;
import java.util.Objects;

/**
 * What a route matches on.
 *
 * @param headers the names of the headers it matches (e.g. {@code end-user})
 * @param queryParameters the names of the query parameters it matches
 * @param otherConditions other conditions by their field name: {@code grpc}, {@code runtime_fraction},
 *     {@code tls_context}, {@code dynamic_metadata}, {@code filter_state}
 */
public record RouteMatch(PathMatch path, List<String> headers, List<String> queryParameters, List<String> otherConditions) {
  public RouteMatch {
    Objects.requireNonNull(path, "path");
    headers = List.copyOf(headers);
    queryParameters = List.copyOf(queryParameters);
    otherConditions = List.copyOf(otherConditions);
  }

  /**
   * Whether every request matches: a prefix of "" or "/" and no other condition. Only such a
   * route decides where a connection goes, since ax chooses before any request is sent.
   */
  public boolean catchesAll() {
    return path instanceof PathMatch.Prefix(String p)
        && (p.isEmpty() || p.equals("/"))
        && headers.isEmpty()
        && queryParameters.isEmpty()
        && otherConditions.isEmpty();
  }
}
