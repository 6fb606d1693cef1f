package io.ax.core.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.ax.core.lb.LbPolicy;
import io.ax.core.model.Backend;
import io.ax.core.model.PortMapping;
import io.ax.core.model.VService;
import io.ax.core.net.Ipv4;
import io.ax.core.state.DataplaneState;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Vservice hostnames: exact names answered wherever they are, like Istio's DNS proxy. */
class NameTableHostnamesTest {
  static final String DOMAIN = "appswitch.local";

  static VService vs(String name, String ip, String... hostnames) {
    return new VService(name, Ipv4.parse("ip", ip), List.of(new PortMapping(9080, 9080)), List.of(Backend.of(Ipv4.parse("b", "10.0.0.1"))),
        LbPolicy.ROUND_ROBIN, VService.Exposure.INTERNAL, Optional.empty(), List.of(), List.of(hostnames), "xds-agent");
  }

  static final DataplaneState STATE = DataplaneState.EMPTY
      .withVService(vs("reviews.default-9080", "10.96.36.43", "reviews.default.svc.cluster.local", "reviews.default"))
      .withVService(vs("b-claims", "10.96.0.2", "shared.example.com"))
      .withVService(vs("a-claims", "10.96.0.1", "shared.example.com"))
      .withVService(vs("inside", "10.96.0.3", "alias.appswitch.local"));

  static final NameTable TABLE = NameTable.of(STATE, DOMAIN);

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', nullValues = "none", textBlock = """
      reviews.default.svc.cluster.local    | 10.96.36.43
      Reviews.Default.Svc.Cluster.Local.   | 10.96.36.43
      reviews.default                      | 10.96.36.43
      reviews.default-9080                 | 10.96.36.43
      reviews.default-9080.appswitch.local | 10.96.36.43
      shared.example.com                   | 10.96.0.1
      alias.appswitch.local                | 10.96.0.3
      alias                                | none
      svc.cluster.local                    | none
      ratings.default.svc.cluster.local    | none
      reviews.default.svc.cluster.local.appswitch.local | none
      """)
  void lookup_hostnames_exactNamesOnly(String name, String expected) {
    List<String> got = TABLE.lookup(name).stream().map(Ipv4::toString).toList();

    assertThat(got).isEqualTo(expected == null ? List.of() : List.of(expected));
  }

  @Test
  void lookup_hostnameClaimedTwice_vserviceNameSortingFirstWins() {
    assertThat(TABLE.lookup("shared.example.com")).containsExactly(Ipv4.parse("ip", "10.96.0.1"));
  }

  @Test
  void exists_hostnameOutsideTheDomain_trueSoOtherTypesGetNodata() {
    assertThat(TABLE.exists("reviews.default.svc.cluster.local")).isTrue();
    assertThat(TABLE.inDomain("reviews.default.svc.cluster.local")).isFalse();
    assertThat(TABLE.exists("ratings.default.svc.cluster.local")).isFalse();
  }

  @Test
  void of_vserviceRemoved_itsHostnamesGo() {
    NameTable after = NameTable.of(STATE.withoutVService("reviews.default-9080"), DOMAIN);

    assertThat(after.lookup("reviews.default.svc.cluster.local")).isEmpty();
    assertThat(after.exists("reviews.default")).isFalse();
  }
}
