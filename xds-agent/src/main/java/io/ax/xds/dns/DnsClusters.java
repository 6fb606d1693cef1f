package io.ax.xds.dns;

import io.ax.xds.resource.ClusterResource;
import io.ax.xds.resource.DiscoveryType;
import io.ax.xds.resource.LbEndpoint;
import io.ax.xds.resource.XdsAddress;
import io.ax.xds.translate.Translation;
import io.ax.xds.translate.Translator;
import io.ax.xds.translate.XdsSnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The agent as Envoy for STRICT_DNS and LOGICAL_DNS clusters (istiod's clusters of ServiceEntries
 * with {@code resolution: DNS} and {@code DNS_ROUND_ROBIN}): their endpoints are host names, which
 * Envoy resolves itself and keeps fresh. Here {@link DnsRefresher} keeps the answers and this class
 * puts them in the snapshot before {@link Translator} turns it into vservices, so the daemon gets
 * IPv4 backends that follow DNS. Pure, apart from {@link #translator}, which drives a refresher.
 */
public final class DnsClusters {
  private DnsClusters() {}

  /** The host names that the DNS clusters of {@code snapshot} need resolved. */
  public static Set<String> hosts(XdsSnapshot snapshot) {
    Set<String> out = new TreeSet<>();
    for (ClusterResource c : snapshot.clusters().values()) {
      if (isDns(c)) {
        for (LbEndpoint e : c.inlineEndpoints()) {
          if (e.address() instanceof XdsAddress.Hostname h) {
            out.add(h.host());
          }
        }
      }
    }
    return out;
  }

  /**
   * {@code snapshot} with each host-name endpoint of a DNS cluster replaced by its answers: every
   * address (STRICT_DNS) or the first (LOGICAL_DNS, as Envoy uses only the first), each with the
   * endpoint's port, weight, locality and priority. A host without addresses yet adds nothing.
   */
  public static XdsSnapshot resolve(XdsSnapshot snapshot, Map<String, List<String>> answers) {
    Objects.requireNonNull(answers, "answers");
    Map<String, ClusterResource> clusters = new HashMap<>(snapshot.clusters());
    boolean changed = false;
    for (ClusterResource c : snapshot.clusters().values()) {
      if (!isDns(c) || c.inlineEndpoints().stream().noneMatch(e -> e.address() instanceof XdsAddress.Hostname)) {
        continue;
      }
      List<LbEndpoint> resolved = new ArrayList<>();
      for (LbEndpoint e : c.inlineEndpoints()) {
        if (!(e.address() instanceof XdsAddress.Hostname(String host, int port))) {
          resolved.add(e);
          continue;
        }
        List<String> ips = answers.getOrDefault(host, List.of());
        if (c.discoveryType() == DiscoveryType.LOGICAL_DNS && !ips.isEmpty()) {
          ips = ips.subList(0, 1);
        }
        for (String ip : ips) {
          resolved.add(new LbEndpoint(new XdsAddress.Ipv4(ip, port), e.health(), e.weight(), e.locality(), e.priority()));
        }
      }
      clusters.put(c.name(), new ClusterResource(c.name(), c.edsServiceName(), c.istioName(), c.discoveryType(), c.lbPolicy(), resolved));
      changed = true;
    }
    return changed ? new XdsSnapshot(clusters, snapshot.endpoints(), snapshot.listeners(), snapshot.routes()) : snapshot;
  }

  /**
   * The agent's translation with DNS: each snapshot tells {@code refresher} which hosts to keep
   * fresh and is translated with the answers known so far; a host with no answer yet gets a note.
   * Call it on the refresher's scheduler (the agent's).
   */
  public static Function<XdsSnapshot, Translation> translator(DnsRefresher refresher) {
    Objects.requireNonNull(refresher, "refresher");
    return snapshot -> {
      Set<String> hosts = hosts(snapshot);
      Map<String, List<String>> answers = refresher.want(hosts);
      Translation t = Translator.translate(resolve(snapshot, answers));
      List<String> notes = new ArrayList<>(t.notes());
      for (String h : hosts) {
        if (answers.getOrDefault(h, List.of()).isEmpty()) {
          notes.add("DNS host " + h + " has no IPv4 address (yet): its clusters have no backends from it");
        }
      }
      return new Translation(t.vservices(), notes);
    };
  }

  private static boolean isDns(ClusterResource c) {
    return c.discoveryType() == DiscoveryType.STRICT_DNS || c.discoveryType() == DiscoveryType.LOGICAL_DNS;
  }
}
