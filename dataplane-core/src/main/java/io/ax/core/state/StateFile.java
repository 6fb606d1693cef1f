package io.ax.core.state;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.ax.admin.v1.DaemonState;
import io.ax.core.field.InvalidFieldException;
import io.ax.core.lb.LbPolicy;
import io.ax.core.model.App;
import io.ax.core.model.ServerEntry;
import io.ax.core.model.SocketEntry;
import io.ax.core.model.VService;
import io.ax.core.proto.Protos;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon state on disk: {@code state.pb} under the run directory, the admin API's
 * {@code DaemonState} message in protobuf's binary encoding (evolvable the protobuf way; {@code ax
 * get -o json} is the readable view). Binary because the whole file is rewritten on every change:
 * 10,000 vservices with 100,000 endpoints print as 8.5 MB of JSON in about 250 ms, but encode as
 * 3 MB in a few milliseconds. Writes go to a temporary file that is synced and then renamed over
 * the old one, so a crash leaves either the old state or the new one, never a torn file. A
 * {@code state.json} left by an earlier version is read when there is no {@code state.pb}, and
 * removed by the first save.
 *
 * <p>In a cluster the snapshot also holds other nodes' entries; the file keeps only this node's
 * (its owner's) apps, servers and sockets, and every vservice: the others are the peers' to tell
 * again when this node rejoins. A change that touches nothing the file holds (a peer's app came
 * or went) writes nothing.
 */
public final class StateFile implements StatePersistence {
  private static final Logger log = LoggerFactory.getLogger(StateFile.class);
  static final int FORMAT_VERSION = 1;
  // A state file is written by us; anything larger than this is not ours.
  static final long MAX_BYTES = 256L * 1024 * 1024;
  static final FileAttribute<?> OWNER_ONLY = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

  private final Path file;
  private final Path temp;
  private final Path legacyJson;
  /** Saves come one at a time from the store's writer; volatile for a reader on another thread. */
  private volatile EncodedVServices lastVServices;

  /** What the last save wrote, to skip a save that would write the same. */
  private volatile Saved lastSaved;
  /** The node whose entries are kept; empty keeps every entry. */
  private final Optional<String> owner;

  /** A state file that keeps every entry of the state (a daemon outside any cluster, tests). */
  public StateFile(Path file) {
    this(file, Optional.empty());
  }

  /** A state file that keeps {@code owner}'s entries and every vservice. */
  public StateFile(Path file, Optional<String> owner) {
    this.owner = Objects.requireNonNull(owner, "owner");
    this.file = Objects.requireNonNull(file, "file");
    this.temp = file.resolveSibling(file.getFileName() + ".tmp");
    this.legacyJson = file.resolveSibling("state.json");
  }

  public Path path() {
    return file;
  }

  @Override
  public void save(DataplaneState state) throws IOException {
    Saved saved = new Saved(
        state.apps().values().stream().filter(a -> owns(a.nodeId())).toList(),
        state.servers().values().stream().filter(e -> owns(e.nodeId())).toList(),
        state.sockets().values().stream().filter(e -> owns(e.nodeId())).toList(),
        state.vservices());
    Saved last = lastSaved;
    if (last != null && last.sameAs(saved)) {
      return;
    }
    DaemonState.Builder b = DaemonState.newBuilder().setFormatVersion(FORMAT_VERSION);
    saved.apps().forEach(a -> b.addApps(Protos.app(a)));
    saved.servers().forEach(s -> b.addServers(Protos.server(s)));
    saved.sockets().forEach(s -> b.addSockets(Protos.socket(s)));
    byte[] rest = b.build().toByteArray();
    byte[] vservices = encodedVServices(state.vservices());
    // Owner-only (0600): the file names every app, IP and label of the node. A temporary file left
    // by a crash is removed first, since the mode is set only when the file is created.
    Files.deleteIfExists(temp);
    try (FileChannel ch = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), OWNER_ONLY)) {
      for (ByteBuffer buf : new ByteBuffer[] {ByteBuffer.wrap(rest), ByteBuffer.wrap(vservices)}) {
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
      }
      ch.force(true);
    }
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    if (!legacyJson.equals(file)) {
      Files.deleteIfExists(legacyJson);
    }
    lastSaved = saved;
  }

  private boolean owns(String nodeId) {
    return owner.isEmpty() || owner.get().equals(nodeId);
  }

  /** The part of a state a save writes. */
  private record Saved(List<App> apps, List<ServerEntry> servers, List<SocketEntry> sockets, Map<String, VService> vservices) {
    boolean sameAs(Saved o) {
      // Vservice maps are compared by reference: states share an unchanged one.
      return vservices == o.vservices && apps.equals(o.apps) && servers.equals(o.servers) && sockets.equals(o.sockets);
    }
  }

  /**
   * The {@code vservices} fields of a {@code DaemonState}, encoded. A protobuf message's encoding
   * is the concatenation of its fields' (and vservices, field 5, is the last), so these bytes
   * after those of the other fields are exactly the whole message's encoding. Apps, servers and
   * sockets change with every {@code ax run} and listen, vservices only when the agent pushes:
   * reusing the bytes of an unchanged vservice map (states share it by reference) takes encoding
   * 10,000 vservices (most of a save, hundreds of milliseconds on a busy node) off those saves.
   */
  private byte[] encodedVServices(Map<String, VService> vservices) {
    EncodedVServices last = lastVServices;
    if (last != null && last.source() == vservices) {
      return last.bytes();
    }
    DaemonState.Builder b = DaemonState.newBuilder();
    vservices.values().forEach(v -> b.addVservices(Protos.vservice(v)));
    byte[] bytes = b.build().toByteArray();
    lastVServices = new EncodedVServices(vservices, bytes);
    return bytes;
  }

  /** The bytes of one vservice map, which it keeps by reference (maps of a state never change). */
  private record EncodedVServices(Map<String, VService> source, byte[] bytes) {}

  /**
   * Reads the saved state; empty when there is none.
   *
   * @throws StateFileException when the file exists but cannot be used: it is left in place
   */
  public Optional<DataplaneState> load() {
    boolean legacy = !Files.exists(file) && Files.exists(legacyJson) && !legacyJson.equals(file);
    Path source = legacy ? legacyJson : file;
    byte[] bytes;
    try {
      if (Files.size(source) > MAX_BYTES) {
        throw new StateFileException(source + " is larger than " + MAX_BYTES + " bytes");
      }
      bytes = Files.readAllBytes(source);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new StateFileException("cannot read " + source + ": " + e.getMessage());
    }
    DaemonState.Builder b = DaemonState.newBuilder();
    try {
      if (legacy) {
        JsonFormat.parser().ignoringUnknownFields().merge(new String(bytes, StandardCharsets.UTF_8), b);
      } else {
        b.mergeFrom(bytes);
      }
    } catch (InvalidProtocolBufferException e) {
      throw new StateFileException(source + " is not a valid state file: " + e.getMessage());
    }
    return Optional.of(restore(b, source));
  }

  private static DataplaneState restore(DaemonState.Builder b, Path file) {
    if (b.getFormatVersion() != FORMAT_VERSION) {
      throw new StateFileException(file + " has format version " + b.getFormatVersion() + ", this daemon reads " + FORMAT_VERSION);
    }
    try {
      List<App> apps = new ArrayList<>();
      b.getAppsList().forEach(a -> apps.add(Protos.app(a)));
      List<ServerEntry> servers = new ArrayList<>();
      b.getServersList().forEach(s -> servers.add(Protos.server(s)));
      List<SocketEntry> sockets = new ArrayList<>();
      b.getSocketsList().forEach(s -> sockets.add(Protos.socket(s)));
      List<VService> vservices = new ArrayList<>();
      for (int i = 0; i < b.getVservicesCount(); i++) {
        vservices.add(Protos.vservice("vservices[" + i + "].", b.getVservices(i), LbPolicy.RANDOM));
      }
      DataplaneState state = DataplaneState.of(apps, servers, sockets, vservices);
      log.info("[state] restored {} vservices, {} apps, {} servers from {}", vservices.size(), apps.size(), servers.size(), file);
      return state;
    } catch (InvalidFieldException | IllegalArgumentException | IllegalStateException e) {
      throw new StateFileException(file + " holds an invalid entry: " + e.getMessage());
    }
  }

  /** Removes the saved state ({@code --clean}). */
  public void delete() throws IOException {
    lastSaved = null;
    Files.deleteIfExists(file);
    Files.deleteIfExists(temp);
    Files.deleteIfExists(legacyJson);
  }

  /** A state file that exists but cannot be used; the daemon refuses to start over it. */
  public static final class StateFileException extends RuntimeException {
    public StateFileException(String message) {
      super(message);
    }
  }
}
