package io.ax.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MessagesTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      one line                       | one line
      '  padded  '                   | padded
      'first\\nsecond'               | first second
      'first  \\r\\n   second\\n'    | first second
      'a\\n\\n\\nb'                  | a b
      'tabs\\t\\n\\tstay apart'      | tabs stay apart
      """)
  void oneLine_text_lineBreaksWithTheirBlanksBecomeOneSpace(String escaped, String expected) {
    String text = escaped.replace("\\n", "\n").replace("\\r", "\r").replace("\\t", "\t");

    assertThat(Messages.oneLine(text)).isEqualTo(expected).doesNotContain("\n", "\r");
  }

  @Test
  void oneLine_exceptionWithMessage_itsMessageOnOneLine() {
    assertThat(Messages.oneLine(new IOException("cannot read\n  /etc/x"))).isEqualTo("cannot read /etc/x");
  }

  @Test
  void oneLine_exceptionWithoutMessage_itsSimpleClassName() {
    assertThat(Messages.oneLine(new IllegalStateException())).isEqualTo("IllegalStateException");
  }
}
