package io.ax.core.federation;

import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.model.Backend;
import io.ax.core.model.Labels;
import io.ax.core.model.PortMapping;
import io.ax.core.model.ServerEntry;
import io.ax.core.model.VService;
import io.ax.core.net.Endpoints;
import io.ax.core.state.DataplaneState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * One TCP service address that a cluster offers the others: the apps listening on it, or a
 * vservice's vIP:vport.
 *
 * @param labels every key=value pair of any of its servers (a key may repeat): the label ACL
 *     admits a client that shares one of them, as it would admit it to one of the servers
 */
public record ExportedService(String name, Inet4Endpoint address, List<Map.Entry<String, String>> labels) {
  public ExportedService {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(address, "address");
    labels = List.copyOf(labels);
  }

  /**
   * What cluster {@code cluster} offers, as {@code s} holds it, sorted by address: its own TCP
   * service table entries (not the services it imported from other clusters, which would echo
   * back) and its vservices' TCP vports. A vservice is labelled with its backends' servers; one
   * whose backends are all outside the mesh takes the label every app has by default.
   */
  public static List<ExportedService> of(DataplaneState s, String cluster) {
    Map<Inet4Endpoint, String> names = new TreeMap<>();
    Map<Inet4Endpoint, Set<Map.Entry<String, String>>> labels = new TreeMap<>();
    for (ServerEntry e : s.servers().values()) {
      if (e.protocol() != Transport.TCP || !e.cluster().equals(cluster)) {
        continue;
      }
      names.merge(e.serviceAddr(), e.name(), (a, b) -> a.compareTo(b) <= 0 ? a : b);
      labels.computeIfAbsent(e.serviceAddr(), k -> new LinkedHashSet<>()).addAll(e.labels().entries().entrySet());
    }
    for (VService vs : s.vservices().values()) {
      for (PortMapping m : vs.ports()) {
        Inet4Endpoint at = Endpoints.of(vs.ip(), m.vport());
        if (names.containsKey(at)) {
          continue; // apps listening on a vIP:vport are what a client there reaches
        }
        Set<Map.Entry<String, String>> pairs = new LinkedHashSet<>();
        for (Backend b : backendsOf(vs)) {
          Inet4Endpoint target = Endpoints.of(b.ip(), b.port().orElse(m.appPort()));
          for (ServerEntry e : s.serversAt(target)) {
            if (e.protocol() == Transport.TCP && e.cluster().equals(cluster)) {
              pairs.addAll(e.labels().entries().entrySet());
            }
          }
        }
        if (pairs.isEmpty()) {
          pairs.addAll(Labels.DEFAULT.entries().entrySet());
        }
        names.put(at, vs.name());
        labels.put(at, pairs);
      }
    }
    List<ExportedService> out = new ArrayList<>(names.size());
    names.forEach((at, name) -> out.add(new ExportedService(name, at, List.copyOf(labels.get(at)))));
    return out;
  }

  private static List<Backend> backendsOf(VService vs) {
    if (vs.subsets().isEmpty()) {
      return vs.backends();
    }
    List<Backend> all = new ArrayList<>();
    vs.subsets().forEach(sub -> all.addAll(sub.backends()));
    return all;
  }

  /**
   * The pairs split into label sets with each key once, for service table entries: the first
   * set takes every key's first value, the next the second values, and so on.
   */
  public List<Labels> labelSets() {
    List<Map<String, String>> sets = new ArrayList<>();
    for (Map.Entry<String, String> pair : labels) {
      Map<String, String> into = null;
      for (Map<String, String> set : sets) {
        if (!set.containsKey(pair.getKey())) {
          into = set;
          break;
        }
      }
      if (into == null) {
        into = new LinkedHashMap<>();
        sets.add(into);
      }
      into.put(pair.getKey(), pair.getValue());
    }
    if (sets.isEmpty()) {
      return List.of(Labels.NONE);
    }
    return sets.stream().map(Labels::new).toList();
  }
}
