package io.ax.xds.pilot.apps;

import io.ax.admin.AdminChannel;
import io.ax.admin.v1.EventType;
import io.ax.admin.v1.Server;
import io.ax.admin.v1.ServerEvent;
import io.ax.admin.v1.ServersGrpc;
import io.ax.admin.v1.WatchRequest;
import io.ax.xds.pilot.config.WorkloadEntry;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the daemon's service table through its admin API (the {@code Servers} watch: a replay,
 * SYNCED, then each change) and hands {@link AppWorkloads} of it to pilot-lite after the replay
 * and after each change. When the daemon is away (not started yet, restarting), it keeps the last
 * workloads it had, so a daemon restart does not empty every Service, and tries again with a
 * backoff from 250 ms to 10 s, logging the first failure and the recovery once each.
 *
 * <p>Threads: gRPC's callbacks update the table under this object's lock; reconnects run on one
 * scheduler thread. {@link #close()} is idempotent.
 */
public final class AppsWatch implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AppsWatch.class);
  static final Duration FIRST_RETRY = Duration.ofMillis(250);
  static final Duration MAX_RETRY = Duration.ofSeconds(10);

  private final Path adminSocket;
  private final Consumer<List<WorkloadEntry>> onChange;
  private final AdminChannel channel;
  private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("pilot-apps").daemon().factory());
  private final Map<String, Server> servers = new HashMap<>();
  /** Open until the first watch listed the apps (after handing them over) or failed. */
  private final CountDownLatch firstAnswer = new CountDownLatch(1);
  private Duration retry = FIRST_RETRY;
  private boolean synced;
  private boolean failing;
  private volatile boolean closed;

  private AppsWatch(Path adminSocket, Consumer<List<WorkloadEntry>> onChange) {
    this.adminSocket = adminSocket;
    this.onChange = onChange;
    this.channel = AdminChannel.unix(adminSocket);
  }

  /**
   * Starts watching the daemon at {@code adminSocket}.
   *
   * @param onChange called with every app workload after the first replay and after each change
   */
  public static AppsWatch start(Path adminSocket, Consumer<List<WorkloadEntry>> onChange) {
    Objects.requireNonNull(adminSocket, "adminSocket");
    Objects.requireNonNull(onChange, "onChange");
    AppsWatch w = new AppsWatch(adminSocket, onChange);
    w.retries.execute(w::watch);
    return w;
  }

  private void watch() {
    if (closed) {
      return;
    }
    ServersGrpc.newStub(channel.channel()).watch(WatchRequest.getDefaultInstance(), new StreamObserver<>() {
      @Override
      public void onNext(ServerEvent e) {
        received(e);
      }

      @Override
      public void onError(Throwable t) {
        ended(Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        ended(Status.UNAVAILABLE.withDescription("the daemon ended the watch"));
      }
    });
  }

  private void received(ServerEvent e) {
    List<WorkloadEntry> publish = null;
    synchronized (this) {
      if (e.getType() == EventType.SYNCED) {
        synced = true;
        retry = FIRST_RETRY;
        if (failing) {
          failing = false;
          log.info("[pilot] watching the apps of the ax daemon at {} again", adminSocket);
        } else {
          log.info("[pilot] watching the apps of the ax daemon at {}", adminSocket);
        }
        publish = AppWorkloads.of(servers.values());
      } else if (AppWorkloads.changes(e.getType())) {
        if (e.getType() == EventType.DELETED) {
          servers.remove(e.getServer().getId());
        } else {
          servers.put(e.getServer().getId(), e.getServer());
        }
        if (synced) {
          publish = AppWorkloads.of(servers.values());
        }
      }
    }
    if (publish != null) {
      onChange.accept(publish);
      firstAnswer.countDown();
    }
  }

  /**
   * Waits until the first watch has listed the apps (they were handed to {@code onChange}) or
   * failed (no daemon there), for at most {@code timeout}; true when one of them happened.
   */
  public boolean awaitFirstAnswer(Duration timeout) throws InterruptedException {
    return firstAnswer.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void ended(Status status) {
    if (closed) {
      return;
    }
    Duration wait;
    synchronized (this) {
      // The next replay starts from nothing; until it ends, pilot-lite keeps the last workloads.
      servers.clear();
      synced = false;
      if (!failing) {
        failing = true;
        log.warn("[pilot] cannot watch the apps of the ax daemon at {} ({}); their endpoints stay as they were, retrying",
            adminSocket, status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription()));
      }
      wait = retry;
      retry = retry.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : retry.multipliedBy(2);
    }
    firstAnswer.countDown();
    try {
      retries.schedule(this::watch, wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closing
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    retries.shutdownNow();
    channel.close();
  }
}
