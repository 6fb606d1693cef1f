package io.ax.xds.pilot.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ax.xds.pilot.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Strict fields (kubectl's strict validation) and the notes on fields ax does not apply. */
class IstioFieldsTest {
  private static ConfigParser.Parsed parse(String yaml) throws ConfigException {
    return ConfigParser.parse("t.yaml", yaml.getBytes(StandardCharsets.UTF_8), Yaml.Format.YAML);
  }

  private static ConfigParser.Parsed fixture(String path) throws Exception {
    return ConfigParser.parse("f.yaml", Fixtures.bytes(path), Yaml.Format.YAML);
  }

  private static List<String> notes(ConfigParser.Parsed p) {
    return p.notes().stream().map(n -> n.level() + " " + n).toList();
  }

  /** Istio's files of the fixtures (the bookinfo demo serves them too). */
  static Stream<Path> istioYaml() throws IOException {
    try (Stream<Path> fixtures = Files.walk(Fixtures.dir())) {
      return fixtures.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("istioYaml")
  void parse_everyIstioFixture_accepted(Path file) throws Exception {
    ConfigParser.parse(file.getFileName().toString(), Files.readAllBytes(file), Yaml.Format.YAML);
  }

  @Test
  void parse_misspeltSubset_refusedAtItsLineWithTheFieldMeant() {
    assertThatThrownBy(() -> parse("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews}
        spec:
          hosts: [reviews]
          http:
          - route:
            - destination:
                host: reviews
                subest: v1
        """))
        .isInstanceOf(ConfigException.class)
        .hasMessage("10: VirtualService default/reviews: unknown field spec.http[0].route[0].destination.subest (did you mean subset?)");
  }

  @Test
  void parse_misspeltSimple_refused() {
    assertThatThrownBy(() -> parse("""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews}
        spec:
          host: reviews
          trafficPolicy:
            loadBalancer:
              simpel: LEAST_REQUEST
        """))
        .hasMessage("8: DestinationRule default/reviews: unknown field spec.trafficPolicy.loadBalancer.simpel (did you mean simple?)");
  }

  @Test
  void parse_unknownMappingField_reportedAtItsNameNotItsValue() {
    assertThatThrownBy(() -> parse("""
        apiVersion: v1
        kind: Service
        metadata: {name: reviews}
        spec:
          ports: [{port: 9080}]
          frobnicate:
            a: b
        """))
        .hasMessage("6: Service default/reviews: unknown field spec.frobnicate (expected one of ports, selector, clusterIP, clusterIPs, type, externalIPs,"
            + " sessionAffinity, sessionAffinityConfig, loadBalancerIP, loadBalancerSourceRanges, loadBalancerClass, allocateLoadBalancerNodePorts,"
            + " healthCheckNodePort, externalTrafficPolicy, externalName, internalTrafficPolicy, publishNotReadyAddresses, ipFamilies, ipFamilyPolicy,"
            + " trafficDistribution)");
  }

  @Test
  void parse_unknownFieldInAList_refusedAsDocumentInIt() {
    assertThatThrownBy(() -> parse("""
        apiVersion: v1
        kind: List
        items:
        - apiVersion: networking.istio.io/v1
          kind: WorkloadEntry
          metadata: {name: a}
          spec: {address: 10.0.0.1, lables: {app: a}}
        """))
        .hasMessage("7: WorkloadEntry default/a: unknown field spec.lables (did you mean labels?)");
  }

  @Test
  void parse_faultInjectionOfBookinfo_notedAsNotApplied() throws Exception {
    ConfigParser.Parsed p = fixture("samples/bookinfo/networking/virtual-service-ratings-test-delay.yaml");

    assertThat(notes(p)).containsExactly(
        "WARN VirtualService default/ratings: spec.http[0].match is not applied: served in xDS as route matches, but ax routes whole connections"
            + " at connect(), before any request is sent: the agent sends each connection where the first route that matches every request goes",
        "WARN VirtualService default/ratings: spec.http[0].fault is not applied: no fault is injected (ax routes whole connections at connect(),"
            + " before any request is sent)");
  }

  @Test
  void parse_lTwoFeatures_eachNotedOnceWithItsPath() throws Exception {
    ConfigParser.Parsed p = parse("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews, namespace: shop}
        spec:
          hosts: [reviews]
          exportTo: ["."]
          http:
          - route:
            - destination: {host: reviews, subset: v1}
              headers: {request: {set: {x: y}}}
            timeout: 0.5s
            retries: {attempts: 3, perTryTimeout: 2s, retryOn: "5xx,gateway-error"}
            mirror: {host: reviews, subset: v2}
            mirrorPercentage: {value: 50}
            corsPolicy: {allowOrigins: [{exact: "https://example.com"}], maxAge: 24h}
            rewrite: {uri: /v2}
        """);

    assertThat(p.notes()).extracting(Note::toString).containsExactly(
        "VirtualService shop/reviews: spec.http[0].route[0].headers is not applied: headers are sent unchanged (ax routes whole connections at connect(), before any request is sent)",
        "VirtualService shop/reviews: spec.http[0].timeout is not applied: requests have no timeout of the mesh; the app's own apply",
        "VirtualService shop/reviews: spec.http[0].retries is not applied: nothing is retried; a refused or unreachable backend is followed by the next one at connect()",
        "VirtualService shop/reviews: spec.http[0].mirror is not applied: nothing is mirrored (ax routes whole connections at connect(), before any request is sent)",
        "VirtualService shop/reviews: spec.http[0].mirrorPercentage is not applied: nothing is mirrored (ax routes whole connections at connect(), before any request is sent)",
        "VirtualService shop/reviews: spec.http[0].corsPolicy is not applied: no CORS headers are added; the server's own answers stand",
        "VirtualService shop/reviews: spec.http[0].rewrite is not applied: requests are sent unchanged (ax routes whole connections at connect(), before any request is sent)");
    assertThat(p.notes()).extracting(Note::level).containsOnly(Note.Level.WARN);
  }

  @Test
  void parse_destinationRuleAllOfIstio_tcpPoolAndOutlierAppliedHttpPoolNotedCookieHashApproximated() throws Exception {
    ConfigParser.Parsed p = fixture(Fixtures.TESTDATA_DR_ALL);

    assertThat(notes(p)).contains(
        "WARN DestinationRule testns/destall: spec.trafficPolicy.connectionPool.http is not applied: no request limits are set"
            + " (ax routes whole connections at connect(), before any request is sent)",
        "INFO DestinationRule testns/destall: spec.trafficPolicy.outlierDetection.interval is approximated: an ejection ends exactly when its time is up,"
            + " not at the next interval's sweep",
        "INFO DestinationRule testns/destall: spec.subsets[1].trafficPolicy.loadBalancer.consistentHash.httpCookie is approximated: hashed on the client app's IP, since a connect carries no cookie");
    // maxConnections, connectTimeout, baseEjectionTime and maxEjectionPercent are applied: no note.
    assertThat(notes(p)).noneMatch(n -> n.contains("connectionPool.tcp") || n.contains("baseEjectionTime") || n.contains("maxEjectionPercent")
        || n.contains("outlierDetection is not applied"));
  }

  @Test
  void parse_localityAndTls_notedAsNotApplied() throws Exception {
    assertThat(notes(fixture("tests/testdata/config/destination-rule-locality.yaml")))
        .containsExactly("INFO DestinationRule default/locality: spec.trafficPolicy.outlierDetection.interval is approximated:"
            + " an ejection ends exactly when its time is up, not at the next interval's sweep");
    assertThat(notes(parse("""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: helloworld, namespace: sample}
        spec:
          host: helloworld.sample.svc.cluster.local
          trafficPolicy:
            connectionPool: {http: {maxRequestsPerConnection: 1}, tcp: {tcpKeepalive: {time: 7200s}}}
            loadBalancer:
              simple: ROUND_ROBIN
              localityLbSetting:
                enabled: true
                failover: [{from: region1, to: region2}]
            outlierDetection: {consecutive5xxErrors: 1, interval: 1s, baseEjectionTime: 1m, minHealthPercent: 50}
        """))).containsExactly(
        "WARN DestinationRule sample/helloworld: spec.trafficPolicy.connectionPool.http is not applied: no request limits are set"
            + " (ax routes whole connections at connect(), before any request is sent)",
        "WARN DestinationRule sample/helloworld: spec.trafficPolicy.connectionPool.tcp.tcpKeepalive is not applied: the app's own socket and its options stand;"
            + " ax only makes the connect",
        "INFO DestinationRule sample/helloworld: spec.trafficPolicy.outlierDetection.consecutive5xxErrors is approximated: counts failed connects"
            + " (refused, unreachable, timed out), the only errors a connect sees",
        "INFO DestinationRule sample/helloworld: spec.trafficPolicy.outlierDetection.interval is approximated: an ejection ends exactly when its time is up,"
            + " not at the next interval's sweep",
        "WARN DestinationRule sample/helloworld: spec.trafficPolicy.outlierDetection.minHealthPercent is not applied: ejected backends are dialed last"
            + " rather than left out, so none is needed");
    assertThat(notes(fixture("tests/testdata/config/se-example.yaml")))
        .anyMatch(n -> n.contains("spec.trafficPolicy.tls is not applied: ax connects in plain TCP"));
  }

  @Test
  void parse_corsAndHeaderChangesOfIstioTestdata_noted() throws Exception {
    assertThat(notes(fixture("tests/testdata/config/rule-default-route-cors-policy.yaml"))).anyMatch(n -> n.contains(".corsPolicy is not applied"));
    assertThat(notes(fixture("tests/testdata/config/rule-default-route-append-headers.yaml"))).anyMatch(n -> n.contains(".headers is not applied"));
  }

  @Test
  void parse_kubernetesDefaults_noNotes() throws Exception {
    // What `kubectl get svc -o yaml` prints for a ClusterIP Service: nothing in it is ignored.
    ConfigParser.Parsed p = parse("""
        apiVersion: v1
        kind: Service
        metadata:
          name: reviews
          namespace: default
          uid: 6f1c
          resourceVersion: "123"
          creationTimestamp: "2026-01-01T00:00:00Z"
          labels: {app: reviews}
          annotations: {kubectl.kubernetes.io/last-applied-configuration: "{}"}
        spec:
          clusterIP: 10.96.0.20
          clusterIPs: [10.96.0.20]
          internalTrafficPolicy: Cluster
          ipFamilies: [IPv4]
          ipFamilyPolicy: SingleStack
          ports: [{name: http, port: 9080, protocol: TCP, targetPort: 9080}]
          selector: {app: reviews}
          sessionAffinity: None
          type: ClusterIP
        status: {loadBalancer: {}}
        """);

    assertThat(p.objects()).hasSize(1);
    assertThat(p.notes()).isEmpty();
  }

  @Test
  void parse_consistentHashOnHeader_approximatedAsSourceIp() throws Exception {
    ConfigParser.Parsed p = parse("""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews}
        spec:
          host: reviews
          trafficPolicy:
            loadBalancer:
              consistentHash: {httpHeaderName: x-user}
        """);

    assertThat(p.notes()).containsExactly(new Note(Note.Level.INFO, "DestinationRule default/reviews",
        "spec.trafficPolicy.loadBalancer.consistentHash.httpHeaderName is approximated: hashed on the client app's IP, since a connect carries no header"));
  }

  @Test
  void parse_gatewayOnlyVirtualService_oneNoteNotOnePerField() throws Exception {
    ConfigParser.Parsed p = parse("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: bookinfo}
        spec:
          hosts: ["*"]
          gateways: [bookinfo-gateway]
          http:
          - route: [{destination: {host: productpage}}]
            timeout: 1s
        """);

    assertThat(p.objects()).isEmpty();
    assertThat(p.notes()).extracting(Note::toString)
        .containsExactly("VirtualService default/bookinfo: spec.gateways names gateways only (no 'mesh'); not applied, gateways are not served");
  }

  @Test
  void distance_typos() {
    assertThat(FieldCheck.distance("subest", "subset")).isEqualTo(1);
    assertThat(FieldCheck.distance("simpel", "simple")).isEqualTo(1);
    assertThat(FieldCheck.distance("weigth", "weight")).isEqualTo(1);
    assertThat(FieldCheck.distance("host", "port")).isEqualTo(2);
  }
}
