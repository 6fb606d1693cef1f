package io.ax.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code ax run} belongs to the native launcher; the installed {@code ax} script sends it there
 * before any JVM starts. This command only answers when the JVM is reached directly.
 */
@Command(name = "run", description = "Run an application under ax (the native launcher).", mixinStandardHelpOptions = true)
final class RunCommand implements Callable<Integer> {
  @Parameters(arity = "0..*", paramLabel = "ARGS", description = "Run flags, then the command and its arguments.")
  List<String> args = List.of();

  @Override
  public Integer call() {
    throw new CliException("'ax run' is served by the native launcher ax-run, which the installed 'ax' command calls; run ci/install.sh");
  }
}
