package io.ax.core.dns;

import static io.ax.core.dns.DnsTesting.namedApp;
import static io.ax.core.dns.DnsTesting.state;
import static org.assertj.core.api.Assertions.assertThat;

import io.ax.core.model.AppId;
import io.ax.core.net.Ipv4;
import io.ax.core.state.DataplaneState;
import io.ax.core.state.StateFixtures;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NameTableTest {
  static final String DOMAIN = "appswitch.local";
  static final DataplaneState STATE = state(namedApp(1, "web", "10.0.0.1"), namedApp(2, "<f00001bb>", "10.0.0.2"), namedApp(3, "Db", "10.0.0.3"))
      .withVService(StateFixtures.vservice("reviews.default.svc", "10.96.0.7", "9080:9080", "10.0.0.1"));

  static List<String> lookup(NameTable t, String name) {
    return t.lookup(name).stream().map(Ipv4::toString).toList();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', nullValues = "none", textBlock = """
      web                                  | 10.0.0.1
      web.                                 | 10.0.0.1
      WEB                                  | 10.0.0.1
      web.appswitch.local                  | 10.0.0.1
      Web.AppSwitch.Local.                 | 10.0.0.1
      db                                   | 10.0.0.3
      db.appswitch.local                   | 10.0.0.3
      reviews.default.svc                  | 10.96.0.7
      reviews.default.svc.appswitch.local. | 10.96.0.7
      <f00001bb>                           | none
      <f00001bb>.appswitch.local           | none
      app                                  | none
      web.other.local                      | none
      x.web.appswitch.local                | none
      appswitch.local                      | none
      ''                                   | none
      .                                    | none
      ..web                                | none
      """)
  void lookup_name_givesAddresses(String name, String expected) {
    NameTable t = NameTable.of(STATE, DOMAIN);

    assertThat(lookup(t, name)).isEqualTo(expected == null ? List.of() : List.of(expected));
  }

  @Test
  void lookup_severalAppsOneName_allDistinctAddressesSorted() {
    DataplaneState s = state(namedApp(1, "api", "10.0.0.9"), namedApp(2, "api", "10.0.0.2"), namedApp(3, "API", "10.0.0.2"), namedApp(4, "api", "10.0.0.5"));

    assertThat(lookup(NameTable.of(s, DOMAIN), "api")).containsExactly("10.0.0.2", "10.0.0.5", "10.0.0.9");
  }

  @Test
  void lookup_appAndVServiceOneName_both() {
    DataplaneState s = state(namedApp(1, "cart", "10.0.0.1")).withVService(StateFixtures.vservice("cart", "10.96.0.1", "80:80", "10.0.0.1"));

    assertThat(lookup(NameTable.of(s, DOMAIN), "cart.appswitch.local")).containsExactly("10.0.0.1", "10.96.0.1");
  }

  @Test
  void lookup_lastAppLeaves_nameGone_otherStays() {
    DataplaneState two = state(namedApp(1, "api", "10.0.0.1"), namedApp(2, "api", "10.0.0.2"));
    DataplaneState one = two.withoutApp(new AppId("00000001"));
    DataplaneState none = one.withoutApp(new AppId("00000002"));

    assertThat(lookup(NameTable.of(one, DOMAIN), "api")).containsExactly("10.0.0.2");
    assertThat(lookup(NameTable.of(none, DOMAIN), "api")).isEmpty();
    assertThat(NameTable.of(none, DOMAIN).exists("api")).isFalse();
    assertThat(NameTable.of(none, DOMAIN).size()).isZero();
  }

  @Test
  void lookup_vserviceRemoved_nameGone() {
    DataplaneState s = STATE.withoutVService("reviews.default.svc");

    assertThat(lookup(NameTable.of(s, DOMAIN), "reviews.default.svc")).isEmpty();
  }

  @Test
  void lookup_otherDomain_namesMoveWithIt() {
    NameTable t = NameTable.of(STATE, "mesh.example");

    assertThat(lookup(t, "web.mesh.example")).containsExactly("10.0.0.1");
    assertThat(lookup(t, "web.appswitch.local")).isEmpty();
  }

  @ParameterizedTest(name = "{0} exists={1}")
  @CsvSource({
      "appswitch.local, true",
      "web.appswitch.local, true",
      "default.svc.appswitch.local, true",
      "svc.appswitch.local, true",
      "x.svc.appswitch.local, false",
      "nope.appswitch.local, false",
      "example.com, false"})
  void exists_apexNamesAndEmptyNonTerminals_true(String name, boolean expected) {
    assertThat(NameTable.of(STATE, DOMAIN).exists(name)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} inDomain={1}")
  @CsvSource({
      "appswitch.local, true",
      "APPSWITCH.LOCAL., true",
      "a.b.appswitch.local, true",
      "xappswitch.local, false",
      "web, false",
      "example.com, false"})
  void inDomain_name_suffixMatchOnLabels(String name, boolean expected) {
    assertThat(NameTable.of(STATE, DOMAIN).inDomain(name)).isEqualTo(expected);
  }
}
