package io.ax.xds.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.ax.admin.v1.Backend;
import io.ax.admin.v1.VService;
import io.ax.xds.translate.Translation;
import io.ax.xds.translate.Translator;
import io.ax.xds.translate.XdsSnapshot;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Istio's egress ServiceEntries through pilot-lite and the agent, with the DNS answers given. */
class DnsClustersTest {
  private static VService named(Translation t, String name) {
    return t.vservices().stream().filter(v -> v.getName().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void hosts_egressExamples_areTheDnsHostsOnly() throws Exception {
    XdsSnapshot s = EgressSnapshots.of(EgressSnapshots.GOOGLE_APIS, EgressSnapshots.EXTERNAL_SERVICES);

    // resolution NONE (dst.extsvc.com) and STATIC (ep.extsvc.com) need no resolving.
    assertThat(DnsClusters.hosts(s)).containsExactly("external.extsvc.com", "ports.extsvc.com", "ports1.extsvc.com", "www.googleapis.com");
  }

  @Test
  void resolve_googleApis_theHostsAnswersAreItsBackendsOnItsPort() throws Exception {
    XdsSnapshot s = EgressSnapshots.of(EgressSnapshots.GOOGLE_APIS);

    Translation t = Translator.translate(DnsClusters.resolve(s, Map.of("www.googleapis.com", List.of("127.0.0.2", "127.0.0.3"))));

    VService google = named(t, "www.googleapis.com-443");
    assertThat(google.getHostnamesList()).containsExactly("www.googleapis.com");
    assertThat(google.getIp()).isNotEmpty();
    assertThat(google.getBackendsList()).extracting(Backend::getIp, Backend::getPort)
        .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("127.0.0.2", 443), org.assertj.core.groups.Tuple.tuple("127.0.0.3", 443));
  }

  @Test
  void resolve_noAnswerYet_noBackendsAndANote() throws Exception {
    XdsSnapshot s = EgressSnapshots.of(EgressSnapshots.GOOGLE_APIS);
    DnsRefresher idle = new DnsRefresher(host -> new HostResolver.Answer(List.of(), java.time.Duration.ofSeconds(1)),
        new io.ax.xds.ads.SerialScheduler() {
          @Override public void execute(Runnable task) {}
          @Override public Cancellable schedule(Runnable task, java.time.Duration delay) { return () -> {}; }
          @Override public void close() {}
        }, Runnable::run, DnsRefresher.Config.DEFAULTS, () -> {});

    Translation t = DnsClusters.translator(idle).apply(s);

    assertThat(named(t, "www.googleapis.com-443").getBackendsList()).isEmpty();
    assertThat(t.notes()).contains("DNS host www.googleapis.com has no IPv4 address (yet): its clusters have no backends from it");
  }

  @Test
  void translate_resolutionNone_claimsNoHostnameAndNoVip() throws Exception {
    XdsSnapshot s = EgressSnapshots.of(EgressSnapshots.EXTERNAL_SERVICES);

    Translation t = Translator.translate(DnsClusters.resolve(s, Map.of()));

    // dst.extsvc.com must keep resolving upstream: no vservice answers its name.
    assertThat(t.vservices()).flatExtracting(VService::getHostnamesList).doesNotContain("dst.extsvc.com")
        .contains("external.extsvc.com", "ep.extsvc.com");
    assertThat(t.vservices()).extracting(VService::getName).doesNotContain("dst.extsvc.com-8001");
    // No vIP: only the HTTP listener on 0.0.0.0 that every HTTP port gets, none on an address of its own.
    assertThat(s.listeners().keySet()).filteredOn(l -> l.endsWith("_8001")).containsExactly("0.0.0.0_8001");
  }
}
