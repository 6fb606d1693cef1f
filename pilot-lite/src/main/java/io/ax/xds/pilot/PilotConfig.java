package io.ax.xds.pilot;

import io.ax.xds.pilot.mesh.MeshOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How pilot-lite runs.
 *
 * @param configDir the directory of YAML/JSON it serves and watches
 * @param address where the xDS server listens; 0.0.0.0 by default, as istiod's 15010 does
 * @param port 15010 by default, istiod's plaintext xDS port; 0 picks a free port (tests)
 * @param debounce wait after the first file event of a burst before reading: editors and
 *     {@code cp} write a file in several steps within a few milliseconds, so 50 ms catches them
 *     whole, and a write still caught half-way is read again on its next event. It is short
 *     because it is a large part of what a change costs: at 10,000 services the rebuild after a
 *     one-file change takes about 100 ms
 * @param rescanInterval the period of a full rescan, for file systems whose change events get
 *     lost (network and some container file systems); a stat per file, so cheap. One second keeps
 *     a missed event served within about a second too
 * @param apps the admin socket of the ax daemon whose apps are endpoints (as pods are), or empty
 *     for endpoints from the directory only
 */
public record PilotConfig(Path configDir, String address, int port, MeshOptions mesh, Duration debounce, Duration rescanInterval, Optional<Path> apps) {
  public static final int DEFAULT_PORT = 15010;
  public static final String DEFAULT_ADDRESS = "0.0.0.0";
  public static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(50);
  public static final Duration DEFAULT_RESCAN = Duration.ofSeconds(1);

  public PilotConfig {
    Objects.requireNonNull(configDir, "configDir");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(mesh, "mesh");
    Objects.requireNonNull(debounce, "debounce");
    Objects.requireNonNull(rescanInterval, "rescanInterval");
    Objects.requireNonNull(apps, "apps");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0-65535, got " + port);
    }
    if (debounce.isNegative() || rescanInterval.isNegative() || rescanInterval.isZero()) {
      throw new IllegalArgumentException("debounce must be >= 0 and rescanInterval > 0");
    }
  }

  /** A pilot whose endpoints come from the directory only. */
  public PilotConfig(Path configDir, String address, int port, MeshOptions mesh, Duration debounce, Duration rescanInterval) {
    this(configDir, address, port, mesh, debounce, rescanInterval, Optional.empty());
  }

  /** The defaults for {@code dir}. */
  public static PilotConfig of(Path dir) {
    return new PilotConfig(dir, DEFAULT_ADDRESS, DEFAULT_PORT, MeshOptions.DEFAULTS, DEFAULT_DEBOUNCE, DEFAULT_RESCAN);
  }

  public PilotConfig withListen(String address, int port) {
    return new PilotConfig(configDir, address, port, mesh, debounce, rescanInterval, apps);
  }

  /** This config with the apps of the daemon at {@code adminSocket} as endpoints. */
  public PilotConfig withApps(Path adminSocket) {
    return new PilotConfig(configDir, address, port, mesh, debounce, rescanInterval, Optional.of(adminSocket));
  }
}
