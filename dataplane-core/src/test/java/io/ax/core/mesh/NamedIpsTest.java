package io.ax.core.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ax.core.field.InvalidFieldException;
import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.model.Labels;
import io.ax.core.net.Ipv4;
import io.ax.core.state.DataplaneState;
import io.ax.core.state.StateFixtures;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link NamedIps}: the vIP of a named app without --ip, from the snapshot alone. */
class NamedIpsTest {
  private static Ipv4 ip(String text) {
    return Ipv4.parse("ip", text);
  }

  private static App app(String id, String name, String ip) {
    return new App(new AppId(id), name, "n1", "c", ip(ip), "user", Labels.DEFAULT, 1);
  }

  /** web (000000a1) at 100.64.0.9, db (000000b2) at 10.0.0.5; vservice api at 100.64.0.10. */
  private static final DataplaneState STATE = DataplaneState.of(
      List.of(app("000000a1", "web", "100.64.0.9"), app("000000b2", "db", "10.0.0.5")),
      List.of(),
      List.of(),
      List.of(StateFixtures.vservice("api", "100.64.0.10", "80")));

  @ParameterizedTest(name = "name {0}, asked id ''{1}'' -> {2}")
  @CsvSource(delimiter = '|', value = {
    // name  | id asked to keep | vIP
    "web     |                  | 100.64.0.9",  // an app of that name has one: balanced as one
    "db      |                  | 10.0.0.5",    // even when it is not in the named space
    "other   | 000000a1         | 100.64.0.9",  // a known id keeps its vIP, whatever the name
    "web     | 000000b2         | 10.0.0.5",
  })
  void pick_knownIdOrName_reusesThatVip(String name, String id, String expected) {
    assertThat(NamedIps.pick(STATE, name, id == null ? "" : id)).isEqualTo(ip(expected));
  }

  @Test
  void pick_newName_inTheSharedAddressSpaceAndStable() {
    Ipv4 picked = NamedIps.pick(STATE, "cache", "");

    assertThat(picked.bits() >>> (32 - NamedIps.NAMED_IPS_PREFIX)).isEqualTo(NamedIps.NAMED_IPS >>> (32 - NamedIps.NAMED_IPS_PREFIX));
    assertThat(picked).isNotIn(ip("100.64.0.0"), ip("100.127.255.255"), ip("100.64.0.9"), ip("100.64.0.10"));
    assertThat(NamedIps.pick(STATE, "cache", "")).as("a function of the name").isEqualTo(picked);
  }

  @Test
  void pick_unknownIdAskedToKeep_pickedByName() {
    assertThat(NamedIps.pick(STATE, "cache", "0000beef")).isEqualTo(NamedIps.pick(STATE, "cache", ""));
  }

  @ParameterizedTest(name = "/30, taken {0} -> {1}")
  @CsvSource(delimiter = '|', value = {
    // taken (last octets)  | one of
    "''                     | 1 2",
    "1                      | 2",
    "2                      | 1",
  })
  void firstFree_smallSpace_neverNetworkOrBroadcastAndSkipsTaken(String taken, String oneOf) {
    Set<Integer> takenBits = taken.isBlank()
        ? Set.of()
        : java.util.Arrays.stream(taken.split(" ")).map(o -> NamedIps.NAMED_IPS + Integer.parseInt(o)).collect(java.util.stream.Collectors.toSet());

    Ipv4 picked = NamedIps.firstFree("x", takenBits, 30);

    assertThat(java.util.Arrays.stream(oneOf.split(" ")).map(o -> new Ipv4(NamedIps.NAMED_IPS + Integer.parseInt(o))).toList()).contains(picked);
  }

  @Test
  void firstFree_spaceFull_refusedNamingTheFlag() {
    assertThatThrownBy(() -> NamedIps.firstFree("x", Set.of(NamedIps.NAMED_IPS + 1, NamedIps.NAMED_IPS + 2), 30))
        .isInstanceOf(InvalidFieldException.class)
        .hasMessage("--name: no free address left in 100.64.0.0/30 for 'x'; give it an --ip");
  }
}
