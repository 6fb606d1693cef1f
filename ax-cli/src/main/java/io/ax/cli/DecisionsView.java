package io.ax.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.ax.admin.v1.Decision;
import io.ax.admin.v1.DecisionsGrpc;
import io.ax.admin.v1.Endpoint;
import io.ax.admin.v1.ListDecisionsRequest;
import io.ax.admin.v1.ListDecisionsResponse;
import io.ax.admin.v1.WatchDecisionsRequest;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * {@code ax get decisions}: the daemon's recent connect decisions, or with {@code --watch} those
 * and then each new one, one line each: TIME APP DESTINATION DECISION BACKEND REASON
 * ({@code -o wide} adds APPID, DIALED and ERROR). With {@code -o json} a watch prints one JSON
 * decision per line.
 */
final class DecisionsView {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
  private static final JsonFormat.Printer JSON_LINE = JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();

  private final Views.Columns columns;
  private final ZoneId zone;

  DecisionsView(Views.Columns columns, ZoneId zone) {
    this.columns = columns;
    this.zone = zone;
  }

  /** Lists (or watches) the decisions concerning {@code app} (empty: all) and prints them in {@code format}. */
  static void run(AdminClient client, Output format, boolean watch, String app, PrintWriter out, PrintWriter err) {
    DecisionsView view = new DecisionsView(Views.Columns.of(format), ZoneId.systemDefault());
    if (!watch) {
      ListDecisionsResponse l = client.call(() -> client.watchStub(DecisionsGrpc::newBlockingStub)
          .withDeadlineAfter(15, java.util.concurrent.TimeUnit.SECONDS)
          .list(ListDecisionsRequest.newBuilder().setApp(app).build()));
      switch (format) {
        case JSON -> out.println(Output.json(l));
        case YAML -> out.print(Output.yaml(l));
        case TABLE, WIDE -> {
          Table t = view.table(l.getDecisionsList());
          if (t.isEmpty()) {
            err.println("No decisions found.");
          } else {
            out.print(t.render());
          }
        }
      }
      out.flush();
      return;
    }
    Iterator<Decision> stream = client.call(() -> client.watchStub(DecisionsGrpc::newBlockingStub).watch(WatchDecisionsRequest.newBuilder().setApp(app).build()));
    int[] widths = null;
    while (hasNext(client, stream)) {
      Decision d = stream.next();
      switch (format) {
        case JSON -> out.println(jsonLine(d));
        case YAML -> out.print("---\n" + Output.yaml(d));
        case TABLE, WIDE -> {
          if (d.getMissed() > 0) {
            out.println("... " + d.getMissed() + " decisions missed (this terminal read too slowly)");
          }
          List<String> row = view.row(d);
          if (widths == null) {
            widths = new int[row.size()];
            List<String> header = view.header();
            Watcher.line(widths, header.getFirst(), row.subList(1, row.size()));
            out.println(Watcher.line(widths, header.getFirst(), header.subList(1, header.size())));
          }
          out.println(Watcher.line(widths, row.getFirst(), row.subList(1, row.size())));
        }
      }
      out.flush();
    }
  }

  List<String> header() {
    List<String> h = new ArrayList<>(List.of("TIME", "APP", "DESTINATION", "DECISION", "BACKEND", "REASON"));
    if (columns == Views.Columns.WIDE) {
      h.addAll(List.of("APPID", "DIALED", "ERROR"));
    }
    return h;
  }

  List<String> row(Decision d) {
    Instant at = Instant.ofEpochSecond(d.getTimeUnixMicros() / 1_000_000, (d.getTimeUnixMicros() % 1_000_000) * 1_000);
    List<String> r = new ArrayList<>(List.of(
        TIME.format(at.atZone(zone)),
        d.getApp(),
        address(d.getDestination()) + " (" + d.getDestinationName() + ")",
        d.getOutcome(),
        d.hasBackend() ? address(d.getBackend()) + " (" + d.getBackendName() + ")" : "-",
        d.getReason()));
    if (columns == Views.Columns.WIDE) {
      r.addAll(List.of(d.getAppId(), Integer.toString(d.getDialed()), d.getError().isEmpty() ? "-" : d.getError()));
    }
    return r;
  }

  Table table(List<Decision> decisions) {
    Table t = new Table(header());
    decisions.forEach(d -> t.row(row(d)));
    return t;
  }

  private static String address(Endpoint e) {
    return e.getIp() + ":" + e.getPort();
  }

  private static boolean hasNext(AdminClient client, Iterator<Decision> stream) {
    try {
      return stream.hasNext();
    } catch (io.grpc.StatusRuntimeException e) {
      if (e.getStatus().getCode() == io.grpc.Status.Code.CANCELLED || e.getStatus().getCode() == io.grpc.Status.Code.UNAVAILABLE) {
        throw new CliException("the ax daemon ended the watch (it stopped or restarted)");
      }
      return client.call(() -> {
        throw e;
      });
    }
  }

  private static String jsonLine(Decision d) {
    try {
      return JSON_LINE.print(d);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }
}
