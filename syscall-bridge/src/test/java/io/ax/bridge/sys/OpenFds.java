package io.ax.bridge.sys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Test helper: the fd numbers behind the JDK's own open files, found in /proc/self/fd. */
final class OpenFds {
  private OpenFds() {}

  /** The number of one of our fds open on {@code file} (which the caller keeps open). */
  static int fdOf(Path file) {
    Path real;
    try {
      real = file.toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.filter(fd -> real.equals(target(fd)))
          .mapToInt(fd -> Integer.parseInt(fd.getFileName().toString()))
          .findFirst()
          .orElseThrow(() -> new IllegalStateException("no fd open on " + real));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What {@code /proc/self/fd/N} names: a path, or {@code socket:[inode]} for a socket. */
  static String link(int fd) {
    try {
      return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path target(Path fd) {
    try {
      return Files.readSymbolicLink(fd);
    } catch (IOException e) {
      return Path.of("/"); // closed meanwhile (the listing's own fd): not ours
    }
  }
}
