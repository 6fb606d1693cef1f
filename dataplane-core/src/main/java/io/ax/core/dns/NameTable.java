package io.ax.core.dns;

import io.ax.core.model.App;
import io.ax.core.model.VService;
import io.ax.core.net.Ipv4;
import io.ax.core.state.DataplaneState;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The DNS names of one {@link DataplaneState} snapshot: each app's {@code --name} and each
 * vservice's name, under the domain. A pure function of the snapshot: a name exists exactly while
 * some app or vservice has it, so it disappears with the last app that carried it.
 *
 * <p>{@code NAME} and {@code NAME.DOMAIN} are the same name; matching ignores case and one
 * trailing dot. A name carried by several apps (or an app and a vservice) resolves to all their
 * distinct addresses, in ascending order. Apps without a name ({@code <uuid>}, as AppSwitch shows
 * them) get none. Because a bare name is also looked up under the domain, an app or vservice
 * named like an outside name ({@code example.com}) shadows it for clients of this server; that is
 * the mesh's intent.
 *
 * <p>Each vservice's {@code hostnames} (such as Istio's {@code reviews.default.svc.cluster.local})
 * are answered as exact names, in the domain or outside it, the way Istio's DNS proxy answers
 * cluster names: a hostname resolves to its vservice's vIP alone and is looked up before the
 * names under the domain. A hostname that several vservices claim answers with the vIP of the
 * one whose name sorts first.
 *
 * <p>Immutable and thread-safe.
 */
public final class NameTable {
  private final String domain;
  private final String suffix;
  // Fully qualified lower-case name (no trailing dot) -> its addresses, sorted and distinct.
  private final Map<String, List<Ipv4>> addresses;
  // Names below the domain that exist only because a longer name does ("b.c" for "a.b.c"): RFC
  // 8020 forbids NXDOMAIN for them.
  private final Set<String> interior;
  // Vservice hostnames, exact (lower case, no trailing dot) -> the vIP.
  private final Map<String, Ipv4> hostnames;

  private NameTable(String domain, Map<String, List<Ipv4>> addresses, Set<String> interior, Map<String, Ipv4> hostnames) {
    this.domain = domain;
    this.suffix = "." + domain;
    this.addresses = addresses;
    this.interior = interior;
    this.hostnames = hostnames;
  }

  /**
   * The names of {@code state} under {@code domain}.
   *
   * @param domain lower case without trailing dot, as {@link DnsConfig#domain()} holds it
   */
  public static NameTable of(DataplaneState state, String domain) {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(domain, "domain");
    String suffix = "." + domain;
    Map<String, SortedSet<Ipv4>> byName = new HashMap<>();
    for (App app : state.apps().values()) {
      // "<uuid>" is how AppSwitch shows an app run without --name: it has no DNS name.
      String name = normalize(app.name());
      if (!app.name().startsWith("<") && wellFormed(name)) {
        byName.computeIfAbsent(qualify(name, domain, suffix), k -> new TreeSet<>()).add(app.appIp());
      }
    }
    Map<String, Ipv4> hostnames = new HashMap<>();
    // vservices() is sorted by name: the first claim of a hostname is the one that sorts first.
    for (VService vs : state.vservices().values()) {
      byName.computeIfAbsent(qualify(normalize(vs.name()), domain, suffix), k -> new TreeSet<>()).add(vs.ip());
      for (String h : vs.hostnames()) {
        hostnames.putIfAbsent(h, vs.ip());
      }
    }
    Map<String, List<Ipv4>> addresses = new HashMap<>();
    Set<String> interior = new HashSet<>();
    for (Map.Entry<String, SortedSet<Ipv4>> e : byName.entrySet()) {
      addresses.put(e.getKey(), List.copyOf(e.getValue()));
      String relative = e.getKey().equals(domain) ? "" : e.getKey().substring(0, e.getKey().length() - suffix.length());
      for (int dot = relative.indexOf('.'); dot >= 0; dot = relative.indexOf('.', dot + 1)) {
        interior.add(relative.substring(dot + 1) + suffix);
      }
    }
    return new NameTable(domain, Map.copyOf(addresses), Set.copyOf(interior), Map.copyOf(hostnames));
  }

  /** The domain, lower case, without trailing dot. */
  public String domain() {
    return domain;
  }

  /** How many names have addresses. */
  public int size() {
    return addresses.size();
  }

  /**
   * The IPv4 addresses of {@code name} ({@code NAME} or {@code NAME.DOMAIN}, any case, one
   * trailing dot allowed), sorted; empty when no app or vservice has that name. A vservice
   * hostname gives that vservice's vIP alone.
   */
  public List<Ipv4> lookup(String name) {
    String n = normalize(name);
    if (!wellFormed(n)) {
      return List.of();
    }
    Ipv4 host = hostnames.get(n);
    if (host != null) {
      return List.of(host);
    }
    return addresses.getOrDefault(qualify(n, domain, suffix), List.of());
  }

  /**
   * Whether {@code name} exists: it is a vservice hostname, or under the domain it has
   * addresses, is the domain itself, or lies between the domain and a name that has addresses. Such names get NODATA rather than
   * NXDOMAIN for types they lack.
   */
  public boolean exists(String name) {
    String n = normalize(name);
    if (!wellFormed(n)) {
      return false;
    }
    if (hostnames.containsKey(n)) {
      return true;
    }
    String q = qualify(n, domain, suffix);
    return q.equals(domain) || addresses.containsKey(q) || interior.contains(q);
  }

  /** Whether {@code name} is the domain or below it (any case, one trailing dot allowed). */
  public boolean inDomain(String name) {
    String n = normalize(name);
    return n.equals(domain) || n.endsWith(suffix);
  }

  private static String normalize(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }

  // An app's --name is free text; one that cannot be a DNS name ("", ".", "a..b") gets none.
  private static boolean wellFormed(String name) {
    return !name.isEmpty() && !name.startsWith(".") && !name.contains("..");
  }

  private static String qualify(String name, String domain, String suffix) {
    return name.equals(domain) || name.endsWith(suffix) ? name : name + suffix;
  }
}
