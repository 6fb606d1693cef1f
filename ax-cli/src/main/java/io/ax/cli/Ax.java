package io.ax.cli;

import io.ax.xds.cli.AgentCommand;
import io.ax.xds.cli.PilotCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The {@code ax} command. {@code ax run} is the native launcher's (the {@code ax} script sends it
 * there, so no JVM starts on that path); every other subcommand runs here. A failure prints one
 * line on stderr and exits non-zero: 1 for a failed action, 2 for a usage error.
 */
@Command(
    name = "ax",
    description = "ax: a sidecar-less service mesh dataplane (AppSwitch's design).",
    mixinStandardHelpOptions = true,
    versionProvider = Ax.Version.class,
    subcommands = {
      DaemonCommand.class,
      RunCommand.class,
      GetCommand.class,
      CreateCommand.class,
      DeleteCommand.class,
      AgentCommand.class,
      PilotCommand.class,
      CompletionCommand.class
    },
    footer = {"", "Run 'ax COMMAND --help' for a command's flags."})
public final class Ax {
  private Ax() {}

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs one command line; returns the exit code. */
  static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new Ax());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(new OneLineErrors());
    cli.setParameterExceptionHandler(new OneLineUsageErrors());
    return cli.execute(args);
  }

  private static final class OneLineErrors implements IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
      String message = e instanceof CliException ? e.getMessage() : "internal error: " + e;
      cmd.getErr().println(prefix(cmd) + message);
      return 1;
    }
  }

  private static final class OneLineUsageErrors implements IParameterExceptionHandler {
    @Override
    public int handleParseException(ParameterException e, String[] args) {
      CommandLine cmd = e.getCommandLine();
      cmd.getErr().println(prefix(cmd) + e.getMessage() + " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
      return 2;
    }
  }

  private static String prefix(CommandLine cmd) {
    return cmd.getCommandSpec().qualifiedName() + ": ";
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Ax.class.getPackage().getImplementationVersion();
      return new String[] {"ax " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
    }
  }
}
