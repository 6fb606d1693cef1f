package io.ax.cli;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.ax.admin.v1.App;
import io.ax.admin.v1.Node;
import io.ax.admin.v1.Proxy;
import io.ax.admin.v1.Server;
import io.ax.admin.v1.Socket;
import io.ax.admin.v1.VService;
import io.ax.admin.v1.WatchRequest;
import java.io.PrintWriter;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * {@code ax get RESOURCE --watch}: the daemon's current list (as ADDED events), then every change
 * as it happens, one line each, until the user interrupts or the daemon goes away. Tables print a
 * header once and an EVENT column; {@code -o json} prints one compact JSON event per line, which
 * scripts read (SYNCED marks the end of the current list).
 */
final class Watcher {
  private static final JsonFormat.Printer JSON_LINE = JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();

  private final AdminClient client;
  private final GetCommand.Resource resource;
  private final Output format;
  private final PrintWriter out;

  Watcher(AdminClient client, GetCommand.Resource resource, Output format, PrintWriter out) {
    this.client = client;
    this.resource = resource;
    this.format = format;
    this.out = out;
  }

  void run() {
    WatchRequest req = WatchRequest.getDefaultInstance();
    Iterator<? extends Message> events = client.call(() -> switch (resource) {
      case APPS -> client.watchStub(io.ax.admin.v1.AppsGrpc::newBlockingStub).watch(req);
      case SERVERS -> client.watchStub(io.ax.admin.v1.ServersGrpc::newBlockingStub).watch(req);
      case SOCKETS -> client.watchStub(io.ax.admin.v1.SocketsGrpc::newBlockingStub).watch(req);
      case PROXIES -> client.watchStub(io.ax.admin.v1.ProxiesGrpc::newBlockingStub).watch(req);
      case VSERVICES -> client.watchStub(io.ax.admin.v1.VServicesGrpc::newBlockingStub).watch(req);
      case NODES -> client.watchStub(io.ax.admin.v1.NodesGrpc::newBlockingStub).watch(req);
      case DECISIONS -> throw new IllegalStateException("decisions are watched by DecisionsView");
    });
    // Column widths grow as wider rows come; a stream cannot be measured ahead, as a table is.
    int[] widths = null;
    while (hasNext(events)) {
      Message event = events.next();
      switch (format) {
        case JSON -> out.println(jsonLine(event));
        case YAML -> out.print("---\n" + Output.yaml(event));
        case TABLE, WIDE -> {
          Optional<Message> item = item(event);
          if (item.isEmpty()) {
            break; // SYNCED: the list is complete; a table has nothing to show for it
          }
          Table t = table(item.get());
          if (widths == null) {
            // The header takes the widths of the first row too, so that at least it lines up.
            widths = new int[t.header().size() + 1];
            line(widths, "MODIFIED", t.rows().getFirst());
            out.println(line(widths, "EVENT", t.header()));
          }
          out.println(line(widths, eventType(event), t.rows().getFirst()));
        }
      }
      out.flush();
    }
  }

  /** One line: each cell padded to the widest seen in its column so far, two spaces apart. */
  static String line(int[] widths, String first, List<String> cells) {
    List<String> all = new java.util.ArrayList<>(cells.size() + 1);
    all.add(first);
    all.addAll(cells);
    StringBuilder l = new StringBuilder();
    for (int i = 0; i < all.size(); i++) {
      String c = all.get(i);
      widths[i] = Math.max(widths[i], c.length());
      l.append(c);
      if (i < all.size() - 1) {
        l.append(" ".repeat(widths[i] - c.length() + 2));
      }
    }
    return l.toString().stripTrailing();
  }

  private boolean hasNext(Iterator<? extends Message> events) {
    try {
      return events.hasNext();
    } catch (io.grpc.StatusRuntimeException e) {
      if (e.getStatus().getCode() == io.grpc.Status.Code.CANCELLED || e.getStatus().getCode() == io.grpc.Status.Code.UNAVAILABLE) {
        throw new CliException("the ax daemon ended the watch (it stopped or restarted)");
      }
      return client.call(() -> {
        throw e;
      });
    }
  }

  private Table table(Message item) {
    Views.Columns columns = Views.Columns.of(format);
    return switch (item) {
      case App a -> Views.apps(List.of(a), columns);
      case Server s -> Views.servers(List.of(s), columns);
      case Socket s -> Views.sockets(List.of(s));
      case Proxy p -> Views.proxies(List.of(p));
      case VService v -> Views.vservices(List.of(v), columns);
      case Node n -> Views.nodes(List.of(n));
      default -> throw new IllegalStateException("unexpected " + item.getDescriptorForType().getFullName());
    };
  }

  /** Every event message is {type, the resource}; read them by descriptor. */
  private static String eventType(Message event) {
    FieldDescriptor f = event.getDescriptorForType().findFieldByName("type");
    return ((EnumValueDescriptor) event.getField(f)).getName();
  }

  /** The resource an event carries; empty for SYNCED, which carries none. */
  private static Optional<Message> item(Message event) {
    for (FieldDescriptor f : event.getDescriptorForType().getFields()) {
      if (f.getType() == FieldDescriptor.Type.MESSAGE && event.hasField(f)) {
        return Optional.of((Message) event.getField(f));
      }
    }
    return Optional.empty();
  }

  private static String jsonLine(Message event) {
    try {
      return JSON_LINE.print(event);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }
}
