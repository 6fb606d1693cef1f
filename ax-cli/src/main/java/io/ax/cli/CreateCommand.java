package io.ax.cli;

import io.ax.admin.v1.Backend;
import io.ax.admin.v1.CreateVServiceRequest;
import io.ax.admin.v1.LbType;
import io.ax.admin.v1.PortMapping;
import io.ax.admin.v1.VService;
import io.ax.core.field.InvalidFieldException;
import io.ax.core.lb.LbPolicy;
import io.ax.core.proto.Protos;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "create",
    description = "Create a resource.",
    mixinStandardHelpOptions = true,
    subcommands = CreateCommand.VServiceCommand.class)
final class CreateCommand {

  @Command(
      name = "vservice",
      description = {
        "Create a virtual service: a vIP:vport front end that balances connections over backends.",
        "Backends are service table entries (matched by their service address) or external IP[:PORT]s."
      },
      mixinStandardHelpOptions = true,
      footer = {"", "Example:", "  ax create vservice --ip 1.1.1.1 --backends 10.0.2.15 --ports 8000:10000 myvsvc"})
  static final class VServiceCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Parameters(index = "0", paramLabel = "NAME", description = "Name of the vservice (a DNS name).")
    String name;

    @Option(names = "--ip", required = true, paramLabel = "IP", description = "IPv4 address for the virtual service.")
    String ip;

    @Option(names = "--lbtype", paramLabel = "TYPE", defaultValue = "Random",
        description = "Load balancer type: Random, RoundRobin, LeastConn or ConsistentHash (default: ${DEFAULT-VALUE}).")
    String lbType;

    @Option(names = "--backends", paramLabel = "IP[:PORT],...", split = ",", description = "Comma separated list of backend IPv4 addresses.")
    List<String> backends = List.of();

    @Option(names = "--ports", paramLabel = "VPORT:APPPORT,...", split = ",",
        description = "Comma separated list of <virtual port:application port> (required).")
    List<String> ports = new ArrayList<>();

    // AppSwitch's own example spells --ports as --expose; accept it so the documented command
    // works, without showing a second name for one thing in --help and in errors.
    @Option(names = "--expose", hidden = true, split = ",")
    List<String> expose = new ArrayList<>();

    @Option(names = "--external", description = "Make this vservice external: also expose each vport on every node.")
    boolean external;

    @Option(names = "--hostnames", paramLabel = "NAME,...", split = ",",
        description = "Comma separated list of extra DNS names (e.g. web.default.svc.cluster.local) the daemon's DNS answers with the IP.")
    List<String> hostnames = List.of();

    @Option(names = "--source-ip", paramLabel = "IP", description = "Host IP address to use when making the outbound connection.")
    String sourceIp;

    @Option(names = "--force", description = "Create it even where running apps serve one of its IP:vport pairs (it then takes their clients).")
    boolean force;

    @Override
    public Integer call() {
      if (ports.isEmpty() && expose.isEmpty()) {
        throw new ParameterException(spec.commandLine(), "Missing required option: '--ports=VPORT:APPPORT,...'");
      }
      VService request = build();
      try (AdminClient client = admin.connect()) {
        VService created = client.call(() -> client.vservices().create(CreateVServiceRequest.newBuilder().setVservice(request).setForce(force).build()));
        spec.commandLine().getOut().printf("Service '%s' created successfully with IP '%s'.%n", created.getName(), created.getIp());
      }
      return 0;
    }

    /** Builds the request, checking each flag here so errors name the flag, not a proto field. */
    private VService build() {
      VService.Builder b = VService.newBuilder().setName(name).setIp(ip).setExternal(external);
      try {
        b.setLbType(Protos.lbType(LbPolicy.parse("--lbtype", lbType)));
        for (String p : concat(ports, expose)) {
          io.ax.core.model.PortMapping m = io.ax.core.model.PortMapping.parse("--ports", p);
          b.addPorts(PortMapping.newBuilder().setVport(m.vport()).setAppPort(m.appPort()));
        }
        for (String be : backends) {
          io.ax.core.model.Backend m = io.ax.core.model.Backend.parse("--backends", be);
          b.addBackends(Backend.newBuilder().setIp(m.ip().toString()).setPort(m.port().orElse(0)));
        }
        if (sourceIp != null) {
          b.setSourceIp(sourceIp);
        }
        b.addAllHostnames(hostnames);
        // The remaining rules (name, ip, duplicates) are checked once, as the daemon checks them.
        Protos.vservice("", b.build(), LbPolicy.RANDOM);
      } catch (InvalidFieldException e) {
        throw new CliException(cliField(e.field()) + ": " + e.reason());
      }
      if (b.getLbType() == LbType.LB_TYPE_UNSPECIFIED) {
        b.setLbType(LbType.RANDOM);
      }
      return b.build();
    }

    private static List<String> concat(List<String> a, List<String> b) {
      List<String> all = new ArrayList<>(a);
      all.addAll(b);
      return all;
    }

    private static String cliField(String field) {
      return switch (field) {
        case "name" -> "NAME";
        case "ip" -> "--ip";
        case "source_ip" -> "--source-ip";
        case "ports" -> "--ports";
        case "backends" -> "--backends";
        default -> field.startsWith("hostnames") ? "--hostnames" : field;
      };
    }
  }
}
