package io.ax.cli;

import com.google.protobuf.MessageOrBuilder;
import io.ax.admin.v1.ListAppsRequest;
import io.ax.admin.v1.ListAppsResponse;
import io.ax.admin.v1.ListNodesRequest;
import io.ax.admin.v1.ListNodesResponse;
import io.ax.admin.v1.ListProxiesRequest;
import io.ax.admin.v1.ListProxiesResponse;
import io.ax.admin.v1.ListServersRequest;
import io.ax.admin.v1.ListServersResponse;
import io.ax.admin.v1.ListSocketsRequest;
import io.ax.admin.v1.ListSocketsResponse;
import io.ax.admin.v1.ListVServicesRequest;
import io.ax.admin.v1.ListVServicesResponse;
import java.io.PrintWriter;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(
    name = "get",
    description = "Get active resources: apps, servers, sockets, proxies, vservices or nodes; or the recent connect decisions.",
    mixinStandardHelpOptions = true,
    footer = {"", "Examples:", "  ax get vservices", "  ax get servers -o wide", "  ax get apps -o json", "  ax get vservices --watch", "  ax get decisions --watch --app web"})
final class GetCommand implements Callable<Integer> {
  /** What {@code ax get} lists, with the names users also type for them. */
  enum Resource {
    APPS("apps", "app"),
    SERVERS("servers", "server"),
    SOCKETS("sockets", "socket"),
    PROXIES("proxies", "proxy"),
    VSERVICES("vservices", "vservice", "virtualservices", "virtualservice", "vs"),
    NODES("nodes", "node"),
    DECISIONS("decisions", "decision");

    final List<String> names;

    Resource(String... names) {
      this.names = List.of(names);
    }

    static Resource parse(String text) {
      String t = text.toLowerCase(Locale.ROOT);
      for (Resource r : values()) {
        if (r.names.contains(t)) {
          return r;
        }
      }
      throw new CliException("unknown resource '" + text + "' (expected apps, servers, sockets, proxies, vservices, nodes or decisions)");
    }
  }

  /** Completion candidates for the resource argument. */
  static final class ResourceNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return List.of("apps", "servers", "sockets", "proxies", "vservices", "nodes", "decisions").iterator();
    }
  }

  @Spec CommandSpec spec;
  @Mixin AdminOptions admin;

  @Parameters(index = "0", paramLabel = "RESOURCE", completionCandidates = ResourceNames.class,
      description = "One of: ${COMPLETION-CANDIDATES}.")
  String resource;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "Output format: wide, json or yaml (default: a table).")
  String output;

  @Option(names = {"-w", "--watch"}, description = "Print the list, then each change (ADDED, MODIFIED, DELETED) as it happens, until interrupted.")
  boolean watch;

  @Option(names = "--app", paramLabel = "NAME", description = "With decisions: only this app's (its name or app id).")
  String app;

  @Override
  public Integer call() {
    Resource r = Resource.parse(resource);
    Output format = output == null ? Output.TABLE : Output.parse(output);
    Views.Columns columns = Views.Columns.of(format);
    if (app != null && r != Resource.DECISIONS) {
      throw new CliException("--app: only 'ax get decisions' takes it");
    }
    try (AdminClient client = admin.connect()) {
      if (r == Resource.DECISIONS) {
        DecisionsView.run(client, format, watch, app == null ? "" : app, spec.commandLine().getOut(), spec.commandLine().getErr());
        return 0;
      }
      if (watch) {
        new Watcher(client, r, format, spec.commandLine().getOut()).run();
        return 0;
      }
      MessageOrBuilder listed;
      Table table;
      switch (r) {
        case APPS -> {
          ListAppsResponse l = client.call(() -> client.apps().list(ListAppsRequest.getDefaultInstance()));
          listed = l;
          table = Views.apps(l.getAppsList(), columns);
        }
        case SERVERS -> {
          ListServersResponse l = client.call(() -> client.servers().list(ListServersRequest.getDefaultInstance()));
          listed = l;
          table = Views.servers(l.getServersList(), columns);
        }
        case SOCKETS -> {
          ListSocketsResponse l = client.call(() -> client.sockets().list(ListSocketsRequest.getDefaultInstance()));
          listed = l;
          table = Views.sockets(l.getSocketsList());
        }
        case PROXIES -> {
          ListProxiesResponse l = client.call(() -> client.proxies().list(ListProxiesRequest.getDefaultInstance()));
          listed = l;
          table = Views.proxies(l.getProxiesList());
        }
        case VSERVICES -> {
          ListVServicesResponse l = client.call(() -> client.vservices().list(ListVServicesRequest.getDefaultInstance()));
          listed = l;
          table = Views.vservices(l.getVservicesList(), columns);
        }
        case NODES -> {
          ListNodesResponse l = client.call(() -> client.nodes().list(ListNodesRequest.getDefaultInstance()));
          listed = l;
          table = Views.nodes(l.getNodesList());
        }
        default -> throw new IllegalStateException(r.name());
      }
      PrintWriter out = spec.commandLine().getOut();
      switch (format) {
        case JSON -> out.println(Output.json(listed));
        case YAML -> out.print(Output.yaml(listed));
        case TABLE, WIDE -> {
          if (table.isEmpty()) {
            spec.commandLine().getErr().println("No " + r.names.getFirst() + " found.");
          } else {
            out.print(table.render());
          }
        }
      }
      out.flush();
    }
    return 0;
  }
}
