package io.ax.xds.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code ax agent}: CONTRACT skeleton, implemented by the ADS client work. */
@Command(
    name = "agent",
    description = "Run the xDS agent: subscribe to Istio's control plane and push its services to the daemon.",
    mixinStandardHelpOptions = true,
    subcommands = {TranslateCommand.class})
public final class AgentCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UnsupportedOperationException("CONTRACT skeleton");
  }
}
