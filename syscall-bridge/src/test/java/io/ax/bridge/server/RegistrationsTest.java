package io.ax.bridge.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ax.bridge.SocketPolicy.Registration;
import io.ax.bridge.server.Registrations.BadHeaderException;
import io.ax.bridge.sys.UnixSockets.PeerCredentials;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The launcher's registration header, as {@code bridge.c}'s {@code build_header} writes it, and hostile variants. */
class RegistrationsTest {
  static final PeerCredentials PEER = new PeerCredentials(4242, 1000, 1000);
  static final List<Integer> GROUPS = List.of(1000, 27);
  static final String MINIMAL = "version=1\npid=77\n\n";

  /** A header as the launcher sends it: every key, one line each, an empty line at the end. */
  static String launcherHeader(String... extraLines) {
    List<String> lines = new ArrayList<>(List.of(
        "version=1", "pid=77", "ip=10.0.0.7", "name=web", "labels=zone=prod,team=a", "expose=80:8080", "user=alice", "netns=new"));
    Collections.addAll(lines, extraLines);
    return String.join("\n", lines) + "\n\n";
  }

  @Test
  void parse_launcherHeader_readsEveryKeyAndTakesPidAndUidFromThePeer() throws BadHeaderException {
    Registration r = Registrations.parse(launcherHeader("appid=0000beef"), PEER, GROUPS);

    assertThat(r).isEqualTo(new Registration(
        "0000beef", 77, 4242, 1000, "10.0.0.7", "web", "zone=prod,team=a", List.of("80:8080"), "alice", true, 1000, GROUPS));
  }

  @Test
  void parse_minimalHeader_givesDefaults() throws BadHeaderException {
    Registration r = Registrations.parse(MINIMAL, PEER, GROUPS);

    assertThat(r).isEqualTo(new Registration("", 77, 4242, 1000, "", "", "zone=default", List.of(), "", true, 1000, GROUPS));
  }

  @Test
  void parse_emptyLabels_meanNoLabelsNotTheDefault() throws BadHeaderException {
    // The launcher always sends labels=; "--labels ''" asks for none (flags.c).
    assertThat(Registrations.parse("version=1\npid=1\nlabels=\n", PEER, GROUPS).labels()).isEmpty();
  }

  @ParameterizedTest(name = "netns={0} -> new netns {1}")
  @CsvSource({"new, true", "host, false"})
  void parse_netns_newOrHost(String netns, boolean newNetns) throws BadHeaderException {
    assertThat(Registrations.parse("version=1\npid=1\nnetns=" + netns + "\n", PEER, GROUPS).newNetns()).isEqualTo(newNetns);
  }

  @Test
  void parse_exposeRepeated_keepsEveryValueInOrderDuplicatesIncluded() throws BadHeaderException {
    Registration r = Registrations.parse(MINIMAL + "expose=443:8443\nexpose=80:8080\nexpose=443:8443\n", PEER, GROUPS);

    assertThat(r.expose()).containsExactly("443:8443", "80:8080", "443:8443");
  }

  @Test
  void parse_exactly256Expose_accepted() throws BadHeaderException {
    assertThat(Registrations.parse(MINIMAL + exposeLines(Registrations.MAX_EXPOSE), PEER, GROUPS).expose()).hasSize(256);
  }

  @Test
  void parse_257Expose_refusedNamingTheLimit() {
    assertThatThrownBy(() -> Registrations.parse(MINIMAL + exposeLines(Registrations.MAX_EXPOSE + 1), PEER, GROUPS))
        .isInstanceOf(BadHeaderException.class)
        .hasMessageContaining("at most 256 --expose");
  }

  @Test
  void parse_valueWithEqualsSign_keepsEverythingAfterTheFirst() throws BadHeaderException {
    assertThat(Registrations.parse("version=1\npid=1\nlabels=a=b,c=d=e\nname==x\n", PEER, GROUPS))
        .extracting(Registration::labels, Registration::name)
        .containsExactly("a=b,c=d=e", "=x");
  }

  @Test
  void parse_blankLinesAnywhere_ignored() throws BadHeaderException {
    assertThat(Registrations.parse("\n\nversion=1\n\npid=5\n\n\nname=x", PEER, GROUPS))
        .extracting(Registration::appPid, Registration::name)
        .containsExactly(5, "x");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
    // header (\n written as ~)     | the message names
    "version=1~pid=1~color=red      | unknown registration key 'color'",
    "version=1~pid=1~Version=1      | unknown registration key 'Version'",
    "version=1~pid=1~ pid=1         | unknown registration key ' pid'",
    "version=1~pid=1~pid=2          | registration key 'pid' given twice",
    "version=1~version=1~pid=1      | registration key 'version' given twice",
    "version=1~pid=1~name=a~name=b  | registration key 'name' given twice",
    "version=1~pid=1~appid=a~appid=a| registration key 'appid' given twice",
    "version=2~pid=1                | the launcher sent '2'",
    "version=~pid=1                 | the launcher sent ''",
    "version=01~pid=1               | the launcher sent '01'",
    "pid=1                          | registration version 1",
    "version=1                      | registration pid '' is not a number",
    "version=1~pid=abc              | registration pid 'abc' is not a number",
    "version=1~pid=                 | registration pid '' is not a number",
    "version=1~pid=1.5              | registration pid '1.5' is not a number",
    "version=1~pid=99999999999      | registration pid '99999999999' is not a number",
    "version=1~pid=1~netns=container| registration netns 'container' is not new or host",
    "version=1~pid=1~netns=         | registration netns '' is not new or host",
    "version=1~pid=1~netns=HOST     | registration netns 'HOST' is not new or host",
    "version=1~pid=1~garbage        | malformed registration line 'garbage'",
    "version=1~pid=1~=value         | malformed registration line '=value'",
  })
  void parse_badHeader_refusedNamingTheProblem(String header, String fragment) {
    assertThatThrownBy(() -> Registrations.parse(header.replace('~', '\n') + "\n\n", PEER, GROUPS))
        .isInstanceOf(BadHeaderException.class)
        .hasMessageContaining(fragment);
  }

  @ParameterizedTest(name = "{index}: only newlines")
  @ValueSource(strings = {"", "\n", "\n\n\n"})
  void parse_emptyHeader_refusedForTheVersion(String header) {
    assertThatThrownBy(() -> Registrations.parse(header, PEER, GROUPS)).isInstanceOf(BadHeaderException.class).hasMessageContaining("version 1");
  }

  @Test
  void parse_hugeUnknownKey_messageIsAbbreviated() {
    String key = "k".repeat(10_000);

    assertThatThrownBy(() -> Registrations.parse("version=1\npid=1\n" + key + "=v\n", PEER, GROUPS))
        .isInstanceOf(BadHeaderException.class)
        .hasMessageContaining("unknown registration key '" + "k".repeat(64) + "...'")
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200));
  }

  @Test
  void parse_hugeMalformedLine_messageIsAbbreviated() {
    assertThatThrownBy(() -> Registrations.parse("version=1\npid=1\n" + "x".repeat(10_000) + "\n", PEER, GROUPS))
        .isInstanceOf(BadHeaderException.class)
        .satisfies(e -> assertThat(e.getMessage()).startsWith("malformed registration line").hasSizeLessThan(200));
  }

  @Test
  void parse_unknownKeyBeforeVersion_reportsTheKeyFirst() {
    // The first problem in reading order is the one the user sees.
    assertThatThrownBy(() -> Registrations.parse("version=9\nbogus=1\n", PEER, GROUPS)).hasMessageContaining("bogus");
  }

  private static String exposeLines(int n) {
    return IntStream.rangeClosed(1, n).mapToObj(i -> "expose=" + i + ":" + (20000 + i) + "\n").collect(Collectors.joining());
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(ints = {1, 192, 768})
  void fdRange_fromLauncher_isItsBase(int base) throws Exception {
    assertThat(Registrations.fdRange("version=1\npid=77\nfdbase=" + base + "\n\n")).isEqualTo(new FdRange.From(base));
  }

  @Test
  void fdRange_none_trapsEverywhere() throws Exception {
    assertThat(Registrations.fdRange(MINIMAL)).isEqualTo(new FdRange.Everywhere());
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"0", "-5", "x", ""})
  void fdRange_notPositive_isRefused(String value) {
    assertThatThrownBy(() -> Registrations.fdRange(MINIMAL + "fdbase=" + value + "\n")).isInstanceOf(BadHeaderException.class).hasMessageContaining("fdbase");
  }
}
