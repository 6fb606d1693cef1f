package io.ax.xds.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The config dumps of istio-samples/fixtures that the command tests read; the build passes the
 * directory as {@code ax.fixtures}. (The agent's tests have the full list.)
 */
final class Fixtures {
  private Fixtures() {}

  static final String SIDECAR_1_10 = "istioctl/pkg/writer/envoy/configdump/testdata/configdump.json";
  static final String WAYPOINT = "istioctl/pkg/proxyconfig/testdata/config_dump.json";
  static final String LEGACY_V2 = "istioctl/cmd/testdata/describe/productpage-v1-c7765c886-v99jb.json";

  static Path path(String relative) {
    Path p = Path.of(System.getProperty("ax.fixtures", "../istio-samples/fixtures")).resolve(relative);
    if (!Files.isRegularFile(p)) {
      throw new IllegalStateException("fixture " + p + " is missing (set -Dax.fixtures to istio-samples/fixtures)");
    }
    return p;
  }
}
