package io.ax.xds.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.ax.admin.v1.ListVServicesResponse;
import io.ax.admin.v1.VService;
import io.ax.cli.Table;
import io.ax.admin.VServiceCells;
import io.ax.xds.translate.ConfigDumpException;
import io.ax.xds.translate.ConfigDumps;
import io.ax.xds.translate.Translation;
import io.ax.xds.translate.Translator;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ax agent translate --config-dump FILE [-o table|json]}: prints the vservices an Envoy
 * config dump translates to, offline, with the agent's own parser and translator. The table has
 * the columns NAME IP LB PORTS BACKENDS; json is {@code {"vservices": [...]}} with each element an
 * admin API VService (ListVServicesResponse's JSON). Notes go to stderr as {@code note: ...}
 * lines. Exit code 0, or 1 with one line {@code ax agent: ...} when the file cannot be read.
 */
@Command(
    name = "translate",
    description = "Print the vservices an Envoy config dump translates to.",
    mixinStandardHelpOptions = true)
public final class TranslateCommand implements Callable<Integer> {
  /** The output formats of {@code -o}. */
  public enum Format {
    table,
    json
  }

  @Spec CommandSpec spec;

  @Option(names = "--config-dump", required = true, paramLabel = "FILE",
      description = "An Envoy admin config dump (curl localhost:15000/config_dump, or istioctl proxy-config all -o json), v3 JSON.")
  Path configDump;

  @Option(names = {"-o", "--output"}, defaultValue = "table", paramLabel = "FORMAT", description = "table or json (default: ${DEFAULT-VALUE}).")
  Format format;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ConfigDumps.ConfigDump dump;
    try {
      dump = ConfigDumps.read(configDump);
    } catch (ConfigDumpException e) {
      err.println("ax agent: " + e.getMessage());
      err.flush();
      return 1;
    }
    Translation t = Translator.translate(dump.snapshot());
    switch (format) {
      case table -> {
        if (t.vservices().isEmpty()) {
          err.println("No vservices found in " + configDump + ".");
        } else {
          out.print(table(t.vservices()));
        }
      }
      case json -> {
        try {
          out.println(JsonFormat.printer().preservingProtoFieldNames().print(ListVServicesResponse.newBuilder().addAllVservices(t.vservices())));
        } catch (InvalidProtocolBufferException e) {
          // VService holds no Any: printing cannot fail
          throw new IllegalStateException(e);
        }
      }
    }
    out.flush();
    dump.notes().forEach(n -> err.println("note: " + n));
    t.notes().forEach(n -> err.println("note: " + n));
    err.flush();
    return 0;
  }

  /** Columns NAME IP LB PORTS BACKENDS, as {@code ax get vservices} formats its cells. */
  static String table(List<VService> vservices) {
    Table t = new Table(List.of("NAME", "IP", "LB", "PORTS", "BACKENDS"));
    for (VService v : vservices) {
      t.row(List.of(v.getName(), v.getIp(), VServiceCells.lbType(v.getLbType()), VServiceCells.ports(v.getPortsList()), VServiceCells.backendsCell(v)));
    }
    return t.render();
  }
}
