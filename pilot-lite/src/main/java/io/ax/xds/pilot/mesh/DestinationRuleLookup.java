package io.ax.xds.pilot.mesh;

import java.util.List;
import java.util.Optional;

/** Which DestinationRule host applies to a service host, as Istio's {@code MostSpecificHostMatch} picks it. Pure. */
final class DestinationRuleLookup {
  private DestinationRuleLookup() {}

  /**
   * Among {@code patterns} (rule hosts, fully qualified; {@code *.suffix} wildcards or {@code *}),
   * the one that applies to {@code host}: the host itself if listed, else the longest wildcard
   * that covers it (the most specific); empty when none covers it.
   */
  static Optional<String> mostSpecific(String host, List<String> patterns) {
    String best = null;
    for (String p : patterns) {
      if (p.equals(host)) {
        return Optional.of(p);
      }
      if (p.startsWith("*") && Hosts.matches(p, host) && (best == null || p.length() > best.length())) {
        best = p;
      }
    }
    return Optional.ofNullable(best);
  }
}
