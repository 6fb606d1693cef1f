package io.ax.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigDumpsTest {
  @TempDir Path dir;

  @Test
  void read_missingFile_isOneLineNamingIt() {
    Path missing = dir.resolve("nope.json");

    assertThatThrownBy(() -> ConfigDumps.read(missing)).isInstanceOf(ConfigDumpException.class).hasMessage("config dump " + missing + " does not exist");
  }

  @Test
  void read_yamlFile_saysItIsNotJsonAndWhere() throws Exception {
    Path yaml = Files.writeString(dir.resolve("dr.yaml"), "apiVersion: networking.istio.io/v1\nkind: DestinationRule\n");

    assertThatThrownBy(() -> ConfigDumps.read(yaml))
        .isInstanceOf(ConfigDumpException.class)
        .hasMessageStartingWith("config dump " + yaml + " is not JSON at line 1, column ")
        .hasMessageEndingWith("(expected the JSON of Envoy's /config_dump)")
        .hasMessageNotContaining("\n");
  }

  @Test
  void read_jsonThatIsNotADump_saysWhatIsExpected() throws Exception {
    Path other = Files.writeString(dir.resolve("x.json"), "{\"items\": []}");

    assertThatThrownBy(() -> ConfigDumps.read(other))
        .isInstanceOf(ConfigDumpException.class)
        .hasMessage(other + " is not an Envoy config dump (expected a JSON object with a \"configs\" array of envoy.admin.v3 ConfigDumps, as Envoy's /config_dump writes)");
  }

  @Test
  void read_dumpWithOnlyBootstrap_saysItHoldsNothingToTranslate() throws Exception {
    Path boot = Files.writeString(dir.resolve("b.json"), "{\"configs\": [{\"@type\": \"type.googleapis.com/envoy.admin.v3.BootstrapConfigDump\"}]}");

    assertThatThrownBy(() -> ConfigDumps.read(boot)).isInstanceOf(ConfigDumpException.class).hasMessageStartingWith(boot + " holds no cluster, endpoint, listener or route dump");
  }

  @Test
  void parse_unknownTypedExtensionsAndInvalidResources_skipOnlyWhatIsBroken() throws Exception {
    String json = """
        {"configs": [{"@type": "type.googleapis.com/envoy.admin.v3.ClustersConfigDump",
          "dynamic_active_clusters": [
            {"cluster": {"@type": "type.googleapis.com/envoy.config.cluster.v3.Cluster", "name": "outbound|80||a.default.svc.cluster.local",
               "type": "EDS", "eds_cluster_config": {"eds_config": {"ads": {}}},
               "filters": [{"name": "istio.metadata_exchange", "typed_config": {"@type": "type.googleapis.com/envoy.tcp.metadataexchange.config.MetadataExchange", "protocol": "istio-peer-exchange"}}],
               "some_field_from_a_newer_envoy": true}},
            {"cluster": {"@type": "type.googleapis.com/envoy.config.cluster.v3.Cluster", "name": "outbound|80||b.default.svc.cluster.local",
               "type": "EDS", "eds_cluster_config": {"eds_config": {"path": "/etc/eds.yaml"}}}},
            {"cluster": {"@type": "type.googleapis.com/envoy.config.cluster.v3.Cluster", "name": "c", "lb_policy": 42}},
            {"cluster": {"@type": "type.googleapis.com/envoy.config.cluster.v3.Cluster", "name": "d", "connect_timeout": {"not": "a duration"}}}
          ]}]}
        """;

    ConfigDumps.ConfigDump dump = ConfigDumps.parse(json, "test");

    assertThat(dump.snapshot().clusters()).containsOnlyKeys("outbound|80||a.default.svc.cluster.local");
    assertThat(dump.notes()).hasSize(3);
    assertThat(dump.notes().get(0)).isEqualTo("skipped CDS resource 'outbound|80||b.default.svc.cluster.local': eds_cluster_config.eds_config must be ADS (the agent fetches endpoints only over its ADS stream)");
    assertThat(dump.notes().get(1)).startsWith("skipped CDS resource 'c': lb_policy 42 is not a known policy");
    assertThat(dump.notes().get(2)).startsWith("skipped CDS resource 'd': it does not parse as type.googleapis.com/envoy.config.cluster.v3.Cluster");
  }

  @Test
  void parse_singleEndpointsConfigDump_isReadLikeAConfigsArray() throws Exception {
    String json = """
        {"@type": "type.googleapis.com/envoy.admin.v3.EndpointsConfigDump",
         "dynamicEndpointConfigs": [{"endpointConfig": {"@type": "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment",
           "clusterName": "outbound|80||a", "endpoints": [{"lbEndpoints": [{"endpoint": {"address": {"socketAddress": {"address": "10.0.0.1", "portValue": 80}}}}]}]}}]}
        """;

    assertThat(ConfigDumps.parse(json, "test").snapshot().endpoints().get("outbound|80||a").endpoints()).hasSize(1);
  }
}
