package io.ax.core.ports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ax.core.field.InvalidFieldException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class PortRangesTest {

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @CsvSource(
      delimiter = '|',
      value = {
        "4000,6000-8000         | 4000,6000-8000      | 2002",
        "6000-8000,4000         | 4000,6000-8000      | 2002", // sorted by first port
        "' 4000 , 6000-8000 '   | 4000,6000-8000      | 2002",
        "1-65535                | 1-65535             | 65535",
        "40000-60000            | 40000-60000         | 20001",
        "80                     | 80                  | 1",
        "80-80                  | 80                  | 1",
        "10,9,8                 | 8,9,10              | 3", // touching but not overlapping
        "100-199,200-299        | 100-199,200-299     | 200",
      })
  void parse_validCsv_givesSortedRanges(String csv, String printed, int size) {
    PortRanges ranges = PortRanges.parse("--ports", csv);

    assertThat(ranges).hasToString(printed);
    assertThat(ranges.size()).isEqualTo(size);
    assertThat(PortRanges.parse("--ports", ranges.toString())).isEqualTo(ranges);
  }

  @ParameterizedTest(name = "[{index}] \"{0}\" names \"{1}\"")
  @CsvSource(
      delimiter = '|',
      value = {
        "abc                | 'abc'",
        "4000,abc           | 'abc'",
        "4000,              | not a port", // trailing comma: an empty item
        ",4000              | not a port",
        "4000,,5000         | not a port",
        "4000-              | '4000-'",
        "-4000              | '-4000'",
        "1-2-3              | '1-2-3'",
        "4000 5000          | '4000 5000'",
        "4000..5000         | '4000..5000'",
        "+80                | '+80'",
        "0x50               | '0x50'",
        "123456             | '123456'",
        "8000-6000          | '8000-6000'", // reversed
        "0                  | 0",
        "0-100              | 0",
        "65536              | 65536",
        "60000-70000        | 70000",
        "99999              | 99999",
        "4000,4000          | 4000", // overlapping
        "6000-8000,7000     | 7000",
        "6000-8000,5000-6000| 5000-6000",
        "1-100,50-60        | 50-60",
        "1-100,200-300,50   | 50",
      })
  void parse_badItem_failsNamingFieldAndItem(String csv, String named) {
    assertThatThrownBy(() -> PortRanges.parse("--ports", csv))
        .isInstanceOf(InvalidFieldException.class)
        .hasMessageStartingWith("--ports: ")
        .hasMessageContaining(named)
        .satisfies(e -> assertThat(((InvalidFieldException) e).field()).isEqualTo("--ports"));
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @NullAndEmptySource
  @ValueSource(strings = {" ", "\t"})
  void parse_nothing_failsNamingField(String csv) {
    assertThatThrownBy(() -> PortRanges.parse("--ports", csv))
        .isInstanceOf(InvalidFieldException.class)
        .hasMessageStartingWith("--ports: ");
  }

  /**
   * Ports.parse takes ASCII digits only; the port space must not take other scripts' digits,
   * which Character.isDigit and Integer.parseInt both accept.
   */
  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(strings = {"٤٠٠٠", "４０００", "4000-٥٠٠٠"})
  void parse_nonAsciiDigits_refused(String csv) {
    assertThatThrownBy(() -> PortRanges.parse("--ports", csv))
        .isInstanceOf(InvalidFieldException.class)
        .hasMessageStartingWith("--ports: ");
  }

  @Test
  void default_isAppSwitchSpace() {
    assertThat(PortRanges.DEFAULT).hasToString("40000-60000");
  }

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource({"3999, false", "4000, true", "4001, false", "5999, false", "6000, true", "7000, true", "8000, true", "8001, false", "0, false", "-1, false", "70000, false"})
  void contains_onlyPortsInARange(int port, boolean expected) {
    assertThat(PortRanges.parse("--ports", "4000,6000-8000").contains(port)).isEqualTo(expected);
  }

  @Test
  void new_noRanges_refused() {
    assertThatThrownBy(() -> new PortRanges(List.of())).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest(name = "[{index}] {0}-{1}")
  @CsvSource({"0, 10", "10, 65536", "10, 9", "-5, 5"})
  void portRangeNew_invalid_refused(int first, int last) {
    assertThatThrownBy(() -> new PortRange(first, last)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest(name = "[{index}] {0} vs {1} -> {2}")
  @CsvSource({"1-10, 10-20, true", "1-10, 11-20, false", "5-5, 1-10, true", "1-10, 5-5, true", "20-30, 1-19, false"})
  void portRangeOverlaps_symmetric(String a, String b, boolean expected) {
    PortRange x = PortRanges.parse("a", a).ranges().getFirst();
    PortRange y = PortRanges.parse("b", b).ranges().getFirst();

    assertThat(x.overlaps(y)).isEqualTo(expected);
    assertThat(y.overlaps(x)).isEqualTo(expected);
  }
}
