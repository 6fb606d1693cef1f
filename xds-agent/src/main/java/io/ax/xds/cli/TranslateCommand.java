package io.ax.xds.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code ax agent translate}: CONTRACT skeleton, implemented by the translation work. */
@Command(name = "translate", description = "Print the vservices an Envoy config dump translates to.", mixinStandardHelpOptions = true)
public final class TranslateCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UnsupportedOperationException("CONTRACT skeleton");
  }
}
