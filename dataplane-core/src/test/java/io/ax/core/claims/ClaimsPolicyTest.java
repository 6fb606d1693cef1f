package io.ax.core.claims;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ax.core.claims.ClaimRule.Claim;
import io.ax.core.claims.ClaimRule.Glob;
import io.ax.core.claims.ClaimRule.Principal;
import io.ax.core.claims.ClaimRule.Sharing;
import io.ax.core.field.InvalidFieldException;
import io.ax.core.net.Ipv4;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link ClaimsPolicy}: the file's rules, and errors that name FILE:LINE. */
class ClaimsPolicyTest {
  @TempDir Path tmp;

  @Test
  void parse_everyKindOfRule_inOrder_commentsAndBlankLinesSkipped() {
    ClaimsPolicy p = ClaimsPolicy.parse("claims", """
        # who may claim what
        *               label  zone=default

        group:payments  label  team=pay*   # a trailing comment
        user:alice      ip     198.18.10.0/24
        uid:1001        ip     198.18.0.7
        gid:50          name   web-*          join
        """);

    assertThat(p.source()).isEqualTo("claims");
    assertThat(p.rules()).containsExactly(
        new ClaimRule(new Principal.AnyUser(), new Claim.Label(new Glob("zone"), new Glob("default")), Sharing.UNHELD),
        new ClaimRule(new Principal.Group("payments"), new Claim.Label(new Glob("team"), new Glob("pay*")), Sharing.UNHELD),
        new ClaimRule(new Principal.User("alice"), new Claim.Ip(Ipv4.parse("ip", "198.18.10.0"), 24), Sharing.UNHELD),
        new ClaimRule(new Principal.Uid(1001), new Claim.Ip(Ipv4.parse("ip", "198.18.0.7"), 32), Sharing.UNHELD),
        new ClaimRule(new Principal.Gid(50), new Claim.Name(new Glob("web-*")), Sharing.JOIN));
  }

  @Test
  void parse_empty_hasNoRules() {
    assertThat(ClaimsPolicy.parse("empty", "# nothing granted\n\n").rules()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      *  label                                     | expected 'WHO KIND PATTERN [join]', got 2 words
      *  label  a=b  join  x                       | expected 'WHO KIND PATTERN [join]', got 5 words
      *  label  a=b  share                         | unknown option 'share' (expected 'join' or nothing)
      *  label  a=*  join                          | 'join' is for ip and name rules (labels are not held by anyone)
      *  lable  a=b                                | unknown KIND 'lable' (expected label, ip or name)
      *  label  ab                                 | label pattern 'ab' is not key=value (either side may use *)
      *  label  =b                                 | label pattern '=b' is not key=value (either side may use *)
      who  label  a=b                              | unknown WHO 'who' (expected *, user:NAME, uid:N, group:NAME or gid:N)
      user:  label  a=b                            | 'user:' names nobody (expected user:NAME)
      uid:x  label  a=b                            | 'uid:x' is not a number (expected a non-negative id)
      gid:-1  label  a=b                           | 'gid:-1' is not a number (expected a non-negative id)
      uid:0  label  a=b                            | 'uid:0': root may claim anything already; rules are for other users
      *  ip  198.18.0.0/33                         | '198.18.0.0/33' is not a CIDR block (expected a.b.c.d/N, N 0-32, no host bits set)
      *  ip  198.18.0.1/24                         | '198.18.0.1/24' is not a CIDR block (expected a.b.c.d/N, N 0-32, no host bits set)
      *  ip  198.18.0/24                           | '198.18.0' is not an IPv4 address (expected a.b.c.d or a.b.c.d/N)
      """)
  void parse_badRule_namesFileAndLine(String rule, String message) {
    assertThatThrownBy(() -> ClaimsPolicy.parse("/etc/ax/claims", "# fine\n* name web\n" + rule + "\n"))
        .isInstanceOf(InvalidFieldException.class)
        .hasMessage("--claims-policy: /etc/ax/claims:3: " + message);
  }

  @Test
  void load_file_isParsedWithItsPathAsSource() throws Exception {
    Path f = Files.writeString(tmp.resolve("claims"), "user:alice name alice-*\n");

    assertThat(ClaimsPolicy.load(f)).isEqualTo(new ClaimsPolicy(f.toString(), List.of(
        new ClaimRule(new Principal.User("alice"), new Claim.Name(new Glob("alice-*")), Sharing.UNHELD))));
  }

  @Test
  void load_missingOrHuge_oneLineError() throws Exception {
    assertThatThrownBy(() -> ClaimsPolicy.load(tmp.resolve("absent")))
        .isInstanceOf(InvalidFieldException.class)
        .hasMessageStartingWith("--claims-policy: cannot read " + tmp.resolve("absent"));
    Path huge = Files.write(tmp.resolve("huge"), new byte[(int) ClaimsPolicy.MAX_BYTES + 1]);
    assertThatThrownBy(() -> ClaimsPolicy.load(huge)).hasMessage("--claims-policy: " + huge + ": larger than 1048576 bytes");
  }

  @Test
  void parse_moreThanTheMostRules_refused() {
    String text = "* name a\n".repeat(ClaimsPolicy.MAX_RULES + 1);

    assertThatThrownBy(() -> ClaimsPolicy.parse("big", text)).hasMessage("--claims-policy: big:10001: more than 10000 rules");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      web      | web       | true
      web      | web2      | false
      web-*    | web-1     | true
      web-*    | web-      | true
      web-*    | web       | false
      *        | ''        | true
      *-db     | pay-db    | true
      *-db     | pay-dbx   | false
      a*b*c    | abc       | true
      a*b*c    | axxbyyc   | true
      a*b*c    | acb       | false
      a*a      | a         | false
      a*a      | aa        | true
      """)
  void glob_matches(String glob, String text, boolean matches) {
    assertThat(new Glob(glob).matches(text)).isEqualTo(matches);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      198.18.10.0  | 24 | 198.18.10.0    | true
      198.18.10.0  | 24 | 198.18.10.255  | true
      198.18.10.0  | 24 | 198.18.11.0    | false
      198.18.0.7   | 32 | 198.18.0.7     | true
      198.18.0.7   | 32 | 198.18.0.6     | false
      0.0.0.0      | 0  | 255.255.255.255 | true
      """)
  void ip_contains(String network, int prefix, String ip, boolean contains) {
    assertThat(new Claim.Ip(Ipv4.parse("ip", network), prefix).contains(Ipv4.parse("ip", ip))).isEqualTo(contains);
  }
}
