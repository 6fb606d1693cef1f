package io.ax.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(
    name = "completion",
    description = "Print the bash/zsh completion script for ax.",
    mixinStandardHelpOptions = true,
    footer = {"", "Install it with:", "  ax completion > /etc/bash_completion.d/ax", "or for this shell only:", "  source <(ax completion)"})
final class CompletionCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getOut().print(AutoComplete.bash("ax", spec.root().commandLine()));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
