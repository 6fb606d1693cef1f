package io.ax.xds.pilot.mesh;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Host names the Kubernetes way. Pure functions. */
public final class Hosts {
  private Hosts() {}

  /**
   * A host as written in a rule, made fully qualified: a name without dots is a Service in the
   * rule's namespace ({@code reviews} in {@code default} is {@code reviews.default.svc.cluster.local});
   * anything else is taken as written, lower-cased.
   */
  public static String resolve(String host, String namespace, String domainSuffix) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.contains(".") || h.startsWith("*") ? h : h + "." + namespace + ".svc." + domainSuffix;
  }

  /** The host of a Kubernetes Service. */
  public static String ofService(String name, String namespace, String domainSuffix) {
    return (name + "." + namespace + ".svc." + domainSuffix).toLowerCase(Locale.ROOT);
  }

  /** True when {@code pattern} (a host or a {@code *.suffix} wildcard, or {@code *}) covers {@code host}. */
  public static boolean matches(String pattern, String host) {
    if (pattern.equals("*")) {
      return true;
    }
    if (pattern.startsWith("*.")) {
      return host.endsWith(pattern.substring(1));
    }
    return pattern.equals(host);
  }

  /**
   * The RDS domains of a service on a port, as istiod writes them for a proxy in
   * {@code proxyNamespace}: the host and its short forms ({@code reviews.default.svc},
   * {@code reviews.default}, and {@code reviews} only in the proxy's namespace), each bare and with
   * {@code :port}, then the vIP and {@code vIP:port}.
   */
  public static List<String> domains(MeshService s, int port, MeshOptions options) {
    List<String> names = new ArrayList<>();
    names.add(s.host());
    String kubeSuffix = ".svc." + options.domainSuffix();
    if (s.host().endsWith(kubeSuffix)) {
      String nameNs = s.host().substring(0, s.host().length() - kubeSuffix.length());
      int dot = nameNs.indexOf('.');
      if (dot > 0 && nameNs.indexOf('.', dot + 1) < 0) {
        String name = nameNs.substring(0, dot);
        String ns = nameNs.substring(dot + 1);
        if (ns.equals(options.proxyNamespace())) {
          names.add(name);
        }
        names.add(nameNs + ".svc");
        names.add(nameNs);
      }
    }
    s.vip().ifPresent(names::add);
    List<String> out = new ArrayList<>(names.size() * 2);
    for (String n : names) {
      out.add(n);
      out.add(n + ":" + port);
    }
    return out;
  }
}
