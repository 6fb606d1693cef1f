package io.ax.core.claims;

import io.ax.core.net.Ipv4;
import java.util.List;
import java.util.Objects;

/**
 * One line of a claims policy: who may claim what in {@code ax run}, and whether they may also
 * join what another user's apps already hold. Immutable.
 *
 * @param who the users the rule is for
 * @param what the labels, vIPs or names it grants
 * @param sharing whether a vIP or name held by another user's apps may be joined too
 */
public record ClaimRule(Principal who, Claim what, Sharing sharing) {
  public ClaimRule {
    Objects.requireNonNull(who, "who");
    Objects.requireNonNull(what, "what");
    Objects.requireNonNull(sharing, "sharing");
  }

  /** Whether a rule's grant stops at what nobody else holds. */
  public enum Sharing {
    /** Only what no other user's app holds (the owner of a vIP or name keeps it). */
    UNHELD,
    /** Also what other users' apps hold: the rule's users serve beside them, and share their clients. */
    JOIN
  }

  /** Who a rule is for. Root is never one of them: it may claim anything. */
  public sealed interface Principal {
    /** {@code *}: every user but root. */
    record AnyUser() implements Principal {}

    /** {@code user:NAME}: the user of that login name. */
    record User(String name) implements Principal {}

    /** {@code uid:N}. */
    record Uid(int uid) implements Principal {}

    /** {@code group:NAME}: members of that group (primary or supplementary, when they run {@code ax run}). */
    record Group(String name) implements Principal {}

    /** {@code gid:N}. */
    record Gid(int gid) implements Principal {}
  }

  /** What a rule grants. */
  public sealed interface Claim {
    /** The word of the policy file for this kind: {@code label}, {@code ip}, {@code name}. */
    String kind();

    /** {@code key=value}, each side a {@link Glob}: {@code team=payments}, {@code role=*}. */
    record Label(Glob key, Glob value) implements Claim {
      public Label {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
      }

      @Override
      public String kind() {
        return "label";
      }

      public boolean matches(String k, String v) {
        return key.matches(k) && value.matches(v);
      }

      @Override
      public String toString() {
        return key + "=" + value;
      }
    }

    /** A block of vIPs, {@code 198.18.10.0/24} (a single address is {@code /32}). */
    record Ip(Ipv4 network, int prefix) implements Claim {
      public Ip {
        Objects.requireNonNull(network, "network");
        if (prefix < 0 || prefix > 32) {
          throw new IllegalArgumentException("prefix " + prefix + " is out of range (0-32)");
        }
        if ((network.bits() & ~mask(prefix)) != 0) {
          throw new IllegalArgumentException(network + "/" + prefix + " has host bits set");
        }
      }

      @Override
      public String kind() {
        return "ip";
      }

      public boolean contains(Ipv4 ip) {
        return (ip.bits() & mask(prefix)) == network.bits();
      }

      static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
      }

      @Override
      public String toString() {
        return network + "/" + prefix;
      }
    }

    /** A {@link Glob} of app names ({@code --name}): {@code web-*}. */
    record Name(Glob pattern) implements Claim {
      public Name {
        Objects.requireNonNull(pattern, "pattern");
      }

      @Override
      public String kind() {
        return "name";
      }

      @Override
      public String toString() {
        return pattern.toString();
      }
    }
  }

  /**
   * A pattern where {@code *} stands for any run of characters (none included) and every other
   * character for itself; no escapes, since label keys, values and names cannot contain
   * {@code *}.
   */
  public record Glob(String text) {
    public Glob {
      Objects.requireNonNull(text, "text");
    }

    public boolean matches(String s) {
      List<String> parts = List.of(text.split("\\*", -1));
      if (parts.size() == 1) {
        return s.equals(text);
      }
      if (!s.startsWith(parts.getFirst()) || !s.endsWith(parts.getLast()) || s.length() < parts.getFirst().length() + parts.getLast().length()) {
        return false;
      }
      // Greedy left to right is exact for '*' alone: each middle part at its first place after
      // the previous one leaves the most room for the rest.
      int at = parts.getFirst().length();
      int end = s.length() - parts.getLast().length();
      for (String middle : parts.subList(1, parts.size() - 1)) {
        int found = s.indexOf(middle, at);
        if (found < 0 || found + middle.length() > end) {
          return false;
        }
        at = found + middle.length();
      }
      return true;
    }

    @Override
    public String toString() {
      return text;
    }
  }
}
