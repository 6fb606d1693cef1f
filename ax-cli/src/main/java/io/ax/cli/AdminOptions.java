package io.ax.cli;

import picocli.CommandLine.Option;

/** Where the CLI finds the daemon's admin API. */
final class AdminOptions {
  static final String DEFAULT_SOCKET = "/var/run/appswitch/admin.sock";

  @Option(
      names = "--admin",
      paramLabel = "ADDRESS",
      defaultValue = "${env:AX_ADMIN:-" + DEFAULT_SOCKET + "}",
      description = "The daemon's admin API: a unix socket path or HOST:PORT (default: ${DEFAULT-VALUE}; env AX_ADMIN).")
  String address;

  AdminClient connect() {
    return AdminClient.connect(address);
  }
}
