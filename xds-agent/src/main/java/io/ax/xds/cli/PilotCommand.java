package io.ax.xds.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code ax pilot}: CONTRACT skeleton, implemented by the pilot-lite work. */
@Command(name = "pilot", description = "Run pilot-lite: an xDS server for Istio YAML in a directory.", mixinStandardHelpOptions = true)
public final class PilotCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UnsupportedOperationException("CONTRACT skeleton");
  }
}
