package io.ax.xds.pilot.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ax.xds.pilot.Fixtures;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Gateway API mesh routes (an HTTPRoute whose parent is a Service) read as VirtualServices. */
class HttpRouteParserTest {
  static final String ROUTE_90_10 = "samples/bookinfo/gateway-api/route-reviews-90-10.yaml";

  private static ConfigParser.Parsed parse(String yaml) throws ConfigException {
    return ConfigParser.parse("t.yaml", yaml.getBytes(StandardCharsets.UTF_8), Yaml.Format.YAML);
  }

  @Test
  void parse_bookinfoRoute9010_weightsOfTheBackendsOnThePortOfTheParent() throws Exception {
    ConfigParser.Parsed p = ConfigParser.parse("r.yaml", Fixtures.bytes(ROUTE_90_10), Yaml.Format.YAML);

    VirtualService vs = (VirtualService) p.objects().getFirst();
    assertThat(vs.meta().id()).isEqualTo("HTTPRoute default/reviews");
    assertThat(vs.hosts()).containsExactly("reviews");
    assertThat(vs.http()).hasSize(1);
    assertThat(vs.http().getFirst().match()).containsExactly(new VirtualService.HttpMatch(Optional.empty(), Map.of(), OptionalInt.of(9080)));
    assertThat(vs.http().getFirst().route()).containsExactly(
        new VirtualService.Destination("reviews-v1", Optional.empty(), OptionalInt.of(9080), 90),
        new VirtualService.Destination("reviews-v2", Optional.empty(), OptionalInt.of(9080), 10));
    assertThat(p.notes()).isEmpty();
  }

  @Test
  void parse_matchesAndDefaults_asVirtualServiceMatches() throws Exception {
    ConfigParser.Parsed p = parse("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: reviews, namespace: shop}
        spec:
          parentRefs: [{group: "", kind: Service, name: reviews}, {name: ingress}]
          rules:
          - matches:
            - headers: [{name: End-User, value: jason}]
              method: GET
            - path: {type: Exact, value: /health}
            backendRefs: [{name: reviews-v2, port: 9080}]
          - backendRefs: [{name: reviews-v1, namespace: other, port: 9080}, {name: reviews-v3, port: 9080, weight: 0}]
        """);

    VirtualService vs = (VirtualService) p.objects().getFirst();
    assertThat(vs.http().get(0).match()).containsExactly(
        new VirtualService.HttpMatch(Optional.empty(),
            Map.of("end-user", new VirtualService.StringMatch.Exact("jason"), ":method", new VirtualService.StringMatch.Exact("GET")), OptionalInt.empty()),
        new VirtualService.HttpMatch(Optional.of(new VirtualService.StringMatch.Exact("/health")), Map.of(), OptionalInt.empty()));
    assertThat(vs.http().get(0).route()).containsExactly(new VirtualService.Destination("reviews-v2", Optional.empty(), OptionalInt.of(9080), 1));
    assertThat(vs.http().get(1).match()).isEmpty();
    assertThat(vs.http().get(1).route())
        .containsExactly(new VirtualService.Destination("reviews-v1.other.svc.cluster.local", Optional.empty(), OptionalInt.of(9080), 1));
    assertThat(p.notes()).extracting(Note::toString).containsExactly(
        "HTTPRoute shop/reviews: spec.parentRefs[1] (Gateway ingress) is not applied: only Services are parents in the mesh; gateways are not served",
        "HTTPRoute shop/reviews: spec.rules[0].matches is not applied: served in xDS as route matches, but ax routes whole connections at connect(),"
            + " before any request is sent: the agent sends each connection where the first route that matches every request goes");
  }

  @Test
  void parse_gatewayOnlyRoute_notAppliedWithOneNote() throws Exception {
    ConfigParser.Parsed p = parse("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: bookinfo}
        spec:
          parentRefs: [{name: bookinfo-gateway}]
          rules: [{backendRefs: [{name: productpage, port: 9080}], timeouts: {request: 1s}}]
        """);

    assertThat(p.objects()).isEmpty();
    assertThat(p.notes()).extracting(Note::toString).containsExactly(
        "HTTPRoute default/bookinfo: spec.parentRefs[0] (Gateway bookinfo-gateway) is not applied: only Services are parents in the mesh; gateways are not served",
        "HTTPRoute default/bookinfo: has no Service among its parentRefs; not applied to the mesh");
  }

  @Test
  void parse_misspeltBackendField_refused() {
    assertThatThrownBy(() -> parse("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: reviews}
        spec:
          parentRefs: [{group: "", kind: Service, name: reviews}]
          rules:
          - backendRefs:
            - {name: reviews-v1, port: 9080, wieght: 90}
        """))
        .hasMessage("8: HTTPRoute default/reviews: unknown field spec.rules[0].backendRefs[0].wieght (did you mean weight?)");
  }

  @Test
  void parse_unknownPathType_refused() {
    assertThatThrownBy(() -> parse("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: reviews}
        spec:
          parentRefs: [{group: "", kind: Service, name: reviews}]
          rules:
          - matches: [{path: {type: Prefix, value: /}}]
            backendRefs: [{name: reviews-v1, port: 9080}]
        """))
        .hasMessageContaining("spec.rules[0].matches[0].path.type: unknown value 'Prefix' (expected Exact, PathPrefix or RegularExpression)");
  }

  static List<String> files() {
    return List.of(Fixtures.BOOKINFO, "samples/bookinfo/platform/kube/bookinfo-versions.yaml", ROUTE_90_10);
  }
}
