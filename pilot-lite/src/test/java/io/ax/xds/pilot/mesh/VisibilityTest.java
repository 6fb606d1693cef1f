package io.ax.xds.pilot.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ax.xds.pilot.Fixtures;
import io.ax.xds.pilot.config.ConfigException;
import io.ax.xds.pilot.config.LoadBalancer;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Istio's precedence and visibility: exportTo on Services, ServiceEntries, DestinationRules and
 * VirtualServices, the DestinationRule lookup (client namespace, service namespace, root namespace;
 * exact before wildcard), and port-level policies that replace the rule-level one.
 */
class VisibilityTest {
  private static final String RATINGS = "ratings.shop.svc.cluster.local";

  private static final String SERVICE = """
      apiVersion: v1
      kind: Service
      metadata:
        name: ratings
        namespace: shop
      spec:
        ports:
        - name: http
          port: 9080
        - name: tcp
          port: 9090
      """;

  private static String rule(String name, String namespace, String host, String lb, String extra) {
    return """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata:
          name: %s
          namespace: %s
        spec:
          host: "%s"
          trafficPolicy:
            loadBalancer:
              simple: %s
        %s""".formatted(name, namespace, host, lb, extra);
  }

  private static Mesh build(String client, String... yaml) throws Exception {
    return MeshBuilder.build(Fixtures.objects(yaml), MeshOptions.DEFAULTS.forNamespace(client));
  }

  private static Optional<LoadBalancer> lb(Mesh m, int port) {
    return m.rules(RATINGS).loadBalancer(port);
  }

  private static LoadBalancer simple(LoadBalancer.SimpleLb p) {
    return new LoadBalancer.Simple(p);
  }

  @Test
  void lookup_onlyTheRootNamespaceHasARule_itApplies() throws Exception {
    Mesh m = build("default", SERVICE, rule("mesh", "istio-system", "*.local", "LEAST_REQUEST", ""));

    assertThat(lb(m, 9080)).contains(simple(LoadBalancer.SimpleLb.LEAST_REQUEST));
  }

  @Test
  void lookup_serviceNamespaceBeforeRoot() throws Exception {
    Mesh m = build("default", SERVICE,
        rule("mesh", "istio-system", "*.local", "LEAST_REQUEST", ""),
        rule("ratings", "shop", "ratings", "RANDOM", ""));

    assertThat(lb(m, 9080)).contains(simple(LoadBalancer.SimpleLb.RANDOM));
    assertThat(m.notes()).anyMatch(n -> n.startsWith("DestinationRule istio-system/mesh: not applied"));
  }

  @Test
  void lookup_clientNamespaceBeforeTheService() throws Exception {
    Mesh m = build("default", SERVICE,
        rule("ratings", "shop", "ratings", "RANDOM", ""),
        rule("my-view", "default", RATINGS, "LEAST_REQUEST", ""));

    assertThat(lb(m, 9080)).contains(simple(LoadBalancer.SimpleLb.LEAST_REQUEST));
    // Another client namespace has no rule of its own: the service's applies.
    assertThat(lb(build("other", SERVICE, rule("ratings", "shop", "ratings", "RANDOM", ""), rule("my-view", "default", RATINGS, "LEAST_REQUEST", "")), 9080))
        .contains(simple(LoadBalancer.SimpleLb.RANDOM));
  }

  @Test
  void lookup_exactHostBeforeAWildcard_inOneNamespace() throws Exception {
    Mesh m = build("default", SERVICE,
        rule("all", "shop", "*.shop.svc.cluster.local", "LEAST_REQUEST", ""),
        rule("ratings", "shop", "ratings", "RANDOM", ""));

    assertThat(lb(m, 9080)).contains(simple(LoadBalancer.SimpleLb.RANDOM));
  }

  @Test
  void exportTo_dotInTheServiceNamespace_notSeenFromAnother() throws Exception {
    Mesh m = build("default", SERVICE,
        rule("mesh", "istio-system", "*.local", "LEAST_REQUEST", ""),
        rule("ratings", "shop", "ratings", "RANDOM", "  exportTo: [\".\"]\n"));

    assertThat(lb(m, 9080)).contains(simple(LoadBalancer.SimpleLb.LEAST_REQUEST));
    assertThat(m.notes()).anyMatch(n -> n.contains("DestinationRule shop/ratings: exportTo [.] does not include namespace default"));
    // From its own namespace it applies.
    assertThat(lb(build("shop", SERVICE, rule("ratings", "shop", "ratings", "RANDOM", "  exportTo: [\".\"]\n")), 9080))
        .contains(simple(LoadBalancer.SimpleLb.RANDOM));
  }

  @Test
  void exportTo_serviceAnnotationDot_notServedToAnotherNamespace() throws Exception {
    String hidden = SERVICE.replace("  namespace: shop\n", "  namespace: shop\n  annotations:\n    networking.istio.io/exportTo: \".\"\n");

    assertThat(build("default", hidden).service(RATINGS)).isEmpty();
    assertThat(build("shop", hidden).service(RATINGS)).isPresent();
    assertThat(build("default", hidden.replace("\".\"", "\"default, shop\"")).service(RATINGS)).isPresent();
  }

  @Test
  void exportTo_serviceEntryAndVirtualService() throws Exception {
    String se = """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata:
          name: api
          namespace: shop
        spec:
          hosts: [api.example.com]
          exportTo: ["."]
          ports: [{number: 443, name: tls, protocol: TLS}]
          resolution: DNS
        """;
    String vs = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: ratings
          namespace: shop
        spec:
          hosts: [ratings]
          exportTo: ["."]
          tcp:
          - route:
            - destination: {host: ratings, port: {number: 9090}}
        """;

    Mesh fromDefault = build("default", SERVICE, se, vs);
    Mesh fromShop = build("shop", SERVICE, se, vs);

    assertThat(fromDefault.service("api.example.com")).isEmpty();
    assertThat(fromShop.service("api.example.com")).isPresent();
    assertThat(fromDefault.virtualService(RATINGS)).isEmpty();
    assertThat(fromShop.virtualService(RATINGS)).isPresent();
  }

  @Test
  void exportTo_starWithOthers_refused() {
    assertThatThrownBy(() -> build("default", SERVICE, rule("ratings", "shop", "ratings", "RANDOM", "  exportTo: [\"*\", \"shop\"]\n")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'*' cannot be listed with other namespaces");
  }

  @Test
  void portLevel_withoutALoadBalancer_replacesTheRuleLevelOneWithTheDefault() throws Exception {
    Mesh m = build("default", SERVICE, rule("ratings", "shop", "ratings", "RANDOM", """
          portLevelSettings:
          - port: {number: 9090}
            connectionPool:
              tcp: {maxConnections: 100}
        """.indent(2)));

    assertThat(lb(m, 9080)).contains(simple(LoadBalancer.SimpleLb.RANDOM));
    // Istio: "default values will be applied to fields omitted in port-level traffic policies".
    assertThat(lb(m, 9090)).contains(simple(LoadBalancer.SimpleLb.UNSPECIFIED));
  }
}
