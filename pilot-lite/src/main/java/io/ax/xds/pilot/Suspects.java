package io.ax.xds.pilot;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * The files a {@link ConfigDirectory} scan reads again even when their size and modification time
 * look unchanged. A write may fall within the file system's timestamp granularity (a second on
 * some), so a file that a change event names is read and hashed whatever its stat says; only
 * those, since reading and hashing every file on each event cost 0.1 s for a 15 MB directory.
 * Immutable.
 */
sealed interface Suspects {
  /** The periodic rescan: only files whose size or modification time changed. */
  record None() implements Suspects {}

  /** Every file: the first scan, or after the watch service lost events (OVERFLOW). */
  record All() implements Suspects {}

  /** The files change events named, as paths in the directory. */
  record Named(Set<Path> paths) implements Suspects {
    public Named {
      paths = Set.copyOf(paths);
    }
  }

  Suspects NONE = new None();
  Suspects ALL = new All();

  /** The files either names. */
  default Suspects union(Suspects other) {
    return switch (this) {
      case None n -> other;
      case All a -> this;
      case Named n -> switch (other) {
        case None o -> this;
        case All o -> other;
        case Named o -> {
          Set<Path> both = new HashSet<>(n.paths);
          both.addAll(o.paths);
          yield new Named(both);
        }
      };
    };
  }

  default boolean includes(Path p) {
    return switch (this) {
      case None n -> false;
      case All a -> true;
      case Named n -> n.paths.contains(p);
    };
  }
}
