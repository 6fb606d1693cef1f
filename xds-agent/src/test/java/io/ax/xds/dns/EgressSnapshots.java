package io.ax.xds.dns;

import io.ax.xds.pilot.Fixtures;
import io.ax.xds.translate.PilotLiteSnapshots;
import io.ax.xds.translate.XdsSnapshot;

/** What pilot-lite serves for Istio's egress examples, as the agent's ADS client accepts it. */
final class EgressSnapshots {
  static final String GOOGLE_APIS = "samples/bookinfo/networking/egress-rule-google-apis.yaml";
  static final String EXTERNAL_SERVICES = "tests/testdata/config/external_services.yaml";

  private EgressSnapshots() {}

  static XdsSnapshot of(String... files) throws Exception {
    return PilotLiteSnapshots.of(Fixtures.objects(files));
  }
}
