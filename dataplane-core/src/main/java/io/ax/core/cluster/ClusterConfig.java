package io.ax.core.cluster;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * How this daemon joins its cluster: where it listens for peers, whom it asks first, whether it
 * discovers peers by multicast, TLS, and the failure detector's timing. The {@code DEFAULT_}
 * constants are the values of the daemon's flags and of the timing, each with its reason.
 *
 * @param gossipPort NODE-IP:PORT where the JGroups TCP transport listens ({@code --gossip-port})
 * @param neighbors the initial hosts ({@code --neighbors}): any live member lets a node join
 * @param autoDiscover also find members by IP multicast on the node's LAN ({@code --gossip-auto-discover})
 * @param tls mutual TLS between daemons ({@code --tls}); empty for plaintext
 * @param timing failure detection and merge timing
 * @param limits bounds on what a peer may send
 */
public record ClusterConfig(int gossipPort, List<InetSocketAddress> neighbors, boolean autoDiscover, Optional<SSLContext> tls, Timing timing, Limits limits) {

  /** 7946: AppSwitch's (and Serf's) gossip port, so firewall rules written for AppSwitch hold. */
  public static final int DEFAULT_GOSSIP_PORT = 7946;

  /**
   * FD_SOCK2, the failure detector that sees a killed daemon at once, listens this far above the
   * gossip port (JGroups' default offset): 8046 by default. Firewalls must open both.
   */
  public static final int FAILURE_DETECTION_PORT_OFFSET = 100;

  /**
   * {@code 228.8.8.8}:45588, JGroups' MPING group, with TTL 1 so discovery never leaves the
   * node's LAN: {@code --gossip-auto-discover} finds neighbors on the same segment only.
   */
  public static final String AUTO_DISCOVER_GROUP = "228.8.8.8";

  public static final int AUTO_DISCOVER_PORT = 45588;

  public ClusterConfig {
    if (gossipPort < 1 || gossipPort > 65535 - FAILURE_DETECTION_PORT_OFFSET) {
      throw new IllegalArgumentException("gossip port out of range: " + gossipPort);
    }
    neighbors = List.copyOf(neighbors);
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(timing, "timing");
    Objects.requireNonNull(limits, "limits");
  }

  /**
   * The failure detector and merge timing. A node is purged from every table once it is declared
   * dead, so {@code suspectAfter + verify + view installation} is the purge bound (the issue asks
   * for 5 s). A killed daemon is found at once: its peers' FD_SOCK2 connections to it are reset by
   * the kernel. A node that vanishes without a reset (power loss, a cut link) is found by the
   * heartbeats.
   *
   * @param heartbeat how often each node tells every other it is alive (FD_ALL3): one ~60-byte
   *     multicast per second per node, about 30 packets a second on each node of a 30-node cluster
   * @param suspectAfter silence after which a peer is suspected (FD_ALL3 timeout): three missed
   *     heartbeats, so one lost or late packet on a busy node never evicts a live peer
   * @param verify the extra check of a suspect (VERIFY_SUSPECT2) before it is declared dead
   * @param mergeMin the shortest interval between partition-merge probes (MERGE3)
   * @param mergeMax the longest: a healed partition is one cluster again within about this
   * @param joinTimeout how long a joining node waits for the coordinator before retrying
   */
  public record Timing(Duration heartbeat, Duration suspectAfter, Duration verify, Duration mergeMin, Duration mergeMax, Duration joinTimeout) {
    /** 1 s heartbeats, suspect after 3 s, 0.5 s to verify: a silent node is purged in about 4 s. */
    public static final Timing DEFAULT =
        new Timing(Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(1));

    public Timing {
      Objects.requireNonNull(heartbeat, "heartbeat");
      Objects.requireNonNull(suspectAfter, "suspectAfter");
      Objects.requireNonNull(verify, "verify");
      Objects.requireNonNull(mergeMin, "mergeMin");
      Objects.requireNonNull(mergeMax, "mergeMax");
      Objects.requireNonNull(joinTimeout, "joinTimeout");
    }
  }

  /**
   * What one peer may send, so that a broken or hostile member cannot exhaust this daemon: a
   * larger or malformed message is counted and dropped.
   *
   * @param maxMessageBytes one message, encoded (a snapshot of 100,000 entries is about 20 MB)
   * @param maxEntriesPerNode apps + servers + sockets one node may own
   * @param maxVServices vservice registers (live and deleted) one message may carry
   */
  public record Limits(int maxMessageBytes, int maxEntriesPerNode, int maxVServices) {
    /**
     * 64 MiB, 300,000 entries and 100,000 vservices: ten times what the benchmarks run (1,000 apps
     * on a node, 10,000 vservices), and small enough to keep a node's heap safe.
     */
    public static final Limits DEFAULT = new Limits(64 << 20, 300_000, 100_000);
  }
}
