package io.ax.core.model;

import io.ax.core.net.Ports;

/** A vservice port: clients connect to {@code vport} on the vIP and reach {@code appPort} on a backend. */
public record PortMapping(int vport, int appPort) {
  public PortMapping {
    Ports.check("vport", vport);
    Ports.check("appport", appPort);
  }

  /** Parses {@code vport:appport}, or a single port that maps to itself. */
  public static PortMapping parse(String field, String text) {
    String t = text.strip();
    int colon = t.indexOf(':');
    if (colon < 0) {
      int p = Ports.parse(field, t);
      return new PortMapping(p, p);
    }
    return new PortMapping(Ports.parse(field, t.substring(0, colon)), Ports.parse(field, t.substring(colon + 1)));
  }

  /** {@code {8000 10000}}, as AppSwitch printed it. */
  @Override
  public String toString() {
    return "{" + vport + " " + appPort + "}";
  }
}
