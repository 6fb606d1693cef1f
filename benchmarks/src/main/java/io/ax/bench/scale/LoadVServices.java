package io.ax.bench.scale;

import io.ax.admin.AdminChannel;
import io.ax.admin.v1.ApplyVServicesRequest;
import io.ax.admin.v1.ApplyVServicesResponse;
import io.ax.admin.v1.ListVServicesRequest;
import io.ax.admin.v1.VService;
import io.ax.admin.v1.VServicesGrpc;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Loads {@link ScaleVServices}' set into a daemon in one admin {@code VServices.Apply}, as the
 * xDS agent pushes: one commit and one state-file write, where 10,000 REST creates would rewrite
 * the state file 10,000 times. Used by {@code ci/bench/scale.sh}.
 *
 * <pre>
 * java -cp benchmarks.jar io.ax.bench.scale.LoadVServices ADMIN_SOCKET COUNT APPS SERVER_IP SERVER_PORT
 * </pre>
 *
 * Progress goes to stderr; stdout gets one line {@code apply_ms=T vservices=N created=C} for the
 * script. Any failure (no socket, a rejected vservice, a daemon error) is one line on stderr and
 * exit status 1.
 */
public final class LoadVServices {
  /** The owner the set is applied as; scale.sh's vservices belong to no agent. */
  static final String OWNER = "bench-scale";
  /** Applying 10,000 vservices takes seconds; a minute means the daemon is stuck. */
  private static final long DEADLINE_SECONDS = 120;
  /** The daemon's own inbound limit (AdminServer.MAX_INBOUND_MESSAGE); 10,000 vservices are ~2 MB. */
  private static final int MAX_MESSAGE = 16 * 1024 * 1024;

  private LoadVServices() {}

  public static void main(String[] args) {
    try {
      System.out.println(run(args));
    } catch (LoadException e) {
      System.err.println("LoadVServices: " + e.getMessage());
      System.exit(1);
    }
  }

  static String run(String[] args) throws LoadException {
    if (args.length != 5) {
      throw new LoadException("usage: LoadVServices ADMIN_SOCKET COUNT APPS SERVER_IP SERVER_PORT");
    }
    Path socket = Path.of(args[0]);
    if (!Files.exists(socket)) {
      throw new LoadException("no admin socket at " + socket);
    }
    List<VService> set;
    try {
      set = ScaleVServices.build(number("COUNT", args[1]), number("APPS", args[2]), args[3], number("SERVER_PORT", args[4]));
    } catch (IllegalArgumentException e) {
      throw new LoadException(e.getMessage());
    }
    ApplyVServicesRequest request = ApplyVServicesRequest.newBuilder().setOwner(OWNER).addAllVservices(set).build();
    System.err.printf("LoadVServices: applying %,d vservices (%.1f MB) to %s%n", set.size(), request.getSerializedSize() / 1e6, socket);
    try (AdminChannel channel = AdminChannel.unix(socket, MAX_MESSAGE)) {
      VServicesGrpc.VServicesBlockingStub stub = VServicesGrpc.newBlockingStub(channel.channel());
      // Connect and load the call path first, so the time below is the Apply's round trip: the
      // client's serialising and sending of the request (a few MB at 10,000), then the daemon's Apply.
      stub.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS).list(ListVServicesRequest.getDefaultInstance());
      long t0 = System.nanoTime();
      ApplyVServicesResponse r = stub.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS).apply(request);
      double ms = (System.nanoTime() - t0) / 1e6;
      if (r.getRejectedCount() > 0) {
        throw new LoadException(r.getRejectedCount() + " vservices rejected, first " + r.getRejected(0).getName() + ": " + r.getRejected(0).getReason());
      }
      System.err.printf("LoadVServices: applied in %.0f ms (created %d, updated %d, unchanged %d)%n", ms, r.getCreated(), r.getUpdated(), r.getUnchanged());
      return String.format("apply_ms=%.1f vservices=%d created=%d", ms, set.size(), r.getCreated());
    } catch (StatusRuntimeException e) {
      throw new LoadException("Apply failed: " + e.getStatus().getCode() + " " + e.getStatus().getDescription());
    }
  }

  private static int number(String what, String s) throws LoadException {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new LoadException(what + ": '" + s + "' is not a number");
    }
  }

  /** A failure the script shows as one line. */
  static final class LoadException extends Exception {
    LoadException(String message) {
      super(message);
    }
  }
}
