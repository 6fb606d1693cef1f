package io.ax.xds.pilot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SuspectsTest {
  static final Path A = Path.of("/config/a.yaml");
  static final Path B = Path.of("/config/b.yaml");

  @Test
  void includes_namedFile_onlyThatOne() {
    Suspects named = new Suspects.Named(Set.of(A));

    assertThat(named.includes(A)).isTrue();
    assertThat(named.includes(B)).isFalse();
    assertThat(Suspects.NONE.includes(A)).isFalse();
    assertThat(Suspects.ALL.includes(B)).isTrue();
  }

  @Test
  void union_ofABurst_namesEveryFileOrAllWhenEventsWereLost() {
    Suspects a = new Suspects.Named(Set.of(A));
    Suspects b = new Suspects.Named(Set.of(B));

    assertThat(Suspects.NONE.union(a)).isEqualTo(a);
    assertThat(a.union(Suspects.NONE)).isEqualTo(a);
    assertThat(a.union(b)).isEqualTo(new Suspects.Named(Set.of(A, B)));
    assertThat(a.union(Suspects.ALL)).isEqualTo(Suspects.ALL);
    assertThat(Suspects.ALL.union(b)).isEqualTo(Suspects.ALL);
  }
}
