package io.ax.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ax.core.field.InvalidFieldException;
import io.ax.core.lb.LbPolicy;
import io.ax.core.net.Ipv4;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The fields the xDS agent brings: weights, subsets, hostnames, owner. */
class VServiceSplitTest {
  private static final Ipv4 VIP = Ipv4.parse("ip", "10.96.0.1");
  private static final List<PortMapping> PORTS = List.of(new PortMapping(9080, 9080));
  private static final Backend B1 = Backend.of(Ipv4.parse("ip", "10.0.0.1"));

  private static VService vs(List<Backend> backends, List<Subset> subsets, List<String> hostnames, String owner) {
    return new VService("reviews", VIP, PORTS, backends, LbPolicy.ROUND_ROBIN, VService.Exposure.INTERNAL, Optional.empty(), subsets, hostnames, owner);
  }

  private static Subset subset(String name, int weight) {
    return new Subset(name, weight, LbPolicy.RANDOM, List.of(B1));
  }

  private static void assertInvalid(Runnable r, String field, String text) {
    assertThatThrownBy(r::run)
        .isInstanceOfSatisfying(InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo(field))
        .hasMessageContaining(text);
  }

  @Test
  void new_subsetsWithoutBackends_accepted() {
    VService v = vs(List.of(), List.of(subset("v1", 80), subset("v2", 20)), List.of(), "xds-agent");

    assertThat(v.subsets()).extracting(Subset::name).containsExactly("v1", "v2");
    assertThat(v.owner()).isEqualTo("xds-agent");
  }

  @Test
  void new_subsetsAndBackends_refused() {
    assertInvalid(() -> vs(List.of(B1), List.of(subset("v1", 1)), List.of(), ""), "subsets", "backends or subsets, not both");
  }

  @Test
  void new_subsetNameTwice_refused() {
    assertInvalid(() -> vs(List.of(), List.of(subset("v1", 1), subset("v1", 2)), List.of(), ""), "subsets", "'v1' is listed twice");
  }

  @Test
  void new_tooManySubsets_refused() {
    List<Subset> many = IntStream.range(0, VService.MAX_SUBSETS + 1).mapToObj(i -> subset("s" + i, 1)).toList();

    assertInvalid(() -> vs(List.of(), many, List.of(), ""), "subsets", "at most " + VService.MAX_SUBSETS);
  }

  @Test
  void new_tooManyBackendsOverAllSubsets_refused() {
    List<Backend> half = Collections.nCopies(VService.MAX_BACKENDS / 2 + 1, B1);
    List<Subset> two = List.of(new Subset("a", 1, LbPolicy.RANDOM, half), new Subset("b", 1, LbPolicy.RANDOM, half));

    assertInvalid(() -> vs(List.of(), two, List.of(), ""), "subsets", "over all subsets");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, 1_000_001})
  void subset_weightOutOfRange_refusedNamingTheSubset(int weight) {
    assertInvalid(() -> subset("v1", weight), "weight", "subset v1: weight " + weight);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-v1", "v1-", "v 1", "v/1", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
  void subset_badName_refused(String name) {
    assertInvalid(() -> subset(name, 1), "name", "not a valid subset name");
  }

  @ParameterizedTest
  @ValueSource(strings = {"v1", "V2", "canary_2", "v1.2", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
  void subset_goodName_accepted(String name) {
    assertThat(subset(name, 1).name()).isEqualTo(name);
  }

  @Test
  void new_hostnames_keptInOrder() {
    VService v = vs(List.of(B1), List.of(), List.of("reviews.default.svc.cluster.local", "reviews.default"), "");

    assertThat(v.hostnames()).containsExactly("reviews.default.svc.cluster.local", "reviews.default");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "Reviews.default", "a..b", "-a.b", "a_b.c", "reviews.default."})
  void new_badHostname_refusedNamingItsIndex(String host) {
    assertInvalid(() -> vs(List.of(B1), List.of(), List.of("ok.example", host), ""), "hostnames[1]", "not a valid DNS name");
  }

  @Test
  void new_hostnameTwice_refused() {
    assertInvalid(() -> vs(List.of(B1), List.of(), List.of("a.b", "a.b"), ""), "hostnames[1]", "listed twice");
  }

  @Test
  void new_tooManyHostnames_refused() {
    List<String> many = IntStream.range(0, VService.MAX_HOSTNAMES + 1).mapToObj(i -> "h" + i + ".example").toList();

    assertInvalid(() -> vs(List.of(B1), List.of(), many, ""), "hostnames", "at most " + VService.MAX_HOSTNAMES);
  }

  @ParameterizedTest
  @ValueSource(strings = {"Xds", "-agent", "agent-", "a b", "a/b", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
  void new_badOwner_refused(String owner) {
    assertInvalid(() -> vs(List.of(B1), List.of(), List.of(), owner), "owner", "not a valid owner");
  }

  @Test
  void withOwner_changesOnlyTheOwner() {
    VService v = vs(List.of(B1), List.of(), List.of("a.b"), "");

    assertThat(v.withOwner("xds-agent")).isEqualTo(vs(List.of(B1), List.of(), List.of("a.b"), "xds-agent"));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -5, 1_000_001})
  void backend_weightOutOfRange_refused(int weight) {
    assertInvalid(() -> new Backend(Ipv4.parse("ip", "10.0.0.1"), OptionalInt.empty(), weight), "weight", "outside 1-" + Backend.MAX_WEIGHT);
  }

  @Test
  void backend_defaultWeightIsOneAndShownOnlyWhenNotOne() {
    assertThat(B1.weight()).isEqualTo(1);
    assertThat(B1).hasToString("10.0.0.1");
    assertThat(new Backend(Ipv4.parse("ip", "10.0.0.1"), OptionalInt.of(9080), 7)).hasToString("10.0.0.1:9080(w=7)");
  }
}
