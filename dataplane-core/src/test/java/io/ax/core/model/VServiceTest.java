package io.ax.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ax.core.field.InvalidFieldException;
import io.ax.core.lb.LbPolicy;
import io.ax.core.net.Ipv4;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VServiceTest {
  private static final Ipv4 VIP = Ipv4.parse("ip", "10.96.0.1");
  private static final List<PortMapping> PORTS = List.of(new PortMapping(80, 8080));
  private static final List<Backend> BACKENDS = List.of(Backend.of(Ipv4.parse("ip", "10.0.0.5")));

  private static VService vservice(String name, Ipv4 ip, List<PortMapping> ports, List<Backend> backends) {
    return new VService(name, ip, ports, backends, LbPolicy.RANDOM, VService.Exposure.INTERNAL, Optional.empty());
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(strings = {"web", "a", "0", "web-1", "my.web.svc", "a-b-c.d-e", "123", "x.y.z.w"})
  void new_dnsLikeName_accepted(String name) {
    assertThat(vservice(name, VIP, PORTS, BACKENDS).name()).isEqualTo(name);
  }

  @Test
  void new_longestLabelsAndName_accepted() {
    String label63 = "a".repeat(63);
    String name253 = String.join(".", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(61));

    assertThat(name253).hasSize(253);
    assertThat(vservice(label63, VIP, PORTS, BACKENDS).name()).isEqualTo(label63);
    assertThat(vservice(name253, VIP, PORTS, BACKENDS).name()).isEqualTo(name253);
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(strings = {"", "-web", "web-", "web_1", "Web", "my..web", ".web", "web.", "web svc", "wéb", "web/1", "web:80", "*.web"})
  void new_nameNotLikeDnsName_failsNamingName(String name) {
    assertThatThrownBy(() -> vservice(name, VIP, PORTS, BACKENDS))
        .isInstanceOf(InvalidFieldException.class)
        .hasMessageStartingWith("name: ")
        .hasMessageContaining("'" + name + "'");
  }

  @Test
  void new_labelOf64OrNameOf254_refused() {
    String name254 = String.join(".", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(62));

    assertThatThrownBy(() -> vservice("a".repeat(64), VIP, PORTS, BACKENDS)).isInstanceOf(InvalidFieldException.class);
    assertThatThrownBy(() -> vservice(name254, VIP, PORTS, BACKENDS)).isInstanceOf(InvalidFieldException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"255.255.255.255", "224.0.0.1", "239.255.255.255", "127.0.0.1", "127.255.0.9"})
  void new_broadcastMulticastOrLoopbackVip_refused(String ip) {
    assertThatThrownBy(() -> vservice("web", Ipv4.parse("ip", ip), PORTS, BACKENDS))
        .isInstanceOf(InvalidFieldException.class)
        .hasMessage("ip: " + ip + " cannot be a vservice IP (expected a unicast address outside 127.0.0.0/8)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"223.255.255.255", "240.0.0.1", "126.255.255.255", "128.0.0.1"})
  void new_unicastVipBesideThoseRanges_accepted(String ip) {
    assertThat(vservice("web", Ipv4.parse("ip", ip), PORTS, BACKENDS).ip()).isEqualTo(Ipv4.parse("ip", ip));
  }

  @Test
  void new_anyAddressAsVip_refused() {
    assertThatThrownBy(() -> vservice("web", Ipv4.ANY, PORTS, BACKENDS))
        .isInstanceOf(InvalidFieldException.class)
        .hasMessageStartingWith("ip: ")
        .hasMessageContaining("0.0.0.0");
  }

  @Test
  void new_noPorts_refused() {
    assertThatThrownBy(() -> vservice("web", VIP, List.of(), BACKENDS))
        .isInstanceOf(InvalidFieldException.class)
        .hasMessageStartingWith("ports: ");
  }

  @Test
  void new_sameVportTwice_refusedNamingVport() {
    List<PortMapping> twice = List.of(new PortMapping(80, 8080), new PortMapping(443, 8443), new PortMapping(80, 9090));

    assertThatThrownBy(() -> vservice("web", VIP, twice, BACKENDS))
        .isInstanceOf(InvalidFieldException.class)
        .hasMessageStartingWith("ports: ")
        .hasMessageContaining("80");
  }

  @Test
  void new_sameAppPortForTwoVports_accepted() {
    VService vs = vservice("web", VIP, List.of(new PortMapping(80, 8080), new PortMapping(8080, 8080)), BACKENDS);

    assertThat(vs.ports()).hasSize(2);
  }

  @Test
  void new_noBackends_accepted() {
    assertThat(vservice("web", VIP, PORTS, List.of()).backends()).isEmpty();
  }

  @Test
  void new_portAndBackendCounts_bounded() {
    List<PortMapping> ports1024 = IntStream.rangeClosed(1, 1024).mapToObj(p -> new PortMapping(p, p)).toList();
    List<PortMapping> ports1025 = IntStream.rangeClosed(1, 1025).mapToObj(p -> new PortMapping(p, p)).toList();
    List<Backend> backends4097 = IntStream.range(0, 4097).mapToObj(i -> Backend.of(new Ipv4(0x0a000000 + i))).toList();

    assertThat(vservice("web", VIP, ports1024, BACKENDS).ports()).hasSize(1024);
    assertThatThrownBy(() -> vservice("web", VIP, ports1025, BACKENDS)).hasMessageStartingWith("ports: ");
    assertThat(vservice("web", VIP, PORTS, backends4097.subList(0, 4096)).backends()).hasSize(4096);
    assertThatThrownBy(() -> vservice("web", VIP, PORTS, backends4097)).hasMessageStartingWith("backends: ");
  }

  @Test
  void new_copiesLists() {
    List<PortMapping> ports = new ArrayList<>(PORTS);
    List<Backend> backends = new ArrayList<>(BACKENDS);
    VService vs = vservice("web", VIP, ports, backends);

    ports.add(new PortMapping(443, 8443));
    backends.clear();

    assertThat(vs.ports()).containsExactlyElementsOf(PORTS);
    assertThat(vs.backends()).containsExactlyElementsOf(BACKENDS);
    assertThatThrownBy(() -> vs.ports().add(new PortMapping(1, 1))).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void mappingFor_servedAndUnservedVport() {
    VService vs = vservice("web", VIP, List.of(new PortMapping(80, 8080), new PortMapping(443, 8443)), BACKENDS);

    assertThat(vs.mappingFor(443)).contains(new PortMapping(443, 8443));
    assertThat(vs.mappingFor(8080)).isEmpty();
  }
}
