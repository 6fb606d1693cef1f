package io.ax.core.daemon;

import java.io.IOException;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --cpu-profile} and {@code --mem-profile}: JDK Flight Recorder recordings, the JVM's
 * answer to Go's pprof, written when the daemon stops. Read them with {@code jfr view
 * hot-methods FILE} (CPU) or {@code jfr view allocation-by-class FILE} (memory), or open them in
 * JDK Mission Control.
 *
 * <p>Not thread-safe, and need not be: {@link Daemon} fills it while it starts and closes it once
 * in its stop (perhaps on a shutdown hook's thread), which never overlaps the start.
 */
final class Profiling implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Profiling.class);

  private record Active(Recording recording, Path file) {}

  private final List<Active> active = new ArrayList<>();

  static Profiling start(Optional<Path> cpu, Optional<Path> mem) throws IOException {
    Profiling p = new Profiling();
    try {
      if (cpu.isPresent()) {
        // The "profile" settings sample Java stacks every 10 ms (jdk.ExecutionSample).
        Recording r = new Recording(Configuration.getConfiguration("profile"));
        r.setName("ax-cpu");
        p.begin(r, cpu.get());
      }
      if (mem.isPresent()) {
        Recording r = new Recording();
        r.setName("ax-mem");
        r.enable("jdk.ObjectAllocationSample").with("throttle", "150/s").withStackTrace();
        r.enable("jdk.OldObjectSample").with("cutoff", "0 ns").withStackTrace();
        r.enable("jdk.GCHeapSummary");
        r.enable("jdk.GarbageCollection");
        r.enable("jdk.GCHeapMemoryUsage").withPeriod(Duration.ofSeconds(1));
        p.begin(r, mem.get());
      }
    } catch (ParseException e) {
      throw new IOException("cannot load the JFR profile settings: " + e.getMessage(), e);
    }
    return p;
  }

  private void begin(Recording r, Path file) throws IOException {
    r.setToDisk(true);
    // With a destination the recording is written when it stops: by close() on a clean stop, or
    // by the JVM's own JFR shutdown hook, which may run before ours.
    r.setDestination(file.toAbsolutePath());
    r.start();
    active.add(new Active(r, file.toAbsolutePath()));
    log.info("[profile] recording {} to {} (written at shutdown)", r.getName(), file.toAbsolutePath());
  }

  /** Writes the recordings. */
  @Override
  public void close() {
    for (Active a : active) {
      try {
        if (a.recording().getState() == RecordingState.RUNNING) {
          a.recording().stop();
        }
        log.info("[profile] wrote {}", a.file());
      } catch (IllegalStateException e) {
        log.error("[profile] could not write {}: {}", a.file(), e.getMessage());
      } finally {
        a.recording().close();
      }
    }
    active.clear();
  }
}
