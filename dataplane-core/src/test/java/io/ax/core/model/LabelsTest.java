package io.ax.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.ax.core.field.InvalidFieldException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class LabelsTest {

  static Stream<Arguments> validCsv() {
    return Stream.of(
        Arguments.of("role=test", Map.of("role", "test")),
        Arguments.of("role=prod,zone=default", Map.of("role", "prod", "zone", "default")),
        Arguments.of(" role=prod , zone=eu ", Map.of("role", "prod", "zone", "eu")),
        Arguments.of("k=", Map.of("k", "")),
        Arguments.of("url=a=b", Map.of("url", "a=b")),
        Arguments.of("app.kubernetes.io/name=web", Map.of("app.kubernetes.io/name", "web")));
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @MethodSource("validCsv")
  void parse_validCsv_givesPairs(String csv, Map<String, String> expected) {
    assertThat(Labels.parse("--labels", csv).entries()).containsExactlyInAnyOrderEntriesOf(expected);
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(strings = {"", " ", "\t"})
  void parse_blank_givesNoLabels(String csv) {
    assertThat(Labels.parse("--labels", csv)).isEqualTo(Labels.NONE);
    assertThat(Labels.parse("--labels", csv).isEmpty()).isTrue();
  }

  @Test
  void parse_keepsUserOrder_andPrintsBack() {
    Labels labels = Labels.parse("--labels", "zone=eu,role=prod,tier=db");

    assertThat(labels.asList()).extracting(Map.Entry::getKey).containsExactly("zone", "role", "tier");
    assertThat(labels).hasToString("zone=eu,role=prod,tier=db");
    assertThat(Labels.parse("--labels", labels.toString())).isEqualTo(labels);
  }

  @ParameterizedTest(name = "[{index}] \"{0}\" ({1})")
  @CsvSource(
      delimiter = '|',
      value = {
        "role               | '=' is missing",
        "=prod              | empty key",
        "role=a,role=b      | key given twice",
        "role=a,,zone=b     | empty item",
        "role=a,            | trailing comma",
        ",role=a            | leading comma",
      })
  void parse_malformed_failsNamingField(String csv, String why) {
    assertThatThrownBy(() -> Labels.parse("--labels", csv))
        .as(why)
        .isInstanceOf(InvalidFieldException.class)
        .hasMessageStartingWith("--labels: ");
  }

  @Test
  void parse_duplicateKey_namesTheKey() {
    assertThatThrownBy(() -> Labels.parse("--labels", "role=a,role=b")).hasMessageContaining("'role'");
  }

  @Test
  void parse_missingEquals_namesTheItem() {
    assertThatThrownBy(() -> Labels.parse("--labels", "zone=a,oops")).hasMessageContaining("'oops'");
  }

  @Test
  void parse_64Labels_accepted_65Refused() {
    String sixtyFour = IntStream.range(0, 64).mapToObj(i -> "k" + i + "=v").collect(Collectors.joining(","));

    assertThat(Labels.parse("--labels", sixtyFour).entries()).hasSize(64);
    assertThatThrownBy(() -> Labels.parse("--labels", sixtyFour + ",k64=v"))
        .isInstanceOf(InvalidFieldException.class)
        .hasMessageContaining("64");
  }

  @Test
  void parse_keyOrValueOver253Characters_refused() {
    String long254 = "x".repeat(254);

    assertThat(Labels.parse("--labels", "x".repeat(253) + "=" + "y".repeat(253)).entries()).hasSize(1);
    assertThatThrownBy(() -> Labels.parse("--labels", long254 + "=v")).isInstanceOf(InvalidFieldException.class);
    assertThatThrownBy(() -> Labels.parse("--labels", "k=" + long254)).isInstanceOf(InvalidFieldException.class);
  }

  @Test
  void of_pairs_checkedLikeParse() {
    assertThat(Labels.of("labels", List.of(entry("role", "test"), entry("zone", "eu"))))
        .isEqualTo(Labels.parse("x", "role=test,zone=eu"));
    assertThatThrownBy(() -> Labels.of("labels", List.of(entry("role", "a"), entry("role", "b"))))
        .isInstanceOf(InvalidFieldException.class)
        .hasMessageStartingWith("labels: ");
    assertThatThrownBy(() -> Labels.of("labels", List.of(entry("", "a")))).isInstanceOf(InvalidFieldException.class);
  }

  @Test
  void default_isZoneDefault() {
    assertThat(Labels.DEFAULT.entries()).containsExactly(entry("zone", "default"));
  }

  @ParameterizedTest(name = "[{index}] \"{0}\" vs \"{1}\" -> {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "role=test               | role=test               | true",
        "role=test               | role=prod               | false",
        "role=test,zone=eu       | zone=eu                  | true",
        "zone=eu                 | role=test,zone=eu,a=b    | true",
        "role=test               | zone=test                | false", // same value, other key
        "role=test               | test=role                | false",
        "a=1,b=2,c=3             | c=4,b=3,a=2              | false",
        "a=1,b=2,c=3             | x=9,c=3                  | true",
        "role=test               | ''                       | false",
        "''                      | ''                       | false", // no labels reach nothing
        "zone=default            | zone=default             | true",
        "k=                      | k=                       | true",
        "k=                      | k=v                      | false",
      })
  void sharesAnyWith_isSymmetricLabelAcl(String left, String right, boolean expected) {
    Labels a = Labels.parse("a", left);
    Labels b = Labels.parse("b", right);

    assertThat(a.sharesAnyWith(b)).isEqualTo(expected);
    assertThat(b.sharesAnyWith(a)).isEqualTo(expected);
  }

  @Test
  void new_copiesTheMap_andIsUnmodifiable() {
    Map<String, String> source = new HashMap<>(Map.of("role", "test"));
    Labels labels = new Labels(source);

    source.put("zone", "eu");

    assertThat(labels.entries()).containsOnlyKeys("role");
    assertThatThrownBy(() -> labels.entries().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
  }
}
