package io.ax.core.claims;

import io.ax.core.claims.ClaimRule.Claim;
import io.ax.core.claims.ClaimRule.Glob;
import io.ax.core.claims.ClaimRule.Principal;
import io.ax.core.claims.ClaimRule.Sharing;
import io.ax.core.field.InvalidFieldException;
import io.ax.core.net.Ipv4;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Which users other than root may claim which labels, vIPs and names in {@code ax run}: the rules
 * of {@code ax daemon --claims-policy FILE}, or the built-in ones. Immutable.
 *
 * <p>The file has one rule a line, {@code WHO KIND PATTERN [join]}; {@code #} starts a comment:
 *
 * <pre>
 * *               label  zone=default
 * group:payments  label  team=payments
 * user:alice      ip     198.18.10.0/24
 * group:web       name   web-*          join
 * </pre>
 *
 * WHO is {@code *}, {@code user:NAME}, {@code uid:N}, {@code group:NAME} or {@code gid:N}; KIND
 * is {@code label} (PATTERN {@code key=value}), {@code ip} (a CIDR) or {@code name}; {@code *}
 * in a label or name pattern matches any run of characters. {@code join} also lets the rule's
 * users take a vIP or name that another user's apps hold. What the rules do not grant, a user
 * other than root may not claim, except labels of its own namespace (see {@link ClaimsGate}).
 *
 * @param source where the rules come from, for messages: the file, or the built-in policy
 */
public record ClaimsPolicy(String source, List<ClaimRule> rules) {
  /** The flag that names the file, for errors. */
  public static final String FLAG = "--claims-policy";

  // A policy file is written by the operator, but it is still input: bound it.
  static final long MAX_BYTES = 1024 * 1024;
  static final int MAX_RULES = 10_000;

  /**
   * Without {@code --claims-policy}: any user may label apps {@code zone=default} (what {@code ax
   * run} gives an app without {@code --labels}, so plain {@code ax run} keeps working) and take
   * any vIP and name that no other user's app holds. Labels other than that and the user's own
   * namespace need a policy file, so that a label on a server (role=prod) is a boundary.
   */
  public static final ClaimsPolicy BUILT_IN = new ClaimsPolicy("the built-in claims policy", List.of(
      new ClaimRule(new Principal.AnyUser(), new Claim.Label(new Glob("zone"), new Glob("default")), Sharing.UNHELD),
      new ClaimRule(new Principal.AnyUser(), new Claim.Ip(Ipv4.ANY, 0), Sharing.UNHELD),
      new ClaimRule(new Principal.AnyUser(), new Claim.Name(new Glob("*")), Sharing.UNHELD)));

  public ClaimsPolicy {
    Objects.requireNonNull(source, "source");
    rules = List.copyOf(rules);
  }

  /**
   * Reads a policy file.
   *
   * @throws InvalidFieldException naming {@value #FLAG} and {@code FILE:LINE} of the first bad rule
   */
  public static ClaimsPolicy load(Path file) {
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new InvalidFieldException(FLAG, file + ": larger than " + MAX_BYTES + " bytes");
      }
      return parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new InvalidFieldException(FLAG, "cannot read " + file + ": " + e.getMessage());
    }
  }

  /** Parses a policy's text; {@code source} names it in errors ({@code source:LINE: ...}). */
  public static ClaimsPolicy parse(String source, String text) {
    List<ClaimRule> rules = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      int hash = line.indexOf('#');
      String[] words = (hash >= 0 ? line.substring(0, hash) : line).strip().split("\\s+");
      if (words.length == 1 && words[0].isEmpty()) {
        continue;
      }
      String at = source + ":" + (i + 1) + ": ";
      if (rules.size() >= MAX_RULES) {
        throw new InvalidFieldException(FLAG, at + "more than " + MAX_RULES + " rules");
      }
      rules.add(rule(at, words));
    }
    return new ClaimsPolicy(source, rules);
  }

  private static ClaimRule rule(String at, String[] words) {
    if (words.length < 3 || words.length > 4) {
      throw new InvalidFieldException(FLAG, at + "expected 'WHO KIND PATTERN [join]', got " + words.length + " words");
    }
    Sharing sharing = Sharing.UNHELD;
    if (words.length == 4) {
      if (!words[3].equals("join")) {
        throw new InvalidFieldException(FLAG, at + "unknown option '" + words[3] + "' (expected 'join' or nothing)");
      }
      sharing = Sharing.JOIN;
    }
    Claim claim = claim(at, words[1], words[2]);
    if (sharing == Sharing.JOIN && claim instanceof Claim.Label) {
      throw new InvalidFieldException(FLAG, at + "'join' is for ip and name rules (labels are not held by anyone)");
    }
    return new ClaimRule(principal(at, words[0]), claim, sharing);
  }

  private static Principal principal(String at, String who) {
    if (who.equals("*")) {
      return new Principal.AnyUser();
    }
    int colon = who.indexOf(':');
    String kind = colon > 0 ? who.substring(0, colon) : "";
    String name = who.substring(colon + 1);
    if (name.isEmpty() && !kind.isEmpty()) {
      throw new InvalidFieldException(FLAG, at + "'" + who + "' names nobody (expected " + kind + ":NAME)");
    }
    return switch (kind) {
      case "user" -> new Principal.User(name);
      case "group" -> new Principal.Group(name);
      case "uid" -> new Principal.Uid(id(at, who, name));
      case "gid" -> new Principal.Gid(id(at, who, name));
      default -> throw new InvalidFieldException(FLAG, at + "unknown WHO '" + who + "' (expected *, user:NAME, uid:N, group:NAME or gid:N)");
    };
  }

  private static int id(String at, String who, String n) {
    try {
      int id = Integer.parseInt(n);
      if (id < 0) {
        throw new NumberFormatException();
      }
      if (id == 0) {
        throw new InvalidFieldException(FLAG, at + "'" + who + "': root may claim anything already; rules are for other users");
      }
      return id;
    } catch (NumberFormatException e) {
      throw new InvalidFieldException(FLAG, at + "'" + who + "' is not a number (expected a non-negative id)");
    }
  }

  private static Claim claim(String at, String kind, String pattern) {
    return switch (kind) {
      case "label" -> {
        int eq = pattern.indexOf('=');
        if (eq <= 0) {
          throw new InvalidFieldException(FLAG, at + "label pattern '" + pattern + "' is not key=value (either side may use *)");
        }
        yield new Claim.Label(new Glob(pattern.substring(0, eq)), new Glob(pattern.substring(eq + 1)));
      }
      case "ip" -> cidr(at, pattern);
      case "name" -> new Claim.Name(new Glob(pattern));
      default -> throw new InvalidFieldException(FLAG, at + "unknown KIND '" + kind + "' (expected label, ip or name)");
    };
  }

  private static Claim.Ip cidr(String at, String pattern) {
    int slash = pattern.indexOf('/');
    String ip = slash >= 0 ? pattern.substring(0, slash) : pattern;
    int prefix = 32;
    try {
      if (slash >= 0) {
        prefix = Integer.parseInt(pattern.substring(slash + 1));
      }
      return new Claim.Ip(Ipv4.parse("ip", ip), prefix);
    } catch (InvalidFieldException e) {
      throw new InvalidFieldException(FLAG, at + "'" + ip + "' is not an IPv4 address (expected a.b.c.d or a.b.c.d/N)");
    } catch (IllegalArgumentException e) {
      // NumberFormatException included
      throw new InvalidFieldException(FLAG, at + "'" + pattern + "' is not a CIDR block (expected a.b.c.d/N, N 0-32, no host bits set)");
    }
  }
}
