package io.ax.xds.resource;

/**
 * Hard limits on what one resource may hold. Resources come off the network from a control
 * plane; a resource beyond a limit is refused (NACKed) rather than held. Each value is far above
 * what istiod sends for a large mesh.
 */
final class Limits {
  private Limits() {}

  /** Istio names are {@code outbound|PORT|SUBSET|HOST}: a DNS host (253) plus a subset name. */
  static final int MAX_NAME = 1024;
  /** Endpoints of one cluster: a Kubernetes Service has at most a few thousand pods. */
  static final int MAX_ENDPOINTS = 100_000;
  /** istiod's "80" route configuration holds a virtual host per HTTP service on port 80. */
  static final int MAX_VIRTUAL_HOSTS = 100_000;
  /** Istio writes every domain form of a host: about ten per virtual host. */
  static final int MAX_DOMAINS = 1_000;
  /** A VirtualService with many match clauses becomes as many routes. */
  static final int MAX_ROUTES = 10_000;
  /** Istio's virtualInbound listener holds a few chains per inbound port. */
  static final int MAX_FILTER_CHAINS = 10_000;
  static final int MAX_FILTERS = 100;
  static final int MAX_WEIGHTED_CLUSTERS = 1_000;
}
