package io.ax.xds.pilot;

import io.ax.xds.pilot.config.ConfigException;
import io.ax.xds.pilot.config.ConfigObject;
import io.ax.xds.pilot.config.ConfigParser;
import io.ax.xds.pilot.config.Yaml;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The real Istio data of istio-samples/fixtures, and the bookinfo pods as WorkloadEntries. */
public final class Fixtures {
  public static final String BOOKINFO = "samples/bookinfo/platform/kube/bookinfo.yaml";
  public static final String DR_ALL = "samples/bookinfo/networking/destination-rule-all.yaml";
  public static final String DR_REVIEWS = "samples/bookinfo/networking/destination-rule-reviews.yaml";
  public static final String VS_80_20 = "samples/bookinfo/networking/virtual-service-reviews-80-20.yaml";
  public static final String VS_JASON = "samples/bookinfo/networking/virtual-service-reviews-jason-v2-v3.yaml";
  public static final String VS_ALL_V1 = "samples/bookinfo/networking/virtual-service-all-v1.yaml";
  public static final String POLICY_REVIEWS = "samples/bookinfo/kube/destination-policy-reviews.yaml";
  public static final String TESTDATA_DR_ALL = "tests/testdata/config/destination-rule-all.yaml";

  /**
   * The bookinfo pods of bookinfo.yaml's Deployments (one replica each) as WorkloadEntries: with
   * no Kubernetes, these are where the Services' endpoints come from.
   */
  public static final String BOOKINFO_WORKLOADS = """
      apiVersion: networking.istio.io/v1
      kind: WorkloadEntry
      metadata: {name: details-v1, namespace: default}
      spec: {address: 10.244.0.10, labels: {app: details, version: v1}}
      ---
      apiVersion: networking.istio.io/v1
      kind: WorkloadEntry
      metadata: {name: ratings-v1, namespace: default}
      spec: {address: 10.244.0.11, labels: {app: ratings, version: v1}}
      ---
      apiVersion: networking.istio.io/v1
      kind: WorkloadEntry
      metadata: {name: reviews-v1, namespace: default}
      spec: {address: 10.244.0.12, labels: {app: reviews, version: v1}}
      ---
      apiVersion: networking.istio.io/v1
      kind: WorkloadEntry
      metadata: {name: reviews-v2, namespace: default}
      spec: {address: 10.244.0.13, labels: {app: reviews, version: v2}}
      ---
      apiVersion: networking.istio.io/v1
      kind: WorkloadEntry
      metadata: {name: reviews-v3, namespace: default}
      spec: {address: 10.244.0.14, labels: {app: reviews, version: v3}}
      ---
      apiVersion: networking.istio.io/v1
      kind: WorkloadEntry
      metadata: {name: productpage-v1, namespace: default}
      spec: {address: 10.244.0.15, labels: {app: productpage, version: v1}, weight: 2, locality: us-east1/b}
      """;

  private Fixtures() {}

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

  public static byte[] bytes(String relative) throws IOException {
    return Files.readAllBytes(path(relative));
  }

  /** Parses fixture files (relative paths) and inline YAML texts (anything with a newline), in order. */
  public static List<ConfigObject> objects(String... filesOrYaml) throws IOException, ConfigException {
    List<ConfigObject> out = new ArrayList<>();
    for (String f : filesOrYaml) {
      if (f.contains("\n")) {
        out.addAll(ConfigParser.parse("inline.yaml", f.getBytes(StandardCharsets.UTF_8), Yaml.Format.YAML).objects());
      } else {
        out.addAll(ConfigParser.parse(Path.of(f).getFileName().toString(), bytes(f), Yaml.Format.YAML).objects());
      }
    }
    return out;
  }
}
