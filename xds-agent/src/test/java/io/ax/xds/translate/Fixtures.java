package io.ax.xds.translate;

import java.nio.file.Files;
import java.nio.file.Path;

/** The real Istio data of istio-samples/fixtures; the build passes its path as {@code ax.fixtures}. */
public final class Fixtures {
  private Fixtures() {}

  public static final String SIDECAR_1_10 = "istioctl/pkg/writer/envoy/configdump/testdata/configdump.json";
  public static final String EDS = "istioctl/pkg/writer/envoy/configdump/testdata/endpoint/configdump.json";
  public static final String WAYPOINT = "istioctl/pkg/proxyconfig/testdata/config_dump.json";
  public static final String HTTP_CONFIG = "istioctl/pkg/describe/testdata/describe/http_config.json";
  public static final String LEGACY_V2 = "istioctl/cmd/testdata/describe/productpage-v1-c7765c886-v99jb.json";

  /** The fixtures directory: the {@code ax.fixtures} property the build sets, else the module's view of it. */
  public static Path dir() {
    return Path.of(System.getProperty("ax.fixtures", "../istio-samples/fixtures"));
  }

  public static Path path(String relative) {
    Path p = dir().resolve(relative);
    if (!Files.isRegularFile(p)) {
      throw new IllegalStateException("fixture " + p + " is missing (set -Dax.fixtures to istio-samples/fixtures)");
    }
    return p;
  }
}
