package io.ax.core.cluster;

import io.ax.cluster.v1.Delta;
import io.ax.cluster.v1.NodeMeta;
import io.ax.cluster.v1.PeerMessage;
import io.ax.cluster.v1.SnapshotRequest;
import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.model.NodeInfo;
import io.ax.core.model.ServerEntry;
import io.ax.core.model.SocketEntry;
import io.ax.core.model.VService;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.net.Endpoints;
import io.ax.core.net.Ipv4;
import io.ax.core.net.Ports;
import io.ax.core.proto.Protos;
import io.ax.core.state.DataplaneState;
import io.ax.core.state.DataplaneStore;
import io.ax.core.state.StateListener;
import io.ax.core.state.StateWriteException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.MergeView;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.jgroups.util.NameCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This daemon's membership in its cluster: one service table shared by every node, on JGroups.
 *
 * <p><b>Owned entries.</b> A node alone writes its apps, servers and sockets (those whose node id
 * is its name). Each batch the store commits that changes them goes out as a numbered {@code
 * Delta}; a {@code Snapshot} of all of them goes out when the view gains members (a join, a
 * healed partition) and to a peer that saw a gap. Receivers apply a delta only right after the
 * previous one of the same incarnation, so a lost, repeated or reordered message can never leave
 * a stale entry: at worst it costs a snapshot. When a node leaves the view (it stopped, was killed
 * or cut off) every other node drops its entries in one commit.
 *
 * <p><b>Vservices</b> are shared: any node may write any name, and {@link VServiceRegisters}
 * settles concurrent writes (the higher Lamport stamp wins, everywhere alike). The coordinator of
 * each former view sends every register when views merge, so both sides converge.
 *
 * <p>Messages are received and applied on one thread, in order, and sent from another, so the
 * store's writer never waits for the network and a slow peer never stalls a commit.
 */
public final class Cluster implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Cluster.class);
  /** How many departed nodes {@code ax get nodes} remembers. */
  static final int MAX_DEPARTED = 256;
  /** Deletions remembered so that an old copy of a deleted vservice cannot come back. */
  static final int MAX_TOMBSTONES = 100_000;
  /** Received messages and views waiting to be applied before receivers wait. */
  static final int INBOX_CAPACITY = 4096;
  /**
   * Bytes of messages waiting to be sent before new ones are dropped: a peer that cannot keep up
   * asks for a snapshot when it sees the gap, and dropped vservice writes are sent again whole.
   */
  static final long OUTBOX_BYTES = 64L << 20;
  /** Addresses of departed members remembered, to recognise their late messages. */
  static final int MAX_LEFT_ADDRESSES = 1024;

  /** The role of a node that carries mesh programs' connections to the outside. */
  public static final String EGRESS_GATEWAY_ROLE = "egress-gateway";

  /**
   * What this node says of itself.
   *
   * @param egressPort the port of its egress gateway listener, 0 when it is no egress gateway
   */
  public record Self(String name, String cluster, String ip, String externalIp, List<String> roles, int egressPort) {
    public Self {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(cluster, "cluster");
      Objects.requireNonNull(ip, "ip");
      Objects.requireNonNull(externalIp, "externalIp");
      roles = List.copyOf(roles);
    }

    public Self(String name, String cluster, String ip, String externalIp, List<String> roles) {
      this(name, cluster, ip, externalIp, roles, 0);
    }

    NodeMeta meta() {
      return NodeMeta.newBuilder().setName(name).setCluster(cluster).setIp(ip).setExternalIp(externalIp).addAllRoles(roles).setEgressPort(egressPort).build();
    }
  }

  /** Counters for tests, logs and later metrics. */
  public record Stats(long malformed, long snapshotsSent, long deltasSent, long snapshotRequests, long purgedNodes, long sendsDropped) {}

  private final ClusterConfig config;
  private final DataplaneStore store;
  private final Self self;
  private final NodeMeta selfMeta;
  private final StampFile stampFile;
  private final long incarnation = System.currentTimeMillis();
  private final JChannel channel;
  private final ExecutorService inbox = boundedSingleThread("ax-cluster-in");
  private final ExecutorService outbox = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("ax-cluster-out").factory());
  /**
   * Every {@link #REPAIR_SECONDS}, asks each live member whose entries this node does not hold for
   * a snapshot: a snapshot can be lost (refused as a late message while the member was still
   * thought gone after a partition, or a request dropped by the answerer's rate limit), and
   * nothing else would ask again until the member changed something.
   */
  private final ScheduledExecutorService repair = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("ax-cluster-repair").factory());
  /** How often missing members' entries are asked for: twice the snapshot requests' rate limit. */
  static final long REPAIR_SECONDS = 2;
  /** Commits the resolved vservices when a local write settled a conflict (a listener may not commit). */
  private final ExecutorService settler = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("ax-cluster-settle").factory());
  private final AtomicBoolean settlePending = new AtomicBoolean();
  /** Bytes of received messages waiting: at most one largest message's worth, then JGroups waits. */
  private final Semaphore inboxBytes;
  private final AtomicLong outboxBytes = new AtomicLong();
  /** Set when a message was dropped from a full outbox: everything goes out again once it drains. */
  private final AtomicBoolean peersBehind = new AtomicBoolean();
  private final StateListener listener = this::onCommit;

  // Owned entries as last published, and their sequence number: guarded by ownLock, which is
  // also held while a delta or snapshot is queued so that they leave in seq order.
  private final Object ownLock = new Object();
  private long seq;
  private OwnEntries own = OwnEntries.EMPTY;

  private final VServiceRegisters registers; // guarded by itself
  private final Object settleLock = new Object();
  private final Peers peers = new Peers(MAX_DEPARTED);
  private volatile List<Address> members = List.of();
  private volatile View view;
  private final Map<String, Long> snapshotAskedAt = new HashMap<>(); // inbox thread only
  private final Map<Address, Long> snapshotAnsweredAt = new HashMap<>(); // inbox thread only
  /** Members that left; JGroups never reuses an address, so what still comes from one is stale. */
  private final Set<Address> leftAddresses = new LinkedHashSet<>(); // inbox thread only
  /** Left members whose entries were refused as stale: asked again if they come back (a merge). */
  private final Set<Address> askOnReturn = new HashSet<>(); // inbox thread only
  private long lastDropWarning = System.nanoTime() - TimeUnit.SECONDS.toNanos(2); // inbox thread only
  private long droppedSinceWarning; // inbox thread only

  private final AtomicLong malformed = new AtomicLong();
  private final AtomicLong snapshotsSent = new AtomicLong();
  private final AtomicLong deltasSent = new AtomicLong();
  private final AtomicLong snapshotRequests = new AtomicLong();
  private final AtomicLong purgedNodes = new AtomicLong();
  private final AtomicLong sendsDropped = new AtomicLong();
  private volatile java.util.function.BiConsumer<Inet4Endpoint, Inet4Endpoint> egressRoutes;

  private Cluster(ClusterConfig config, DataplaneStore store, Self self, Path stampPath) throws Exception {
    this.config = config;
    this.store = store;
    this.self = self;
    this.selfMeta = self.meta();
    this.stampFile = new StampFile(stampPath);
    this.registers = new VServiceRegisters(self.name(), MAX_TOMBSTONES);
    this.inboxBytes = new Semaphore(config.limits().maxMessageBytes(), true);
    this.channel = new JChannel(ClusterStack.build(config, InetAddress.getByName(self.ip())));
  }

  /**
   * Joins (or founds) the cluster named {@code self.cluster()}; returns once this node is a member.
   *
   * @param stampPath where vservice stamps are kept ({@code cluster.pb})
   * @throws ClusterStartException with one line when the gossip port cannot be opened
   */
  public static Cluster start(ClusterConfig config, DataplaneStore store, Self self, Path stampPath) {
    Cluster c;
    try {
      c = new Cluster(config, store, self, stampPath);
    } catch (Exception e) {
      throw new ClusterStartException("cannot set up the cluster stack: " + e.getMessage(), e);
    }
    c.join();
    return c;
  }

  /** Removes this node's saved stamps ({@code --clean}). */
  public static void clean(Path stampPath) throws IOException {
    new StampFile(stampPath).delete();
  }

  private void join() {
    synchronized (registers) {
      registers.restore(store.current().vservices(), stampFile.load());
    }
    store.addListener(listener, initial -> {
      synchronized (ownLock) {
        own = OwnEntries.of(initial, self.name());
      }
    });
    channel.setDiscardOwnMessages(true);
    channel.name(self.name());
    channel.setReceiver(new Receiver() {
      @Override
      public void receive(Message msg) {
        Address from = msg.getSrc();
        int length = msg.getLength();
        if (length > config.limits().maxMessageBytes()) {
          inbox.execute(() -> refuse(from, length + " bytes, more than the " + config.limits().maxMessageBytes() + " allowed"));
          return;
        }
        // A copy, since the message's buffer is JGroups' once this returns; counted until applied.
        inboxBytes.acquireUninterruptibly(length);
        byte[] bytes = Arrays.copyOfRange(msg.getArray(), msg.getOffset(), msg.getOffset() + length);
        inbox.execute(() -> {
          try {
            onMessage(from, bytes, 0, length);
          } finally {
            inboxBytes.release(length);
          }
        });
      }

      @Override
      public void viewAccepted(View v) {
        inbox.execute(() -> onView(v));
      }
    });
    try {
      channel.connect(self.cluster());
    } catch (Exception e) {
      close();
      throw new ClusterStartException(
          "cannot join cluster '" + self.cluster() + "' on " + self.ip() + ":" + config.gossipPort() + ": " + rootMessage(e)
              + " (--gossip-port sets the port; failure detection listens on it plus " + ClusterConfig.FAILURE_DETECTION_PORT_OFFSET + ")", e);
    }
    repair.scheduleWithFixedDelay(() -> inbox.execute(this::askMissing), REPAIR_SECONDS, REPAIR_SECONDS, TimeUnit.SECONDS);
    log.info("[cluster] node {} listens for peers on {}:{}{}, neighbors {}{}",
        self.name(), self.ip(), config.gossipPort(), config.tls().isPresent() ? " with TLS" : "", config.neighbors(), config.autoDiscover() ? ", auto-discovery on" : "");
  }

  /**
   * One thread with a bounded queue whose producers wait when it is full: a peer that sends faster
   * than this node applies is slowed down (JGroups' flow control then holds it back) instead of
   * filling the heap.
   */
  private static ExecutorService boundedSingleThread(String name) {
    return new ThreadPoolExecutor(
        1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(INBOX_CAPACITY), Thread.ofPlatform().daemon().name(name).factory(), (task, executor) -> {
          if (executor.isShutdown()) {
            return;
          }
          try {
            executor.getQueue().put(task);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
  }

  // ---- the store's side: local changes go out ----

  private void onCommit(DataplaneState before, DataplaneState after) {
    synchronized (ownLock) {
      OwnEntries next = own.next(before, after, self.name());
      if (next != own) {
        Delta delta = own.delta(next, self.name(), incarnation, ++seq);
        own = next;
        send(null, PeerMessage.newBuilder().setDelta(delta).build(), deltasSent);
      }
    }
    if (before.vservices() == after.vservices()) {
      return;
    }
    List<VServiceRegisters.Write> writes;
    List<VServiceRegisters.Write> all;
    long clock;
    long version;
    boolean storeBehind;
    synchronized (registers) {
      writes = registers.absorbLocal(after.vservices());
      all = writes.isEmpty() ? List.of() : registers.all();
      clock = registers.clock();
      version = registers.version();
      storeBehind = registers.storeBehind();
    }
    if (!writes.isEmpty()) {
      saveStamps(version, clock, all);
      send(null, PeerMessage.newBuilder().setVservices(PeerMessages.vservices(writes)).build(), null);
    }
    if (storeBehind && settlePending.compareAndSet(false, true)) {
      // A local deletion freed a vIP:vport that a held-back vservice now serves.
      settler.execute(() -> {
        settlePending.set(false);
        try {
          settle(List.of());
        } catch (RuntimeException e) {
          log.error("[cluster] could not commit the settled vservices", e);
        }
      });
    }
  }

  // ---- the peers' side: their changes come in ----

  private void onMessage(Address from, byte[] bytes, int offset, int length) {
    try {
      PeerMessage m = PeerMessages.parse(bytes, offset, length, config.limits());
      switch (m.getBodyCase()) {
        case SNAPSHOT -> onSnapshot(from, PeerMessages.check(m.getSnapshot(), config.limits()));
        case DELTA -> onDelta(from, PeerMessages.check(m.getDelta(), config.limits()));
        case SNAPSHOT_REQUEST -> {
          if (m.getSnapshotRequest().getNode().equals(self.name()) && mayAnswer(from)) {
            snapshotRequests.incrementAndGet();
            sendSnapshot(from);
          }
        }
        case VSERVICES -> onVServices(from, m);
        case EGRESS_ROUTE -> onEgressRoute(from, m.getEgressRoute());
        case BODY_NOT_SET -> throw new PeerMessages.MalformedPeerMessage("no body");
      }
    } catch (PeerMessages.MalformedPeerMessage e) {
      malformed.incrementAndGet();
      warnDropped(from, e.getMessage());
    } catch (StateWriteException e) {
      malformed.incrementAndGet();
      log.warn("[cluster] could not apply a message from {}: {}; the next snapshot or vservice exchange repairs it", from, e.getMessage());
    } catch (RuntimeException e) {
      // A message that passed the checks but could not be applied: the next snapshot or delta
      // repairs it; the receiving thread must live on.
      malformed.incrementAndGet();
      log.error("[cluster] could not apply a message from {}", from, e);
    }
  }

  /** At most one snapshot a second to each peer: its requests are rate-limited alike. */
  private boolean mayAnswer(Address from) {
    long now = System.nanoTime();
    Long last = snapshotAnsweredAt.get(from);
    if (last != null && now - last < TimeUnit.SECONDS.toNanos(1)) {
      return false;
    }
    snapshotAnsweredAt.put(from, now);
    return true;
  }

  private void refuse(Address from, String reason) {
    malformed.incrementAndGet();
    warnDropped(from, reason);
  }

  /**
   * Whether the table should hear of {@code owner}'s entries from {@code from}. Not from a member
   * that left (its message was on its way while the view changed: after the purge it would bring
   * back what is gone; if the member returns, by a merge, it is asked again), nor from a member
   * that JGroups knows by another name (one member cannot speak for several nodes).
   */
  private boolean listening(Address from, String owner) throws PeerMessages.MalformedPeerMessage {
    if (leftAddresses.contains(from)) {
      askOnReturn.add(from);
      log.debug("[cluster] ignored a late message of {} from {}, which left", owner, from);
      return false;
    }
    String name = NameCache.get(from);
    if (name != null && !name.equals(owner)) {
      throw new PeerMessages.MalformedPeerMessage("member " + name + " sent the entries of node " + owner + ": a member speaks only for itself");
    }
    return true;
  }

  /** At most one warning a second, so that a flooding peer cannot flood the log too. */
  private void warnDropped(Address from, String reason) {
    long now = System.nanoTime();
    long unreported = droppedSinceWarning++;
    if (now - lastDropWarning >= TimeUnit.SECONDS.toNanos(1)) {
      lastDropWarning = now;
      droppedSinceWarning = 0;
      log.warn("[cluster] dropped a message from {}: {}{}", from, reason, unreported > 0 ? " (and " + unreported + " others since the last warning)" : "");
    }
  }

  private void onSnapshot(Address from, PeerMessages.CheckedSnapshot s) throws PeerMessages.MalformedPeerMessage {
    String owner = s.node().getName();
    if (owner.equals(self.name())) {
      throw new PeerMessages.MalformedPeerMessage("node " + from + " calls itself " + owner + ", this node's name: every node needs its own --node-name");
    }
    if (peers.nameTakenByAnother(owner, from, members)) {
      throw new PeerMessages.MalformedPeerMessage("node " + from + " speaks for " + owner + ", a name another live member holds");
    }
    if (!listening(from, owner) || !peers.acceptSnapshot(from, s.node(), s.incarnation(), s.seq())) {
      return;
    }
    snapshotAskedAt.remove(owner);
    List<String> refused = new ArrayList<>();
    int[] count = {0};
    try {
      store.commit(st -> {
        PeerEntries.Admitted a = PeerEntries.admit(st, owner, s.apps(), s.servers(), s.sockets());
        refused.addAll(a.refused());
        count[0] = a.size();
        return st.withNodeEntries(owner, a.apps(), a.servers(), a.sockets());
      });
    } catch (StateWriteException e) {
      peers.unsettle(owner); // its next delta asks for the snapshot again
      throw e;
    }
    peers.entries(owner, count[0]);
    warnRefused(from, owner, refused);
    log.debug("[cluster] snapshot of {} (incarnation {}, seq {}): {} apps, {} servers", owner, s.incarnation(), s.seq(), s.apps().size(), s.servers().size());
    applyHeld(from, owner);
  }

  private void warnRefused(Address from, String owner, List<String> refused) {
    if (!refused.isEmpty()) {
      malformed.addAndGet(refused.size());
      warnDropped(from, "entries of " + owner + " under keys another node holds: " + refused.subList(0, Math.min(3, refused.size())) + (refused.size() > 3 ? " and " + (refused.size() - 3) + " more" : ""));
    }
  }

  /** Applies the held deltas of {@code owner} whose turn has come. */
  private void applyHeld(Address from, String owner) throws PeerMessages.MalformedPeerMessage {
    for (var d = peers.nextHeld(owner); d.isPresent(); d = peers.nextHeld(owner)) {
      if (!applyDelta(from, d.get())) {
        return;
      }
    }
  }

  private void onDelta(Address from, PeerMessages.CheckedDelta d) throws PeerMessages.MalformedPeerMessage {
    if (d.node().equals(self.name())) {
      throw new PeerMessages.MalformedPeerMessage("node " + from + " sent changes as " + d.node() + ", this node's name");
    }
    if (peers.nameTakenByAnother(d.node(), from, members)) {
      throw new PeerMessages.MalformedPeerMessage("node " + from + " sent changes as " + d.node() + ", a name another live member holds");
    }
    if (!listening(from, d.node())) {
      return;
    }
    switch (peers.judgeDelta(d.node(), d.incarnation(), d.seq())) {
      case OLD -> {}
      case GAP -> {
        peers.hold(d);
        askSnapshot(from, d.node());
      }
      case APPLY -> {
        if (applyDelta(from, d)) {
          applyHeld(from, d.node());
        }
      }
    }
  }

  /** Applies a delta that is next in line; false when it was refused (the owner's next snapshot repairs). */
  private boolean applyDelta(Address from, PeerMessages.CheckedDelta d) throws PeerMessages.MalformedPeerMessage {
    String owner = d.node();
    List<String> refused = new ArrayList<>();
    int[] count = {-1};
    store.commit(st -> {
      PeerEntries.Admitted a = PeerEntries.admit(st, owner, d.putApps(), d.putServers(), d.putSockets());
      int after = PeerEntries.countAfter(st, owner, peers.entries(owner), a, d.removedApps(), d.removedServers(), d.removedSockets());
      if (after > config.limits().maxEntriesPerNode()) {
        return st;
      }
      count[0] = after;
      refused.addAll(a.refused());
      return st.withEntryChanges(
          a.apps(), a.servers(), a.sockets(),
          // Only the owner's own entries can be removed by it.
          d.removedApps().stream().filter(id -> owns(st.apps().get(id), owner)).toList(),
          d.removedServers().stream().filter(id -> st.servers().containsKey(id) && st.servers().get(id).nodeId().equals(owner)).toList(),
          d.removedSockets().stream().filter(id -> st.sockets().containsKey(id) && st.sockets().get(id).nodeId().equals(owner)).toList());
    });
    if (count[0] < 0) {
      throw new PeerMessages.MalformedPeerMessage("node " + owner + " would hold more than the " + config.limits().maxEntriesPerNode() + " entries allowed");
    }
    peers.entries(owner, count[0]);
    peers.applied(owner, d.seq());
    warnRefused(from, owner, refused);
    return true;
  }

  private static boolean owns(App app, String owner) {
    return app != null && app.nodeId().equals(owner);
  }

  /** On the inbox thread: asks the members whose entries are missing here (see {@link #repair}). */
  private void askMissing() {
    for (Address m : members) {
      if (!m.equals(channel.getAddress()) && !leftAddresses.contains(m) && peers.nameAt(m).isEmpty()) {
        askSnapshot(m, m.toString());
      }
    }
  }

  private void askSnapshot(Address owner, String name) {
    long now = System.nanoTime();
    Long last = snapshotAskedAt.get(name);
    // One request per owner per second: its answer is on its way meanwhile.
    if (last != null && now - last < TimeUnit.SECONDS.toNanos(1)) {
      return;
    }
    snapshotAskedAt.put(name, now);
    send(owner, PeerMessage.newBuilder().setSnapshotRequest(SnapshotRequest.newBuilder().setNode(name)).build(), null);
  }

  private void onVServices(Address from, PeerMessage m) throws PeerMessages.MalformedPeerMessage {
    List<String> invalid = new ArrayList<>();
    List<VServiceRegisters.Write> writes = PeerMessages.check(m.getVservices(), config.limits(), invalid);
    if (!invalid.isEmpty()) {
      malformed.addAndGet(invalid.size());
      warnDropped(from, invalid.size() + " invalid vservices, the first " + invalid.getFirst());
    }
    settle(writes);
  }

  /**
   * Merges peers' vservice writes (or none, to settle a conflict that a local write ended) and
   * commits the resolved vservices to the store. One call at a time (the receiving and settling
   * threads), so that a failed commit can put the registers back as they were.
   */
  private void settle(List<VServiceRegisters.Write> writes) {
    synchronized (settleLock) {
      List<List<VServiceRegisters.Write>> localWrites = new ArrayList<>();
      VServiceRegisters.Memento[] before = new VServiceRegisters.Memento[1];
      try {
        store.commit(st -> {
          synchronized (registers) {
            before[0] = registers.memento();
            // Writes made here in the same batch, not yet stamped, are stamped first, so that the
            // merge below sees them as the writes they are.
            List<VServiceRegisters.Write> mine = registers.absorbLocal(st.vservices());
            if (!mine.isEmpty()) {
              localWrites.add(mine);
            }
            boolean changed = registers.merge(writes);
            if (!changed && mine.isEmpty() && !registers.storeBehind()) {
              return st;
            }
            registers.storeHolds(registers.resolved());
            return st.withVServices(registers.resolved());
          }
        });
      } catch (RuntimeException e) {
        // Not saved, so none of it happened: the registers go back to what the store holds (the
        // peers' writes come again with the next snapshot of vservices, at a view change).
        synchronized (registers) {
          if (before[0] != null) {
            registers.rollBack(before[0]);
          }
        }
        throw e;
      }
      List<VServiceRegisters.Write> all;
      long clock;
      long version;
      synchronized (registers) {
        all = registers.all();
        clock = registers.clock();
        version = registers.version();
        List<String> held = registers.heldBack();
        if (!held.isEmpty()) {
          log.warn("[cluster] vservices {} are held back: a vservice written later serves one of their vIP:vports", held);
        }
      }
      saveStamps(version, clock, all);
      for (List<VServiceRegisters.Write> mine : localWrites) {
        send(null, PeerMessage.newBuilder().setVservices(PeerMessages.vservices(mine)).build(), null);
      }
    }
  }

  private void onEgressRoute(Address from, io.ax.cluster.v1.EgressRoute r) throws PeerMessages.MalformedPeerMessage {
    java.util.function.BiConsumer<Inet4Endpoint, Inet4Endpoint> to = egressRoutes;
    if (to == null) {
      throw new PeerMessages.MalformedPeerMessage("an egress route to a node that is no egress gateway");
    }
    Optional<NodeMeta> sender = peers.nameAt(from).flatMap(peers::peer).map(Peers.Peer::meta);
    if (sender.isEmpty() || !sender.get().getIp().equals(r.getSrcIp())) {
      throw new PeerMessages.MalformedPeerMessage("an egress route for " + r.getSrcIp() + ", which is not the sender's node IP");
    }
    try {
      to.accept(Endpoints.of(r.getSrcIp(), Ports.check("src_port", Integer.toUnsignedLong(r.getSrcPort()))), Endpoints.of(r.getDstIp(), Ports.check("dst_port", Integer.toUnsignedLong(r.getDstPort()))));
    } catch (RuntimeException e) {
      throw new PeerMessages.MalformedPeerMessage("an invalid egress route: " + e.getMessage());
    }
  }

  // ---- egress gateways ----

  /** Has this node (an egress gateway) hear the routes its peers announce. */
  public void onEgressRoutes(java.util.function.BiConsumer<Inet4Endpoint, Inet4Endpoint> routes) {
    egressRoutes = routes;
  }

  /**
   * The egress gateway of the cluster: of the live peers with the role, the first by name (every
   * node picks the same one), at its IP and egress port. Empty when there is none, or this node
   * is one (its own apps go out directly).
   */
  public Optional<Inet4Endpoint> egressGateway() {
    if (self.egressPort() > 0) {
      return Optional.empty();
    }
    return peers.live().stream()
        .filter(p -> p.meta().getRolesList().contains(EGRESS_GATEWAY_ROLE) && p.meta().getEgressPort() > 0 && members.contains(p.address()))
        .min(java.util.Comparator.comparing(Peers.Peer::name))
        .map(p -> Endpoints.of(p.meta().getIp(), p.meta().getEgressPort()));
  }

  /** The IPs of the live nodes, this one too: no egress gateway stands between nodes. */
  public Set<Integer> nodeIps() {
    Set<Integer> ips = new HashSet<>();
    ips.add(Ipv4.parse("ip", self.ip()).bits());
    peers.live().forEach(p -> ips.add(Ipv4.parse("ip", p.meta().getIp()).bits()));
    return ips;
  }

  /** Tells {@code gateway}'s node that the connection from {@code local} goes on to {@code destination}. */
  public void routeEgress(Inet4Endpoint local, Inet4Endpoint gateway, Inet4Endpoint destination) {
    String gatewayIp = Endpoints.ip(gateway).toString();
    Optional<Peers.Peer> node = peers.live().stream().filter(p -> p.meta().getIp().equals(gatewayIp)).findFirst();
    if (node.isEmpty()) {
      log.warn("[cluster] no live node at egress gateway {}: the connection from {} to {} will be refused there", gateway, local, destination);
      return;
    }
    io.ax.cluster.v1.EgressRoute r = io.ax.cluster.v1.EgressRoute.newBuilder()
        .setSrcIp(Endpoints.ip(local).toString()).setSrcPort(local.port())
        .setDstIp(Endpoints.ip(destination).toString()).setDstPort(destination.port())
        .build();
    send(node.get().address(), PeerMessage.newBuilder().setEgressRoute(r).build(), null);
  }

  private void onView(View v) {
    View previous = view;
    view = v;
    List<Address> now = v.getMembers();
    Set<Address> before = previous == null ? Set.of() : new HashSet<>(previous.getMembers());
    List<Address> joined = now.stream().filter(a -> !before.contains(a) && !a.equals(channel.getAddress())).toList();
    List<Address> left = before.stream().filter(a -> !now.contains(a)).toList();
    members = List.copyOf(now);
    for (Address a : left) {
      leftAddresses.add(a);
    }
    leftAddresses.removeAll(now); // back after a partition, at the same address
    while (leftAddresses.size() > MAX_LEFT_ADDRESSES) {
      leftAddresses.remove(leftAddresses.iterator().next());
    }
    snapshotAnsweredAt.keySet().retainAll(now);
    List<String> gone = peers.retainMembers(now);
    if (!gone.isEmpty()) {
      store.commit(st -> {
        DataplaneState next = st;
        for (String name : gone) {
          next = next.withNodeEntries(name, List.of(), List.of(), List.of());
        }
        return next;
      });
      purgedNodes.addAndGet(gone.size());
    }
    log.info("[cluster] view {}: {} members {}{}{}", v.getViewId().getId(), now.size(), now,
        joined.isEmpty() ? "" : ", joined " + joined, left.isEmpty() ? "" : ", left " + left + (gone.isEmpty() ? "" : " (entries of " + gone + " removed)"));
    // A member whose entries this node does not hold (its snapshot was refused while an older
    // life of it was still a member, or got lost) is asked for them. JGroups names members by
    // their logical name, which is the node name.
    for (Address m : now) {
      boolean refusedWhileAway = askOnReturn.remove(m);
      if (!m.equals(channel.getAddress()) && (refusedWhileAway || !joined.contains(m) && peers.nameAt(m).isEmpty())) {
        askSnapshot(m, m.toString());
      }
    }
    askOnReturn.retainAll(leftAddresses);
    if (!joined.isEmpty()) {
      // One node joined an existing view: it alone needs to hear, so the others tell it alone
      // (one message each, not a multicast each: a join costs O(N) messages, not O(N²)). A merge,
      // or this node's own first view, is told to everyone.
      Address to = joined.size() == 1 && previous != null && !(v instanceof MergeView) ? joined.getFirst() : null;
      sendSnapshot(to);
      // One node per former view sends the vservices: its coordinator, or a node that was alone.
      boolean coordinator = previous == null || channel.getAddress().equals(previous.getCoord()) || v instanceof MergeView mv && isSubgroupCoordinator(mv);
      if (coordinator) {
        List<VServiceRegisters.Write> all;
        synchronized (registers) {
          all = registers.all();
        }
        if (!all.isEmpty()) {
          send(to, PeerMessage.newBuilder().setVservices(PeerMessages.vservices(all)).build(), null);
        }
      }
    }
  }

  private boolean isSubgroupCoordinator(MergeView mv) {
    for (View sub : mv.getSubgroups()) {
      if (channel.getAddress().equals(sub.getCoord())) {
        return true;
      }
    }
    return false;
  }

  private void sendSnapshot(Address to) {
    synchronized (ownLock) {
      send(to, PeerMessage.newBuilder().setSnapshot(PeerMessages.snapshot(selfMeta, incarnation, seq, own.apps().values(), own.servers().values(), own.sockets().values())).build(), snapshotsSent);
    }
  }

  /**
   * Queues a message (to one peer, or to all for {@code null}); sending never blocks the caller.
   * Beyond {@link #OUTBOX_BYTES} waiting (the network or the peers cannot keep up) the message is
   * dropped, and once the queue has drained by half this node sends its whole snapshot and every
   * vservice register, which repair whatever was dropped.
   */
  private void send(Address to, PeerMessage m, AtomicLong counter) {
    byte[] bytes = m.toByteArray();
    if (outboxBytes.addAndGet(bytes.length) > OUTBOX_BYTES) {
      outboxBytes.addAndGet(-bytes.length);
      if (peersBehind.compareAndSet(false, true)) {
        log.warn("[cluster] dropped a {} message: more than {} MiB wait to be sent; all of this node's entries and vservices go out again once it drains",
            m.getBodyCase(), OUTBOX_BYTES >> 20);
      }
      sendsDropped.incrementAndGet();
      return;
    }
    outbox.execute(() -> {
      try {
        if (!channel.isConnected()) {
          return;
        }
        channel.send(new BytesMessage(to, bytes));
        if (counter != null) {
          counter.incrementAndGet();
        }
      } catch (Exception e) {
        log.warn("[cluster] could not send a {} message to {}: {}", m.getBodyCase(), to == null ? "the cluster" : to, rootMessage(e));
      } finally {
        outboxBytes.addAndGet(-bytes.length);
      }
      if (outboxBytes.get() < OUTBOX_BYTES / 2 && peersBehind.compareAndSet(true, false)) {
        sendSnapshot(null);
        List<VServiceRegisters.Write> all;
        synchronized (registers) {
          all = registers.all();
        }
        send(null, PeerMessage.newBuilder().setVservices(PeerMessages.vservices(all)).build(), null);
      }
    });
  }

  private void saveStamps(long version, long clock, List<VServiceRegisters.Write> all) {
    try {
      stampFile.save(version, clock, all);
    } catch (IOException e) {
      log.warn("[cluster] could not save vservice stamps: {}", e.getMessage());
    }
  }

  // ---- what users see ----

  /**
   * Every node: this one, the live peers that have told their entries, and the nodes that left
   * (not alive) since this daemon started or until they come back.
   */
  public Map<String, NodeInfo> nodes(DataplaneState s) {
    Map<String, Integer> appCounts = new HashMap<>();
    s.apps().values().forEach(a -> appCounts.merge(a.nodeId(), 1, Integer::sum));
    Map<String, NodeInfo> out = new LinkedHashMap<>();
    out.put(self.name(), node(selfMeta, appCounts, true));
    for (Peers.Peer p : peers.live()) {
      out.put(p.name(), node(p.meta(), appCounts, true));
    }
    for (NodeMeta m : peers.departed()) {
      out.putIfAbsent(m.getName(), node(m, appCounts, false));
    }
    return out;
  }

  private static NodeInfo node(NodeMeta m, Map<String, Integer> appCounts, boolean alive) {
    return new NodeInfo(m.getName(), m.getCluster(), m.getIp(), m.getExternalIp(), m.getRolesList(), appCounts.getOrDefault(m.getName(), 0), alive);
  }

  public Stats stats() {
    return new Stats(malformed.get(), snapshotsSent.get(), deltasSent.get(), snapshotRequests.get(), purgedNodes.get(), sendsDropped.get());
  }

  /** The members of the current view, as JGroups names them. */
  public List<String> memberNames() {
    return members.stream().map(Object::toString).toList();
  }

  @Override
  public void close() {
    store.removeListener(listener);
    repair.shutdownNow();
    channel.close();
    inbox.shutdown();
    outbox.shutdown();
    settler.shutdown();
    try {
      inbox.awaitTermination(2, TimeUnit.SECONDS);
      outbox.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.toString() : c.getMessage();
  }

  /** The cluster could not be joined; the message is one line for the user. */
  public static final class ClusterStartException extends RuntimeException {
    ClusterStartException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** This node's entries as last published. */
  record OwnEntries(Map<AppId, App> apps, Map<String, ServerEntry> servers, Map<String, SocketEntry> sockets) {
    static final OwnEntries EMPTY = new OwnEntries(Map.of(), Map.of(), Map.of());

    static OwnEntries of(DataplaneState s, String node) {
      return new OwnEntries(owned(s.apps(), App::nodeId, node), owned(s.servers(), ServerEntry::nodeId, node), owned(s.sockets(), SocketEntry::nodeId, node));
    }

    /** This node's entries after a commit, or this same object when the commit left them alone. */
    OwnEntries next(DataplaneState before, DataplaneState after, String node) {
      if (before.apps() == after.apps() && before.servers() == after.servers() && before.sockets() == after.sockets()) {
        return this;
      }
      OwnEntries next = of(after, node);
      return next.equals(this) ? this : next;
    }

    Delta delta(OwnEntries next, String node, long incarnation, long seq) {
      Delta.Builder b = Delta.newBuilder().setNode(node).setIncarnation(incarnation).setSeq(seq);
      next.apps.forEach((id, a) -> {
        if (!a.equals(apps.get(id))) {
          b.addPutApps(Protos.app(a));
        }
      });
      apps.keySet().stream().filter(id -> !next.apps.containsKey(id)).forEach(id -> b.addRemovedApps(id.value()));
      next.servers.forEach((id, e) -> {
        if (!e.equals(servers.get(id))) {
          b.addPutServers(Protos.server(e));
        }
      });
      servers.keySet().stream().filter(id -> !next.servers.containsKey(id)).forEach(b::addRemovedServers);
      next.sockets.forEach((id, e) -> {
        if (!e.equals(sockets.get(id))) {
          b.addPutSockets(Protos.socket(e));
        }
      });
      sockets.keySet().stream().filter(id -> !next.sockets.containsKey(id)).forEach(b::addRemovedSockets);
      return b.build();
    }

    private static <K, V> Map<K, V> owned(Map<K, V> all, Function<V, String> nodeOf, String node) {
      Map<K, V> out = new LinkedHashMap<>();
      all.forEach((k, v) -> {
        if (nodeOf.apply(v).equals(node)) {
          out.put(k, v);
        }
      });
      return out;
    }
  }
}
