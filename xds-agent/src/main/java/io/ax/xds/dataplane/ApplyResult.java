package io.ax.xds.dataplane;

import java.util.List;

/** What one reconcile changed, and the vservices the target refused (name: reason). */
public record ApplyResult(int created, int updated, int deleted, int unchanged, List<String> rejected) {
  public ApplyResult {
    rejected = List.copyOf(rejected);
  }
}
