package io.ax.xds.pilot.config;

import com.google.common.net.InetAddresses;
import com.google.common.net.InternetDomainName;
import java.net.Inet4Address;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.List;

/**
 * WorkloadEntries and ServiceEntry endpoints. Istio allows addresses ax cannot connect to: a
 * {@code unix://} socket, an IPv6 address, no address at all (a workload behind its network's
 * gateway), a DNS name for a WorkloadEntry. Such an endpoint is valid config: it is skipped with a
 * note and the rest of its file is served. An address that is none of Istio's forms is an error.
 */
final class Workloads {
  private Workloads() {}

  /** What an address is, as Istio's validation tells them apart. */
  private enum Form {
    IPV4,
    IPV6,
    UNIX,
    DNS_NAME
  }

  /** A WorkloadEntry, or empty (with a note) when ax cannot connect to it. */
  static Optional<ConfigObject> entry(Meta meta, At spec, List<Note> notes) throws ConfigException {
    Optional<At> address = spec.opt("address");
    if (address.isEmpty()) {
      notes.add(Note.warn(meta.id(), "has no address (Istio reaches it through its network's gateway); skipped, ax needs an IPv4 address"));
      return Optional.empty();
    }
    String a = address.get().name();
    switch (form(address.get())) {
      case IPV4 -> {}
      case DNS_NAME -> {
        notes.add(Note.warn(meta.id(), "address " + a + " is a DNS name; skipped, ax needs an IPv4 address for a workload"));
        return Optional.empty();
      }
      case IPV6 -> {
        notes.add(Note.warn(meta.id(), "address " + a + " is IPv6; skipped, the mesh is IPv4"));
        return Optional.empty();
      }
      case UNIX -> {
        notes.add(Note.warn(meta.id(), "address " + a + " is a unix socket; skipped, ax connects over TCP/IPv4"));
        return Optional.empty();
      }
    }
    return Optional.of(new WorkloadEntry(meta, workload(a, spec)));
  }

  /** One of a ServiceEntry's {@code endpoints}: an IPv4 address or a DNS name; empty (with a note) otherwise. */
  static Optional<Workload> endpoint(Meta meta, At spec, List<Note> notes) throws ConfigException {
    Optional<At> address = spec.opt("address");
    if (address.isEmpty()) {
      notes.add(Note.warn(meta.id(), spec.path() + " has no address (Istio reaches it through its network's gateway); skipped"));
      return Optional.empty();
    }
    String a = address.get().name();
    switch (form(address.get())) {
      case IPV4, DNS_NAME -> {}
      case IPV6 -> {
        notes.add(Note.warn(meta.id(), spec.path() + ".address " + a + " is IPv6; skipped, the mesh is IPv4"));
        return Optional.empty();
      }
      case UNIX -> {
        notes.add(Note.warn(meta.id(), spec.path() + ".address " + a + " is a unix socket; skipped, ax connects over TCP/IPv4"));
        return Optional.empty();
      }
    }
    return Optional.of(workload(a, spec));
  }

  private static Form form(At address) throws ConfigException {
    String v = address.name();
    if (v.startsWith("unix://")) {
      if (v.length() == "unix://".length()) {
        throw address.error("'" + v + "' names no socket (expected unix:///path/to/socket)");
      }
      return Form.UNIX;
    }
    if (InetAddresses.isInetAddress(v)) {
      return InetAddresses.forString(v) instanceof Inet4Address ? Form.IPV4 : Form.IPV6;
    }
    // A dotted quad out of range (10.0.0.300) is a typo of an address, not a host name.
    if (!v.matches("[0-9.]+") && InternetDomainName.isValid(v)) {
      return Form.DNS_NAME;
    }
    throw address.error("'" + v + "' is not an IP address, a DNS name or a unix:// socket");
  }

  private static Workload workload(String address, At spec) throws ConfigException {
    Map<String, String> labels = spec.optStringMap("labels");
    Map<String, Integer> ports = new LinkedHashMap<>();
    if (spec.opt("ports").isPresent()) {
      for (Map.Entry<String, At> e : spec.req("ports").entries()) {
        ports.put(e.getKey(), e.getValue().port());
      }
    }
    int weight = spec.opt("weight").isPresent() ? spec.req("weight").integer(0, Integer.MAX_VALUE) : 1;
    String locality = spec.optString("locality", "");
    return new Workload(address, labels, ports, Math.max(weight, 1), locality);
  }
}
