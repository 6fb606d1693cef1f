package io.ax.core.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import io.ax.bridge.SocketPolicy.AppGrant;
import io.ax.bridge.SocketPolicy.BindDecision;
import io.ax.bridge.SocketPolicy.Registration;
import io.ax.bridge.SocketPolicy.RegistrationRefusedException;
import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.net.Ipv4;
import io.ax.core.ports.PortPool;
import io.ax.core.ports.PortRanges;
import io.ax.core.state.DataplaneState;
import io.ax.core.state.DataplaneStore;
import io.ax.core.state.StatePersistence;
import java.util.List;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link MeshSocketPolicy} over a real store and a ten-port pool (40000-40009) on node n1 at
 * 192.0.2.10, with a seeded random (logged; replay with {@code -Dax.test.seed=N}).
 */
final class MeshFixture {
  private static final Logger log = LoggerFactory.getLogger(MeshFixture.class);
  static final Ipv4 NODE_IP = Ipv4.parse("ip", "192.0.2.10");
  static final int FIRST_POOL_PORT = 40000;
  static final int POOL_SIZE = 10;
  static final int SUPERVISOR_PID = 4242;
  static final int EACCES = 13;
  static final int EADDRINUSE = 98;
  static final int ECONNREFUSED = 111;

  final DataplaneStore store = new DataplaneStore(DataplaneState.EMPTY, StatePersistence.NONE);
  final PortPool pool = new PortPool(PortRanges.parse("--ports", "40000-40009"));
  final MeshSocketPolicy policy;

  MeshFixture(String what) {
    String fixed = System.getProperty("ax.test.seed");
    long seed = fixed != null ? Long.parseLong(fixed) : System.nanoTime();
    log.info("[mesh-test {}] random seed {} (replay with -Dax.test.seed={})", what, seed, seed);
    policy = new MeshSocketPolicy(store, pool, new MeshSocketPolicy.Node("n1", "appswitch", NODE_IP), new SplittableRandom(seed));
  }

  /**
   * What {@code ax run} sends for a new app of root, who may claim any label, vIP and name (these
   * tests are about the mesh; ClaimsGateTest is about who may claim what); empty strings mean
   * "not given".
   */
  static Registration registration(String ip, String labels, String... expose) {
    return registration("", 0, ip, "", labels, List.of(expose));
  }

  static Registration registration(String appId, int uid, String ip, String name, String labels, List<String> expose) {
    return new Registration(appId, 77, SUPERVISOR_PID, uid, ip, name, labels, expose, "alice", true, uid, List.of());
  }

  /** Registers a new app and returns its id. */
  String app(String ip, String labels, String... expose) throws RegistrationRefusedException {
    AppGrant grant = policy.register(registration(ip, labels, expose));
    return grant.appId();
  }

  /** Binds the any address at {@code port} and publishes it, as a listen does; returns the real address. */
  Inet4Endpoint listen(String appId, long inode, Transport transport, int port) {
    BindDecision d = policy.bind(appId, transport, new Inet4Endpoint(0, port));
    assertThat(d).as("bind of %s:%d", appId, port).isInstanceOf(BindDecision.Real.class);
    BindDecision.Real real = (BindDecision.Real) d;
    policy.published(appId, inode, transport, real.virtual(), real.real(), 128);
    return real.real();
  }

  static Inet4Endpoint ep(String ip, int port) {
    return new Inet4Endpoint(Ipv4.parse("ip", ip).bits(), port);
  }

  static Inet4Endpoint any(int port) {
    return new Inet4Endpoint(0, port);
  }

  /** Where pool ports are really bound: the node's IP. */
  static Inet4Endpoint node(int port) {
    return ep("192.0.2.10", port);
  }
}
