package io.ax.xds.translate;

import java.util.Locale;
import java.util.Objects;

/**
 * The names the agent gives vservices, so that a user recognises the Istio service: the host
 * with a Kubernetes {@code .svc.<domain>} suffix stripped, then {@code -PORT}
 * ({@code reviews.default.svc.cluster.local} port 9080: {@code reviews.default-9080};
 * {@code www.google.com} port 443: {@code www.google.com-443}). The result is a valid DNS name:
 * lower case, a character DNS cannot hold becomes '-', a leading wildcard label {@code *} becomes
 * {@code wildcard}, labels are trimmed of '-' and cut to 63 characters.
 */
public final class VServiceNames {
  private VServiceNames() {}

  private static final int MAX_LABEL = 63;
  private static final int MAX_NAME = 253;

  public static String of(String host, int port) {
    Objects.requireNonNull(host, "host");
    String suffix = "-" + port;
    String base = dnsName(stripKubernetesSuffix(host.toLowerCase(Locale.ROOT)));
    if (base.isEmpty()) {
      base = "service";
    }
    if (base.length() + suffix.length() > MAX_NAME) {
      base = base.substring(0, MAX_NAME - suffix.length());
      base = trimDashes(base.endsWith(".") ? base.substring(0, base.length() - 1) : base);
    }
    return base + suffix;
  }

  /**
   * {@code NAME.NAMESPACE.svc.DOMAIN} becomes {@code NAME.NAMESPACE}; any other host is kept (a
   * ServiceEntry host like {@code api.svc.example.com} has one label before ".svc.", not two).
   */
  static String stripKubernetesSuffix(String host) {
    int svc = host.indexOf(".svc.");
    if (svc <= 0 || svc + 5 >= host.length()) {
      return host;
    }
    String head = host.substring(0, svc);
    int dot = head.indexOf('.');
    if (dot <= 0 || dot == head.length() - 1 || head.indexOf('.', dot + 1) >= 0) {
      return host;
    }
    return head;
  }

  /** Makes each label of {@code name} a DNS label; empty labels are dropped. */
  static String dnsName(String name) {
    StringBuilder out = new StringBuilder(name.length());
    for (String label : name.split("\\.")) {
      String l = label.equals("*") ? "wildcard" : clean(label);
      if (l.isEmpty()) {
        continue;
      }
      if (!out.isEmpty()) {
        out.append('.');
      }
      out.append(l);
    }
    return out.toString();
  }

  private static String clean(String label) {
    StringBuilder b = new StringBuilder(label.length());
    for (int i = 0; i < label.length(); i++) {
      char c = label.charAt(i);
      b.append((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ? c : '-');
    }
    String l = trimDashes(b.toString());
    return l.length() > MAX_LABEL ? trimDashes(l.substring(0, MAX_LABEL)) : l;
  }

  private static String trimDashes(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && s.charAt(start) == '-') {
      start++;
    }
    while (end > start && s.charAt(end - 1) == '-') {
      end--;
    }
    return s.substring(start, end);
  }

  /** The daemon's limit for a subset name (a DNS label). */
  static final int SUBSET_NAME_MAX = 63;

  /**
   * The daemon's subset names are unique within a vservice and at most 63 characters: a long
   * name keeps its start and ends in a hash of the whole; a taken one (a DestinationRule subset
   * called "default", say) gets "-2", "-3"...
   */
  static String uniqueSubset(String preferred, java.util.Set<String> taken) {
    String n = fit(preferred, "");
    for (int k = 2; taken.contains(n); k++) {
      n = fit(preferred, "-" + k);
    }
    return n;
  }

  private static String fit(String name, String suffix) {
    if (name.length() + suffix.length() <= SUBSET_NAME_MAX) {
      return name + suffix;
    }
    String hash = "-" + Integer.toHexString(name.hashCode());
    String head = name.substring(0, SUBSET_NAME_MAX - hash.length() - suffix.length()).replaceAll("[^a-z0-9]+$", "");
    return head + hash + suffix;
  }
}
