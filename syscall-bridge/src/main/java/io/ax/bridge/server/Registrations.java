package io.ax.bridge.server;

import io.ax.bridge.SocketPolicy.Registration;
import io.ax.bridge.sys.UnixSockets.PeerCredentials;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses the launcher's registration header: {@code key=value} lines ending with an empty line.
 * Hostile input: sizes and counts are bounded, unknown keys are refused.
 */
final class Registrations {
  static final int MAX_HEADER = 64 * 1024;
  static final int MAX_EXPOSE = 256;
  private static final Set<String> KEYS = Set.of("version", "pid", "ip", "name", "labels", "expose", "user", "netns", "appid", "fdbase");

  private Registrations() {}

  /** A header the daemon cannot take; the message goes back to the user. */
  static final class BadHeaderException extends Exception {
    BadHeaderException(String message) {
      super(message, null, false, false);
    }
  }

  static Registration parse(String header, PeerCredentials peer, List<Integer> groups) throws BadHeaderException {
    Map<String, String> single = new HashMap<>();
    List<String> expose = new ArrayList<>();
    for (String line : header.split("\n", -1)) {
      if (line.isEmpty()) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq <= 0) {
        throw new BadHeaderException("malformed registration line '" + abbreviate(line) + "'");
      }
      String key = line.substring(0, eq);
      String value = line.substring(eq + 1);
      if (!KEYS.contains(key)) {
        throw new BadHeaderException("unknown registration key '" + abbreviate(key) + "'");
      }
      if (key.equals("expose")) {
        if (expose.size() >= MAX_EXPOSE) {
          throw new BadHeaderException("at most " + MAX_EXPOSE + " --expose values");
        }
        expose.add(value);
      } else if (single.put(key, value) != null) {
        throw new BadHeaderException("registration key '" + key + "' given twice");
      }
    }
    if (!"1".equals(single.get("version"))) {
      throw new BadHeaderException("this daemon speaks registration version 1, the launcher sent '" + single.getOrDefault("version", "") + "' (install matching ax versions)");
    }
    int appPid;
    try {
      appPid = Integer.parseInt(single.getOrDefault("pid", ""));
    } catch (NumberFormatException e) {
      throw new BadHeaderException("registration pid '" + single.getOrDefault("pid", "") + "' is not a number");
    }
    String netns = single.getOrDefault("netns", "new");
    if (!netns.equals("new") && !netns.equals("host")) {
      throw new BadHeaderException("registration netns '" + netns + "' is not new or host");
    }
    return new Registration(
        single.getOrDefault("appid", ""),
        appPid,
        peer.pid(),
        peer.uid(),
        single.getOrDefault("ip", ""),
        single.getOrDefault("name", ""),
        single.getOrDefault("labels", "zone=default"),
        expose,
        single.getOrDefault("user", ""),
        netns.equals("new"),
        peer.gid(),
        groups);
  }

  /**
   * The app's datagram range from {@code fdbase=N} (see {@link FdRange}); a launcher that sends
   * none traps every sendmsg. Call after {@link #parse}, which refuses malformed lines.
   */
  static FdRange fdRange(String header) throws BadHeaderException {
    for (String line : header.split("\n", -1)) {
      if (line.startsWith("fdbase=")) {
        String value = line.substring("fdbase=".length());
        try {
          int base = Integer.parseInt(value);
          if (base >= 1) {
            return new FdRange.From(base);
          }
        } catch (NumberFormatException e) {
          // below
        }
        throw new BadHeaderException("registration fdbase '" + abbreviate(value) + "' is not a positive number");
      }
    }
    return new FdRange.Everywhere();
  }

  private static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "...";
  }
}
