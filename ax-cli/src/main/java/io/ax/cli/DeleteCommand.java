package io.ax.cli;

import io.ax.admin.v1.DeleteVServiceRequest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(
    name = "delete",
    aliases = "del",
    description = "Delete a resource.",
    mixinStandardHelpOptions = true,
    subcommands = DeleteCommand.VServiceCommand.class)
final class DeleteCommand {

  @Command(name = "vservice", description = "Delete a virtual service.", mixinStandardHelpOptions = true,
      footer = {"", "Example:", "  ax delete vservice myvsvc"})
  static final class VServiceCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Parameters(index = "0", paramLabel = "NAME", description = "Name of the vservice.")
    String name;

    @Override
    public Integer call() {
      try (AdminClient client = admin.connect()) {
        client.call(() -> client.vservices().delete(DeleteVServiceRequest.newBuilder().setName(name).build()));
        spec.commandLine().getOut().printf("Service '%s' deleted successfully.%n", name);
      }
      return 0;
    }
  }
}
