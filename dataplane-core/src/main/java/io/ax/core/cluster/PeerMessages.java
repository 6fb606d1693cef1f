package io.ax.core.cluster;

import com.google.protobuf.InvalidProtocolBufferException;
import io.ax.cluster.v1.Delta;
import io.ax.cluster.v1.NodeMeta;
import io.ax.cluster.v1.PeerMessage;
import io.ax.cluster.v1.Snapshot;
import io.ax.cluster.v1.VServiceUpdate;
import io.ax.cluster.v1.VServiceUpdates;
import io.ax.core.field.InvalidFieldException;
import io.ax.core.lb.LbPolicy;
import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.model.ServerEntry;
import io.ax.core.model.SocketEntry;
import io.ax.core.model.VService;
import io.ax.core.proto.Protos;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Peer messages to and from bytes. Decoding checks everything a peer could get wrong or forge
 * before any of it reaches the table: the size, the counts, each entry's fields (through the same
 * model constructors as local input), and that a node sends only entries it owns. A message that
 * fails is refused whole with a {@link MalformedPeerMessage} naming the reason.
 */
final class PeerMessages {
  private PeerMessages() {}

  /** A decoded, checked snapshot. */
  record CheckedSnapshot(NodeMeta node, long incarnation, long seq, List<App> apps, List<ServerEntry> servers, List<SocketEntry> sockets) {}

  /** A decoded, checked delta. */
  record CheckedDelta(
      String node, long incarnation, long seq, List<App> putApps, List<ServerEntry> putServers, List<SocketEntry> putSockets,
      List<AppId> removedApps, List<String> removedServers, List<String> removedSockets) {}

  static final class MalformedPeerMessage extends Exception {
    MalformedPeerMessage(String message) {
      super(message);
    }
  }

  static PeerMessage parse(byte[] buf, int offset, int length, ClusterConfig.Limits limits) throws MalformedPeerMessage {
    if (length > limits.maxMessageBytes()) {
      throw new MalformedPeerMessage(length + " bytes, more than the " + limits.maxMessageBytes() + " allowed");
    }
    try {
      PeerMessage m = PeerMessage.parseFrom(java.nio.ByteBuffer.wrap(buf, offset, length));
      if (m.getBodyCase() == PeerMessage.BodyCase.BODY_NOT_SET) {
        throw new MalformedPeerMessage("a message with no body (a newer peer, or not ax)");
      }
      return m;
    } catch (InvalidProtocolBufferException e) {
      throw new MalformedPeerMessage("not a peer message: " + e.getMessage());
    }
  }

  static Snapshot snapshot(NodeMeta node, long incarnation, long seq, Collection<App> apps, Collection<ServerEntry> servers, Collection<SocketEntry> sockets) {
    Snapshot.Builder b = Snapshot.newBuilder().setNode(node).setIncarnation(incarnation).setSeq(seq);
    apps.forEach(a -> b.addApps(Protos.app(a)));
    servers.forEach(s -> b.addServers(Protos.server(s)));
    sockets.forEach(s -> b.addSockets(Protos.socket(s)));
    return b.build();
  }

  static CheckedSnapshot check(Snapshot m, ClusterConfig.Limits limits) throws MalformedPeerMessage {
    String owner = checkedNodeName(m.getNode().getName());
    int count = m.getAppsCount() + m.getServersCount() + m.getSocketsCount();
    if (count > limits.maxEntriesPerNode()) {
      throw new MalformedPeerMessage("node " + owner + " sent " + count + " entries, more than the " + limits.maxEntriesPerNode() + " allowed");
    }
    try {
      List<App> apps = new ArrayList<>();
      for (io.ax.admin.v1.App a : m.getAppsList()) {
        App app = Protos.app(a);
        apps.add(owned(owner, app, app.nodeId()));
      }
      List<ServerEntry> servers = new ArrayList<>();
      for (io.ax.admin.v1.Server s : m.getServersList()) {
        ServerEntry e = Protos.server(s);
        servers.add(owned(owner, e, e.nodeId()));
      }
      List<SocketEntry> sockets = new ArrayList<>();
      for (io.ax.admin.v1.Socket s : m.getSocketsList()) {
        SocketEntry e = Protos.socket(s);
        sockets.add(owned(owner, e, e.nodeId()));
      }
      return new CheckedSnapshot(m.getNode(), m.getIncarnation(), m.getSeq(), apps, servers, sockets);
    } catch (InvalidFieldException | IllegalArgumentException | NullPointerException e) {
      throw new MalformedPeerMessage("node " + owner + " sent an invalid entry: " + e.getMessage());
    }
  }

  static CheckedDelta check(Delta m, ClusterConfig.Limits limits) throws MalformedPeerMessage {
    String owner = checkedNodeName(m.getNode());
    int count = m.getPutAppsCount() + m.getPutServersCount() + m.getPutSocketsCount() + m.getRemovedAppsCount() + m.getRemovedServersCount() + m.getRemovedSocketsCount();
    if (count > limits.maxEntriesPerNode()) {
      throw new MalformedPeerMessage("node " + owner + " sent " + count + " changes, more than the " + limits.maxEntriesPerNode() + " allowed");
    }
    try {
      List<App> apps = new ArrayList<>();
      for (io.ax.admin.v1.App a : m.getPutAppsList()) {
        App app = Protos.app(a);
        apps.add(owned(owner, app, app.nodeId()));
      }
      List<ServerEntry> servers = new ArrayList<>();
      for (io.ax.admin.v1.Server s : m.getPutServersList()) {
        ServerEntry e = Protos.server(s);
        servers.add(owned(owner, e, e.nodeId()));
      }
      List<SocketEntry> sockets = new ArrayList<>();
      for (io.ax.admin.v1.Socket s : m.getPutSocketsList()) {
        SocketEntry e = Protos.socket(s);
        sockets.add(owned(owner, e, e.nodeId()));
      }
      List<AppId> removedApps = new ArrayList<>();
      m.getRemovedAppsList().forEach(id -> removedApps.add(new AppId(id)));
      return new CheckedDelta(
          owner, m.getIncarnation(), m.getSeq(), apps, servers, sockets, removedApps, m.getRemovedServersList(), m.getRemovedSocketsList());
    } catch (InvalidFieldException | IllegalArgumentException | NullPointerException e) {
      throw new MalformedPeerMessage("node " + owner + " sent an invalid entry: " + e.getMessage());
    }
  }

  static VServiceUpdates vservices(List<VServiceRegisters.Write> writes) {
    VServiceUpdates.Builder b = VServiceUpdates.newBuilder();
    for (VServiceRegisters.Write w : writes) {
      VServiceUpdate.Builder u = VServiceUpdate.newBuilder()
          .setName(w.name())
          .setStamp(io.ax.cluster.v1.Stamp.newBuilder().setClock(w.register().stamp().clock()).setOrigin(w.register().stamp().origin()));
      w.register().value().ifPresent(v -> u.setValue(Protos.vservice(v)));
      b.addUpdates(u);
    }
    return b.build();
  }

  /**
   * The writes of an update message. One invalid vservice does not sink the others: it is left
   * out and counted in {@code invalid}, since the rest are independent registers.
   */
  static List<VServiceRegisters.Write> check(VServiceUpdates m, ClusterConfig.Limits limits, List<String> invalid) throws MalformedPeerMessage {
    if (m.getUpdatesCount() > limits.maxVServices()) {
      throw new MalformedPeerMessage(m.getUpdatesCount() + " vservice updates, more than the " + limits.maxVServices() + " allowed");
    }
    List<VServiceRegisters.Write> writes = new ArrayList<>(m.getUpdatesCount());
    for (VServiceUpdate u : m.getUpdatesList()) {
      try {
        Stamp stamp = stamp(u.getStamp());
        Optional<VService> value = Optional.empty();
        if (u.hasValue()) {
          VService vs = Protos.vservice("vservice '" + u.getName() + "' ", u.getValue(), LbPolicy.RANDOM);
          if (!vs.name().equals(u.getName())) {
            throw new IllegalArgumentException("update for '" + u.getName() + "' carries vservice '" + vs.name() + "'");
          }
          value = Optional.of(vs);
        }
        writes.add(new VServiceRegisters.Write(u.getName(), new VServiceRegisters.Register(stamp, value)));
      } catch (MalformedPeerMessage | InvalidFieldException | IllegalArgumentException | NullPointerException e) {
        invalid.add("'" + u.getName() + "': " + e.getMessage());
      }
    }
    return writes;
  }

  /**
   * A write's stamp: a clock up to {@link VServiceRegisters#MAX_CLOCK} and the writing node, or
   * {@link Stamp#NONE}, which a node upgraded from a one-node daemon gives the vservices it had.
   */
  private static Stamp stamp(io.ax.cluster.v1.Stamp s) throws MalformedPeerMessage {
    if (s.getClock() == 0 && s.getOrigin().isEmpty()) {
      return Stamp.NONE;
    }
    if (s.getClock() < 0 || s.getClock() > VServiceRegisters.MAX_CLOCK) {
      throw new MalformedPeerMessage("clock " + s.getClock() + " is outside 0.." + VServiceRegisters.MAX_CLOCK);
    }
    return new Stamp(s.getClock(), checkedNodeName(s.getOrigin()));
  }

  private static <T> T owned(String owner, T entry, String entryNode) throws MalformedPeerMessage {
    if (!owner.equals(entryNode)) {
      throw new MalformedPeerMessage("node " + owner + " sent an entry of node " + entryNode + ": a node speaks only for its own entries");
    }
    return entry;
  }

  private static String checkedNodeName(String name) throws MalformedPeerMessage {
    if (name.isEmpty() || name.length() > 253 || !name.chars().allMatch(c -> c > ' ' && c < 127)) {
      throw new MalformedPeerMessage("a node name that is not 1-253 printable characters");
    }
    return name;
  }
}
