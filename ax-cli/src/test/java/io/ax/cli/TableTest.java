package io.ax.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TableTest {
  @Test
  void render_rows_headerDashesThenColumnsTwoSpacesApart() {
    Table t = new Table(List.of("NAME", "IP", "PORTS"))
        .row(List.of("web", "10.96.0.1", "[{80 8080}]"))
        .row(List.of("a-much-longer-name", "1.1.1.1", "[]"));

    assertThat(t.render()).isEqualTo("""
        NAME                IP         PORTS
        ------------------------------------------
        web                 10.96.0.1  [{80 8080}]
        a-much-longer-name  1.1.1.1    []
        """);
  }

  @Test
  void render_emptyLastCellsAndShortCells_noTrailingSpaces() {
    Table t = new Table(List.of("A", "SOURCEIP"))
        .row(List.of("xx", ""))
        .row(List.of("abcdef", "1.2.3.4"));

    String out = t.render();

    assertThat(out.lines()).allSatisfy(l -> assertThat(l).doesNotEndWith(" "));
    assertThat(out).isEqualTo("""
        A       SOURCEIP
        ----------------
        xx
        abcdef  1.2.3.4
        """);
  }

  @Test
  void render_columnsLineUp_everyCellStartsAtTheHeaderOffset() {
    Table t = new Table(List.of("X", "YY", "Z"))
        .row(List.of("1234", "5", "6"))
        .row(List.of("7", "890123", "4"));

    List<String> lines = t.render().lines().toList();
    int y = lines.get(0).indexOf("YY");
    int z = lines.get(0).indexOf("Z");

    assertThat(y).isEqualTo("1234".length() + 2);
    assertThat(z).isEqualTo(y + "890123".length() + 2);
    assertThat(lines.get(2).charAt(y)).isEqualTo('5');
    assertThat(lines.get(3).charAt(z)).isEqualTo('4');
    assertThat(lines.get(1)).matches("-+").hasSize(lines.get(3).length());
  }

  @Test
  void render_noRows_headerAndDashesOnly() {
    Table t = new Table(List.of("NAME", "IP"));

    assertThat(t.isEmpty()).isTrue();
    assertThat(t.render()).isEqualTo("NAME  IP\n--------\n");
  }

  @Test
  void row_wrongCellCount_refusedNamingBothCounts() {
    Table t = new Table(List.of("A", "B"));

    assertThatThrownBy(() -> t.row(List.of("1", "2", "3")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("3 cells")
        .hasMessageContaining("header has 2");
    assertThat(t.isEmpty()).isTrue();
  }
}
