package io.ax.cli;

import io.ax.admin.v1.Backend;
import io.ax.admin.v1.CreateVServiceRequest;
import io.ax.admin.v1.LbType;
import io.ax.admin.v1.OutlierDetection;
import io.ax.admin.v1.PortMapping;
import io.ax.admin.v1.Resilience;
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

    @Option(names = "--connect-timeout", paramLabel = "DURATION",
        description = "How long a blocking connect waits for each backend before it dials the next, e.g. 500ms or 2s (default: as long as the kernel).")
    String connectTimeout;

    @Option(names = "--max-connections", paramLabel = "N",
        description = "Refuse connects while this node has N connections open to the backends (default: no limit).")
    Integer maxConnections;

    @Option(names = "--outlier-failures", paramLabel = "N",
        description = "Eject a backend after N failed connects in a row, on each node for its own connects (default: never).")
    Integer outlierFailures;

    @Option(names = "--outlier-ejection-time", paramLabel = "DURATION",
        description = "How long the first ejection lasts; the n-th in a row n times as long, at most 300s (default: 30s).")
    String outlierEjectionTime;

    @Option(names = "--outlier-max-percent", paramLabel = "N",
        description = "At most N%% of the backends are ejected at once, at least one (default: 10).")
    Integer outlierMaxPercent;

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
        resilience().ifPresent(b::setResilience);
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

    /** The resilience flags, checked here so that errors name the flag. */
    private java.util.Optional<Resilience> resilience() {
      if (connectTimeout == null && maxConnections == null && outlierFailures == null && outlierEjectionTime == null && outlierMaxPercent == null) {
        return java.util.Optional.empty();
      }
      Resilience.Builder r = Resilience.newBuilder();
      if (connectTimeout != null) {
        r.setConnectTimeoutMs(millis("--connect-timeout", connectTimeout, io.ax.core.model.Resilience.MAX_CONNECT_TIMEOUT));
      }
      if (maxConnections != null) {
        if (maxConnections < 1) {
          throw new CliException("--max-connections: " + maxConnections + " is not a connection limit (expected at least 1)");
        }
        r.setMaxConnections(maxConnections);
      }
      if (outlierFailures == null && (outlierEjectionTime != null || outlierMaxPercent != null)) {
        throw new CliException("--outlier-ejection-time and --outlier-max-percent configure outlier detection; give --outlier-failures too");
      }
      if (outlierFailures != null) {
        if (outlierFailures < 1) {
          throw new CliException("--outlier-failures: " + outlierFailures + " is not a failure count (expected at least 1)");
        }
        OutlierDetection.Builder o = OutlierDetection.newBuilder().setConsecutiveFailures(outlierFailures);
        if (outlierEjectionTime != null) {
          o.setBaseEjectionMs(millis("--outlier-ejection-time", outlierEjectionTime, io.ax.core.lb.OutlierDetection.MAX_EJECTION_TIME));
        }
        if (outlierMaxPercent != null) {
          if (outlierMaxPercent < 1 || outlierMaxPercent > 100) {
            throw new CliException("--outlier-max-percent: " + outlierMaxPercent + " is outside 1-100");
          }
          o.setMaxEjectionPercent(outlierMaxPercent);
        }
        r.setOutlierDetection(o);
      }
      return java.util.Optional.of(r.build());
    }

    private static final java.util.regex.Pattern DURATION = java.util.regex.Pattern.compile("(\\d{1,9})(ms|s|m)");

    /** {@code 500ms}, {@code 2s}, {@code 1m}: at least 1 ms, at most {@code max}. */
    static int millis(String flag, String text, java.time.Duration max) {
      java.util.regex.Matcher m = DURATION.matcher(text.strip());
      if (!m.matches()) {
        throw new CliException(flag + ": '" + text + "' is not a duration (expected a number and ms, s or m, e.g. 500ms or 2s)");
      }
      long n = Long.parseLong(m.group(1));
      long ms = switch (m.group(2)) {
        case "ms" -> n;
        case "s" -> n * 1000;
        default -> n * 60_000;
      };
      if (ms < 1 || ms > max.toMillis()) {
        throw new CliException(flag + ": '" + text + "' is outside 1ms-" + max.toSeconds() + "s");
      }
      return (int) ms;
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
