package io.ax.core.mesh;

import static io.ax.core.mesh.MeshFixture.EACCES;
import static io.ax.core.mesh.MeshFixture.EADDRINUSE;
import static io.ax.core.mesh.MeshFixture.FIRST_POOL_PORT;
import static io.ax.core.mesh.MeshFixture.NODE_IP;
import static io.ax.core.mesh.MeshFixture.POOL_SIZE;
import static io.ax.core.mesh.MeshFixture.any;
import static io.ax.core.mesh.MeshFixture.node;
import static io.ax.core.mesh.MeshFixture.ep;
import static org.assertj.core.api.Assertions.assertThat;

import io.ax.bridge.SocketPolicy.BindDecision;
import io.ax.bridge.SocketPolicy.PortChoice;
import io.ax.bridge.SocketPolicy.RegistrationRefusedException;
import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.model.AppId;
import io.ax.core.model.Labels;
import io.ax.core.model.ServerEntry;
import io.ax.core.model.SocketEntry;
import io.ax.core.net.Endpoints;
import io.ax.core.state.DataplaneState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link MeshSocketPolicy}'s binds, published and withdrawn sockets, and unregister. */
class MeshSocketPolicyBindTest {
  private final MeshFixture mesh = new MeshFixture("bind");
  private String web;

  @BeforeEach
  void registerWeb() throws RegistrationRefusedException {
    web = mesh.app("10.0.0.7", "zone=default,team=a");
  }

  private BindDecision bindAny(String appId, int port) {
    return mesh.policy.bind(appId, Transport.TCP, any(port));
  }

  @Test
  void bind_unknownApp_refusedEacces() {
    assertThat(bindAny("0000dead", 8080)).isEqualTo(new BindDecision.Refuse(EACCES));
    assertThat(mesh.pool.inUse()).isZero();
  }

  @Test
  void bind_anyAddress_virtualIsAppIpAndRealIsAPoolPort() {
    assertThat(bindAny(web, 8080)).isEqualTo(new BindDecision.Real(node(FIRST_POOL_PORT), ep("10.0.0.7", 8080), PortChoice.PICKED));
    assertThat(mesh.pool.inUse()).isEqualTo(1);
  }

  @Test
  void bind_portZero_takesAPoolPort_whichTheAppSeesAtItsOwnIp() {
    assertThat(bindAny(web, 0)).isEqualTo(new BindDecision.Real(node(FIRST_POOL_PORT), ep("10.0.0.7", FIRST_POOL_PORT), PortChoice.PICKED));
    assertThat(mesh.pool.inUse()).isEqualTo(1);
  }

  @Test
  void bind_loopback_appPrivateOnHostLoopbackWithAPoolPort() {
    BindDecision d = mesh.policy.bind(web, Transport.UDP, ep("127.0.0.1", 5353));

    assertThat(d).isEqualTo(new BindDecision.Real(ep("127.0.0.1", FIRST_POOL_PORT), ep("127.0.0.1", 5353), PortChoice.PICKED));
  }

  @Test
  void bind_ownIpOrNodeIp_accepted_otherAddresses_eaddrnotavail() {
    assertThat(mesh.policy.bind(web, Transport.TCP, ep("10.0.0.7", 80))).isInstanceOf(BindDecision.Real.class);
    assertThat(mesh.policy.bind(web, Transport.TCP, ep("192.0.2.10", 81))).isInstanceOf(BindDecision.Real.class);
    assertThat(mesh.policy.bind(web, Transport.TCP, ep("93.184.216.34", 443))).isEqualTo(new BindDecision.Refuse(99));
    assertThat(mesh.policy.bind(web, Transport.TCP, ep("10.0.0.8", 80))).as("another app's IP").isEqualTo(new BindDecision.Refuse(99));
  }

  @Test
  void bind_consecutiveBinds_getSuccessivePoolPorts() {
    assertThat(bindAny(web, 1)).isEqualTo(new BindDecision.Real(node(40000), ep("10.0.0.7", 1), PortChoice.PICKED));
    assertThat(bindAny(web, 2)).isEqualTo(new BindDecision.Real(node(40001), ep("10.0.0.7", 2), PortChoice.PICKED));
    assertThat(bindAny(web, 0)).as("any port: the pool port itself").isEqualTo(new BindDecision.Real(node(40002), ep("10.0.0.7", 40002), PortChoice.PICKED));
  }

  @Test
  void bind_exposedAppPort_bindsTheHostPortInsteadOfThePool() throws RegistrationRefusedException {
    String exposed = mesh.app("10.0.0.8", "zone=default", "80:8080,443:8443");

    assertThat(bindAny(exposed, 80)).isEqualTo(new BindDecision.Real(any(8080), ep("10.0.0.8", 80), PortChoice.FIXED));
    assertThat(bindAny(exposed, 443)).isEqualTo(new BindDecision.Real(any(8443), ep("10.0.0.8", 443), PortChoice.FIXED));
    assertThat(mesh.pool.inUse()).isZero();
    assertThat(bindAny(exposed, 81)).as("a port it does not expose").isEqualTo(new BindDecision.Real(node(FIRST_POOL_PORT), ep("10.0.0.8", 81), PortChoice.PICKED));
  }

  @Test
  void bind_exposedWithNodeIp_bindsThatAddress() throws RegistrationRefusedException {
    String exposed = mesh.app("", "zone=default", "80:192.0.2.10:8080");

    assertThat(bindAny(exposed, 80)).isEqualTo(new BindDecision.Real(new Inet4Endpoint(NODE_IP.bits(), 8080), ep("192.0.2.10", 80), PortChoice.FIXED));
  }

  @Test
  void bind_exposureOfAnotherApp_doesNotApply() throws RegistrationRefusedException {
    mesh.app("10.0.0.8", "zone=default", "80:8080");

    assertThat(bindAny(web, 80)).isEqualTo(new BindDecision.Real(node(FIRST_POOL_PORT), ep("10.0.0.7", 80), PortChoice.PICKED));
  }

  @Test
  void bind_poolExhausted_refusedEaddrinuse() {
    for (int i = 0; i < POOL_SIZE; i++) {
      assertThat(bindAny(web, 1000 + i)).isInstanceOf(BindDecision.Real.class);
    }

    assertThat(bindAny(web, 2000)).isEqualTo(new BindDecision.Refuse(EADDRINUSE));
  }

  @Test
  void bindFailed_givesThePortBack() {
    for (int i = 0; i < POOL_SIZE; i++) {
      bindAny(web, 1000 + i);
    }

    mesh.policy.released(web, Transport.TCP, node(40004));

    assertThat(bindAny(web, 2000)).isEqualTo(new BindDecision.Real(node(40004), ep("10.0.0.7", 2000), PortChoice.PICKED));
  }

  @Test
  void busy_poolPort_nextBindGetsTheNextPortAndTheEntryNamesIt() {
    BindDecision.Real first = (BindDecision.Real) bindAny(web, 8080);
    assertThat(first.real()).isEqualTo(node(40000));

    // The bridge's real bind found 40000 taken outside the daemon; it asks again.
    mesh.policy.busy(web, Transport.TCP, first.real());
    BindDecision.Real second = (BindDecision.Real) bindAny(web, 8080);
    mesh.policy.published(web, 7, Transport.TCP, second.virtual(), second.real(), 128);

    assertThat(second).isEqualTo(new BindDecision.Real(node(40001), ep("10.0.0.7", 8080), PortChoice.PICKED));
    assertThat(mesh.pool.inUse()).isEqualTo(1);
    assertThat(mesh.store.current().servers().get("n1/7").hostAddr()).isEqualTo(Endpoints.of("192.0.2.10", 40001));
  }

  @Test
  void busy_poolPort_skippedWhenThePoolWrapsAround() {
    BindDecision.Real first = (BindDecision.Real) bindAny(web, 8080);
    mesh.policy.busy(web, Transport.TCP, first.real());
    for (int i = 1; i < POOL_SIZE; i++) {
      mesh.policy.released(web, Transport.TCP, ((BindDecision.Real) bindAny(web, 9000 + i)).real());
    }

    // 40009 was the last given: next-fit wraps to 40000, still busy, so 40001 comes.
    assertThat(((BindDecision.Real) bindAny(web, 8080)).real()).isEqualTo(node(40001));
  }

  @Test
  void busy_exposedPort_poolUntouchedAndTheBindStaysFixed() throws RegistrationRefusedException {
    String exposed = mesh.app("10.0.0.8", "zone=default", "80:8080");

    mesh.policy.busy(exposed, Transport.TCP, any(8080));

    assertThat(mesh.pool.inUse()).isZero();
    assertThat(bindAny(exposed, 80)).isEqualTo(new BindDecision.Real(any(8080), ep("10.0.0.8", 80), PortChoice.FIXED));
    assertThat(bindAny(web, 80)).as("the pool still starts at its first port").isEqualTo(new BindDecision.Real(node(40000), ep("10.0.0.7", 80), PortChoice.PICKED));
  }

  @Test
  void busy_portOfAnotherApp_ignored() throws RegistrationRefusedException {
    String other = mesh.app("10.0.0.9", "zone=default");
    bindAny(web, 8080); // 40000

    mesh.policy.busy(other, Transport.TCP, node(40000));

    assertThat(mesh.pool.inUse()).isEqualTo(1);
  }

  @Test
  void published_addsServerEntryAtNodeIpAndSocketEntry() {
    List<DataplaneState> commits = new ArrayList<>();
    mesh.store.addListener((before, after) -> commits.add(after));

    mesh.listen(web, 7, Transport.TCP, 8080);

    DataplaneState s = mesh.store.current();
    Inet4Endpoint service = Endpoints.of("10.0.0.7", 8080);
    assertThat(s.servers()).containsOnlyKeys("n1/7");
    assertThat(s.servers().get("n1/7")).isEqualTo(new ServerEntry(
        "n1/7", new AppId(web), s.apps().get(new AppId(web)).name(), Transport.TCP, service, Endpoints.of("192.0.2.10", 40000),
        Labels.parse("l", "zone=default,team=a"), "n1", "appswitch"));
    assertThat(s.sockets()).containsOnlyKeys("n1/7");
    assertThat(s.sockets().get("n1/7")).isEqualTo(new SocketEntry("n1/7", "n1", new AppId(web), 7, Transport.TCP, 0, service, 128));
    assertThat(commits).as("entry and socket in one change").containsExactly(s);
  }

  @Test
  void published_udpWithNegativeBacklog_udpEntryWithBacklogZero() {
    BindDecision.Real real = (BindDecision.Real) mesh.policy.bind(web, Transport.UDP, any(53));

    mesh.policy.published(web, 9, Transport.UDP, real.virtual(), real.real(), -1);

    assertThat(mesh.store.current().servers().get("n1/9").protocol()).isEqualTo(Transport.UDP);
    assertThat(mesh.store.current().sockets().get("n1/9").protocol()).isEqualTo(Transport.UDP);
    assertThat(mesh.store.current().sockets().get("n1/9").backlog()).isZero();
  }

  @Test
  void published_realAddressNotAny_hostAddressIsThatAddress() throws RegistrationRefusedException {
    String exposed = mesh.app("", "zone=default", "80:192.0.2.10:8080");

    mesh.listen(exposed, 3, Transport.TCP, 80);

    assertThat(mesh.store.current().servers().get("n1/3").hostAddr()).isEqualTo(Endpoints.of("192.0.2.10", 8080));
  }

  @Test
  void published_unknownApp_changesNothing() {
    long before = mesh.store.current().version();

    mesh.policy.published("0000dead", 7, Transport.TCP, ep("10.0.0.7", 80), any(40000), 1);

    assertThat(mesh.store.current().version()).isEqualTo(before);
    assertThat(mesh.store.current().servers()).isEmpty();
  }

  @Test
  void withdrawn_removesBothEntriesAndReleasesThePort() {
    mesh.listen(web, 7, Transport.TCP, 8080);
    assertThat(mesh.pool.inUse()).isEqualTo(1);

    mesh.policy.withdrawn(web, 7);

    assertThat(mesh.store.current().servers()).isEmpty();
    assertThat(mesh.store.current().sockets()).isEmpty();
    assertThat(mesh.pool.inUse()).isZero();
  }

  @Test
  void withdrawn_fullPool_theReleasedPortIsTheNextOneGiven() {
    for (int i = 0; i < POOL_SIZE; i++) {
      mesh.listen(web, i, Transport.TCP, 8000 + i);
    }
    assertThat(bindAny(web, 9000)).isEqualTo(new BindDecision.Refuse(EADDRINUSE));

    mesh.policy.withdrawn(web, 3); // held 40003

    assertThat(bindAny(web, 9000)).isEqualTo(new BindDecision.Real(node(40003), ep("10.0.0.7", 9000), PortChoice.PICKED));
  }

  @Test
  void withdrawn_unknownInode_harmless() {
    mesh.listen(web, 7, Transport.TCP, 8080);
    long before = mesh.store.current().version();

    mesh.policy.withdrawn(web, 8);

    assertThat(mesh.store.current().version()).isEqualTo(before);
    assertThat(mesh.store.current().servers()).containsOnlyKeys("n1/7");
    assertThat(mesh.pool.inUse()).isEqualTo(1);
  }

  @Test
  void unregister_removesTheAppItsEntriesAndReleasesItsPorts() throws RegistrationRefusedException {
    String other = mesh.app("10.0.0.9", "zone=default");
    mesh.listen(web, 1, Transport.TCP, 8080);
    mesh.listen(web, 2, Transport.UDP, 53);
    mesh.listen(other, 3, Transport.TCP, 9090); // 40002

    mesh.policy.unregister(web);

    DataplaneState s = mesh.store.current();
    assertThat(s.apps()).containsOnlyKeys(new AppId(other));
    assertThat(s.servers()).containsOnlyKeys("n1/3");
    assertThat(s.sockets()).containsOnlyKeys("n1/3");
    assertThat(mesh.pool.inUse()).isEqualTo(1);
    assertThat(bindAny(web, 8080)).as("an unregistered app binds nothing").isEqualTo(new BindDecision.Refuse(EACCES));
  }

  @Test
  void unregister_portBoundButNeverPublished_releasedToo() {
    // A TCP socket bound and never listened on (a crash between bind and listen, a client with a
    // fixed source port) holds a pool port; once its app is gone nothing else gives it back.
    assertThat(bindAny(web, 8080)).isEqualTo(new BindDecision.Real(node(40000), ep("10.0.0.7", 8080), PortChoice.PICKED));

    mesh.policy.unregister(web);

    assertThat(mesh.pool.inUse()).isZero();
  }

  @Test
  void unregister_unknownApp_harmless() {
    long before = mesh.store.current().version();

    mesh.policy.unregister("0000dead");

    assertThat(mesh.store.current().version()).isEqualTo(before);
    assertThat(mesh.store.current().apps()).containsOnlyKeys(new AppId(web));
  }
}
