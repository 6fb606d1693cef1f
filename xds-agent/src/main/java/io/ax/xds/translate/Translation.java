package io.ax.xds.translate;

import io.ax.admin.v1.VService;
import java.util.List;

/**
 * What a snapshot becomes: the vservices to apply, sorted by name, and notes on what was left
 * out or approximated (header matches and other L7 rules, clusters without a vIP...), one line
 * each, so nothing is dropped silently.
 */
public record Translation(List<VService> vservices, List<String> notes) {
  public Translation {
    vservices = List.copyOf(vservices);
    notes = List.copyOf(notes);
  }
}
