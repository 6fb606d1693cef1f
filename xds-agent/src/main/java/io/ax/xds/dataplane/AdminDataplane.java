package io.ax.xds.dataplane;

import static io.ax.admin.Messages.oneLine;

import io.ax.admin.AdminChannel;
import io.ax.admin.v1.ApplyVServicesRequest;
import io.ax.admin.v1.ApplyVServicesResponse;
import io.ax.admin.v1.RejectedVService;
import io.ax.admin.v1.VService;
import io.ax.admin.v1.VServicesGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon as a {@link Dataplane}: each {@link #apply} is one {@code VServices.Apply} call over
 * the admin API's unix socket, which makes the daemon hold exactly these vservices for the owner
 * id. Failures become one-line {@link DataplaneException}s that name the socket; the vservices the
 * daemon refuses come back in {@link ApplyResult#rejected()} as {@code name: reason}.
 *
 * <p>Thread-safe: the channel is thread-safe and the object holds no other state. The connection
 * is made on first use and re-made by gRPC after the daemon restarts.
 */
public final class AdminDataplane implements Dataplane {
  /** Where {@code ax daemon} listens unless told otherwise (its --run-dir, AppSwitch's directory). */
  public static final Path DEFAULT_SOCKET = Path.of("/var/run/appswitch/admin.sock");
  /** An Apply of 10,000 vservices takes well under a second; this bounds a stuck daemon. */
  private static final long DEADLINE_SECONDS = 30;

  private static final Logger log = LoggerFactory.getLogger(AdminDataplane.class);

  private final Path socket;
  private final String owner;
  private final AdminChannel channel;
  // The refusals of the last apply; applies come from one thread at a time (the agent's executor).
  private volatile Set<String> lastRejected = Set.of();

  /**
   * @param adminSocket the daemon's admin socket, e.g. {@link #DEFAULT_SOCKET}
   * @param owner the owner id of the agent's vservices, e.g. {@code xds-agent}; not empty
   */
  public AdminDataplane(Path adminSocket, String owner) {
    this.socket = Objects.requireNonNull(adminSocket, "adminSocket");
    this.owner = Objects.requireNonNull(owner, "owner");
    if (owner.isEmpty()) {
      throw new IllegalArgumentException("owner is empty");
    }
    this.channel = AdminChannel.unix(adminSocket);
  }

  @Override
  public ApplyResult apply(List<VService> vservices) throws DataplaneException {
    Objects.requireNonNull(vservices, "vservices");
    if (!Files.exists(socket)) {
      throw new DataplaneException("daemon at " + socket + " is not reachable: no admin socket there (is 'ax daemon' running?)");
    }
    ApplyVServicesResponse r;
    try {
      r = VServicesGrpc.newBlockingStub(channel.channel())
          .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
          .apply(ApplyVServicesRequest.newBuilder().setOwner(owner).addAllVservices(vservices).build());
    } catch (StatusRuntimeException e) {
      throw failure(e.getStatus(), e);
    }
    List<String> rejected = r.getRejectedList().stream().map(AdminDataplane::rejected).toList();
    ApplyResult result = new ApplyResult(r.getCreated(), r.getUpdated(), r.getDeleted(), r.getUnchanged(), rejected);
    if (result.created() + result.updated() + result.deleted() > 0) {
      log.info("[dataplane {}] applied {} vservices: {} created, {} updated, {} deleted, {} unchanged",
          socket, vservices.size(), result.created(), result.updated(), result.deleted(), result.unchanged());
    } else {
      log.debug("[dataplane {}] applied {} vservices: nothing changed", socket, vservices.size());
    }
    // A refusal holds until the control plane changes the vservice: say it once, not on every resync.
    Set<String> now = Set.copyOf(rejected);
    rejected.stream().filter(line -> !lastRejected.contains(line)).forEach(line -> log.warn("[dataplane {}] the daemon refused vservice {}", socket, line));
    lastRejected = now;
    return result;
  }

  private DataplaneException failure(Status s, StatusRuntimeException e) {
    return switch (s.getCode()) {
      case UNAVAILABLE -> new DataplaneException("daemon at " + socket + " is not reachable: " + oneLine(rootMessage(s, e)), e);
      case DEADLINE_EXCEEDED -> new DataplaneException("daemon at " + socket + " did not answer within " + DEADLINE_SECONDS + " s", e);
      case UNIMPLEMENTED -> new DataplaneException("daemon at " + socket + " does not serve VServices.Apply (a daemon older than the agent?)", e);
      case PERMISSION_DENIED, UNAUTHENTICATED -> new DataplaneException("daemon at " + socket + " refused the agent: " + oneLine(description(s)), e);
      default -> new DataplaneException("daemon at " + socket + " refused the push: " + s.getCode() + ": " + oneLine(description(s)), e);
    };
  }

  private static String rejected(RejectedVService r) {
    return r.getName() + ": " + oneLine(r.getReason());
  }

  private static String description(Status s) {
    return s.getDescription() == null ? s.getCode().toString() : s.getDescription();
  }

  private static String rootMessage(Status s, Throwable t) {
    Throwable c = s.getCause() != null ? s.getCause() : t;
    while (c.getCause() != null) {
      c = c.getCause();
    }
    return c.getMessage() == null ? description(s) : c.getMessage();
  }

  @Override
  public void close() {
    channel.close();
  }

  @Override
  public String toString() {
    return "daemon at " + socket + " (owner " + owner + ")";
  }
}
