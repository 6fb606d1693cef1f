package io.ax.xds.resource;

import java.util.Objects;

/** Where an endpoint runs; every part may be empty. */
public record Locality(String region, String zone, String subZone) {
  public static final Locality NONE = new Locality("", "", "");

  public Locality {
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(subZone, "subZone");
  }
}
