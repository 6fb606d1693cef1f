package io.ax.core.cluster;

import com.google.protobuf.InvalidProtocolBufferException;
import io.ax.cluster.v1.StampFile.Builder;
import io.ax.cluster.v1.VServiceUpdate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The vservice stamps and deletions of this node ({@code cluster.pb} beside {@code state.pb}),
 * so that after a restart its copies of the vservices neither beat newer writes made elsewhere
 * nor bring back deleted ones. Written whole, to a temporary file renamed over the old one. A
 * file that cannot be read is set aside with a warning, not fatal: the only cost is that this
 * node's vservices then lose to any peer's copy.
 */
final class StampFile {
  private static final Logger log = LoggerFactory.getLogger(StampFile.class);
  static final int FORMAT_VERSION = 1;

  /** The saved clock, the stamps of live vservices and those of deletions. */
  record Loaded(long clock, Map<String, Stamp> live, Map<String, Stamp> deleted) {
    static final Loaded NONE = new Loaded(0, Map.of(), Map.of());
  }

  private final Path file;
  /** The registers' version last written; guarded by this. */
  private long savedVersion = -1;

  StampFile(Path file) {
    this.file = file;
  }

  Loaded load() {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Loaded.NONE;
    } catch (IOException e) {
      log.warn("[cluster] cannot read {} ({}): this node's vservices lose to any peer's copy", file, e.getMessage());
      return Loaded.NONE;
    }
    try {
      io.ax.cluster.v1.StampFile f = io.ax.cluster.v1.StampFile.parseFrom(bytes);
      Map<String, Stamp> live = new HashMap<>();
      Map<String, Stamp> deleted = new HashMap<>();
      for (VServiceUpdate u : f.getStampsList()) {
        (u.hasValue() ? live : deleted).put(u.getName(), new Stamp(u.getStamp().getClock(), u.getStamp().getOrigin()));
      }
      return new Loaded(f.getClock(), live, deleted);
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      log.warn("[cluster] {} is not a stamp file ({}): ignored", file, e.getMessage());
      return Loaded.NONE;
    }
  }

  /**
   * Saves every register's stamp; whether it is a deletion is kept (values live in state.pb). The
   * store's writer and the cluster's receiver both save, each with what it read under the
   * registers' lock: one at a time, and a save older than the last written is skipped, so the
   * file never goes back.
   *
   * @param version the registers' version the others were read at
   */
  synchronized void save(long version, long clock, List<VServiceRegisters.Write> registers) throws IOException {
    if (version <= savedVersion) {
      return;
    }
    Builder b = io.ax.cluster.v1.StampFile.newBuilder().setFormatVersion(FORMAT_VERSION).setClock(clock);
    for (VServiceRegisters.Write w : registers) {
      VServiceUpdate.Builder u = VServiceUpdate.newBuilder()
          .setName(w.name())
          .setStamp(io.ax.cluster.v1.Stamp.newBuilder().setClock(w.register().stamp().clock()).setOrigin(w.register().stamp().origin()));
      // A live register is marked by an empty value message, a deletion by none.
      w.register().value().ifPresent(v -> u.setValue(io.ax.admin.v1.VService.getDefaultInstance()));
      b.addStamps(u);
    }
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    // Owner-only, like state.pb: it names every vservice.
    Files.deleteIfExists(temp);
    Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.write(temp, b.build().toByteArray());
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    savedVersion = version;
  }

  void delete() throws IOException {
    Files.deleteIfExists(file);
  }
}
