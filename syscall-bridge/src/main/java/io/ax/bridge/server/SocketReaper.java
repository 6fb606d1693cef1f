package io.ax.bridge.server;

import io.ax.bridge.SocketPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices sockets the apps closed: close() is not trapped (it is every program's hottest call),
 * so the bridge compares its table with the kernel's socket lists of this network namespace
 * ({@code /proc/net/tcp}, {@code tcp6}, {@code udp}, {@code udp6}, which list listening,
 * connected and bound datagram sockets by inode). A published socket that is gone withdraws its
 * service table entry; client entries go after a grace period, since a socket that is created
 * but not yet bound or connected is not listed anywhere. Runs on the one scheduler thread that
 * the bridge gives it; its only state is the injected clock and the table (thread-safe).
 */
final class SocketReaper implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(SocketReaper.class);
  private static final String[] TABLES = {"/proc/net/tcp", "/proc/net/tcp6", "/proc/net/udp", "/proc/net/udp6"};
  /** Longer than any sane gap between socket() and bind()/connect(). */
  static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final SocketTable sockets;
  private final SocketPolicy policy;
  private final LongSupplier nanoClock;

  SocketReaper(SocketTable sockets, SocketPolicy policy, LongSupplier nanoClock) {
    this.sockets = sockets;
    this.policy = policy;
    this.nanoClock = nanoClock;
  }

  @Override
  public void run() {
    try {
      // Entries made or published after the scan began may be missing from it: leave them.
      long scanStart = nanoClock.getAsLong();
      List<SocketState> tracked = sockets.snapshot();
      if (tracked.isEmpty()) {
        // Nothing to reap: reading the kernel's four tables every second was most of an idle
        // daemon's CPU (about 1% of a core).
        return;
      }
      Set<Long> live = liveInodes();
      for (SocketState s : tracked) {
        if (live.contains(s.inode) || s.createdNanos >= scanStart) {
          continue;
        }
        switch (s.phase()) {
          case SocketState.Phase.Published p -> {
            if (p.sinceNanos() >= scanStart) {
              continue;
            }
            sockets.remove(s.inode);
            policy.withdrawn(s.appId, s.inode);
            log.debug("[bridge] app {} closed socket {}: its entry is withdrawn", s.appId, s.inode);
          }
          case SocketState.Phase.Unbound u -> {
            if (scanStart - s.createdNanos > GRACE_NANOS) {
              // A client socket, closed (or never used).
              sockets.remove(s.inode);
            }
          }
          case SocketState.Phase.Ipv6Only i -> {
            // Listed while it listens; otherwise closed, or bound and never listening (then
            // forgetting it only lets getsockname show the kernel's name). No port to give back.
            if (scanStart - s.createdNanos > GRACE_NANOS) {
              sockets.remove(s.inode);
            }
          }
          case SocketState.Phase.Bound b -> {
            // A bound socket that does not serve yet is not listed anywhere either, so it stays
            // until its app exits, which frees its port.
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      log.warn("[bridge] socket scan failed: {}", e.toString());
    }
  }

  /** Inodes of the sockets the kernel lists (column 10 of /proc/net/{tcp,udp}*). */
  static Set<Long> liveInodes() throws IOException {
    Set<Long> inodes = new HashSet<>();
    for (String table : TABLES) {
      Path p = Path.of(table);
      if (!Files.exists(p)) {
        continue;
      }
      try (var lines = Files.lines(p)) {
        lines.skip(1).forEach(line -> {
          String[] f = line.trim().split("\\s+");
          if (f.length > 9) {
            try {
              long inode = Long.parseLong(f[9]);
              if (inode != 0) {
                inodes.add(inode);
              }
            } catch (NumberFormatException ignored) {
              // a line we do not understand: skip it
            }
          }
        });
      }
    }
    return inodes;
  }
}
