package io.ax.bridge.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What a trapped thread may do, from /proc/TID/status (its effective capabilities). Stateless. */
final class Capabilities {
  private static final int CAP_NET_RAW = 13;

  private Capabilities() {}

  /** Whether thread {@code tid} holds CAP_NET_RAW; false when that cannot be read. */
  static boolean hasNetRaw(int tid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + tid + "/status"))) {
        if (line.startsWith("CapEff:")) {
          long caps = Long.parseUnsignedLong(line.substring("CapEff:".length()).strip(), 16);
          return (caps & (1L << CAP_NET_RAW)) != 0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return false;
    }
    return false;
  }
}
