package io.ax.xds.pilot.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ax.xds.pilot.Fixtures;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Valid Istio endpoints that ax cannot use are skipped with a note; the rest of the file is served. */
class WorkloadsTest {
  private static ConfigParser.Parsed parse(String yaml) throws ConfigException {
    return ConfigParser.parse("t.yaml", yaml.getBytes(StandardCharsets.UTF_8), Yaml.Format.YAML);
  }

  @Test
  void parse_istioSeExample_unixEndpointSkippedAndTheRestServed() throws Exception {
    ConfigParser.Parsed p = ConfigParser.parse("se-example.yaml", Fixtures.bytes("tests/testdata/config/se-example.yaml"), Yaml.Format.YAML);

    List<ServiceEntry> entries = p.objects().stream().filter(ServiceEntry.class::isInstance).map(ServiceEntry.class::cast).toList();
    assertThat(entries).extracting(e -> e.meta().name()).contains("workload", "external-svc-mongocluster", "unix-domain-socket-example");
    ServiceEntry unix = entries.stream().filter(e -> e.meta().name().equals("unix-domain-socket-example")).findFirst().orElseThrow();
    assertThat(unix.endpoints()).isEmpty();
    assertThat(p.notes()).extracting(Note::toString).contains(
        "ServiceEntry seexamples/unix-domain-socket-example: spec.endpoints[0].address unix:///var/run/example/socket is a unix socket; skipped, ax connects over TCP/IPv4");
  }

  @Test
  void parse_workloadEntriesAxCannotReach_skippedWithANoteEach() throws Exception {
    ConfigParser.Parsed p = parse("""
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: vm-dns}
        spec: {address: vm1.example.com, labels: {app: a}}
        ---
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: behind-gateway}
        spec: {network: network2, labels: {app: a}}
        ---
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: v6}
        spec: {address: "2001:db8::1", labels: {app: a}}
        ---
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: vm}
        spec: {address: 10.0.0.5, labels: {app: a}}
        """);

    assertThat(p.objects()).extracting(o -> o.meta().name()).containsExactly("vm");
    assertThat(p.notes()).extracting(Note::toString).containsExactly(
        "WorkloadEntry default/vm-dns: address vm1.example.com is a DNS name; skipped, ax needs an IPv4 address for a workload",
        "WorkloadEntry default/behind-gateway: has no address (Istio reaches it through its network's gateway); skipped, ax needs an IPv4 address",
        "WorkloadEntry default/v6: address 2001:db8::1 is IPv6; skipped, the mesh is IPv4");
  }

  @Test
  void parse_addressThatIsNoAddress_stillRefused() {
    assertThatThrownBy(() -> parse("""
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: typo}
        spec: {address: 10.0.0.300}
        """))
        .hasMessage("4: spec.address: '10.0.0.300' is not an IP address, a DNS name or a unix:// socket");
  }

  @Test
  void parse_staticServiceEntryWithDnsName_stillRefused() {
    assertThatThrownBy(() -> parse("""
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: s}
        spec:
          hosts: [s.example.com]
          ports: [{number: 80, name: http}]
          resolution: STATIC
          endpoints: [{address: s1.example.com}]
        """))
        .hasMessageContaining("is not an IP address (resolution STATIC needs IPs)");
  }
}
