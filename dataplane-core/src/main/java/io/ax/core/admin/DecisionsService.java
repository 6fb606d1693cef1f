package io.ax.core.admin;

import io.ax.admin.v1.Decision;
import io.ax.admin.v1.DecisionsGrpc;
import io.ax.admin.v1.ListDecisionsRequest;
import io.ax.admin.v1.ListDecisionsResponse;
import io.ax.admin.v1.WatchDecisionsRequest;
import io.ax.bridge.sys.Errno;
import io.ax.core.metrics.DecisionLog;
import io.ax.core.proto.Protos;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's {@code Decisions}: the {@link DecisionLog}'s recent entries, and a stream of
 * new ones. Each watch drains its bounded queue on a virtual thread of its own, and only while
 * the client reads (gRPC's isReady): a slow client misses decisions, never holds memory.
 * Thread-safe: it holds only the log.
 */
public final class DecisionsService extends DecisionsGrpc.DecisionsImplBase {
  private static final Logger log = LoggerFactory.getLogger(DecisionsService.class);
  private static final AtomicLong ids = new AtomicLong();
  private final DecisionLog decisions;

  public DecisionsService(DecisionLog decisions) {
    this.decisions = Objects.requireNonNull(decisions, "decisions");
  }

  @Override
  public void list(ListDecisionsRequest request, StreamObserver<ListDecisionsResponse> observer) {
    ListDecisionsResponse.Builder b = ListDecisionsResponse.newBuilder();
    decisions.recent(request.getApp()).forEach(e -> b.addDecisions(toProto(e, 0)));
    observer.onNext(b.build());
    observer.onCompleted();
  }

  @Override
  public void watch(WatchDecisionsRequest request, StreamObserver<Decision> observer) {
    ServerCallStreamObserver<Decision> call = (ServerCallStreamObserver<Decision>) observer;
    long id = ids.incrementAndGet();
    DecisionLog.Watcher watcher = decisions.watch(request.getApp());
    AtomicBoolean cancelled = new AtomicBoolean();
    Object ready = new Object();
    call.setOnCancelHandler(() -> {
      cancelled.set(true);
      watcher.close();
      signal(ready);
    });
    call.setOnReadyHandler(() -> signal(ready));
    Thread.ofVirtual().name("watch-decisions-" + id).start(() -> {
      try (watcher) {
        while (!cancelled.get()) {
          var next = watcher.poll(1, TimeUnit.SECONDS);
          if (next.isEmpty()) {
            continue;
          }
          // Not ready: the client is behind; keep its queue (bounded) and wait rather than buffer in gRPC.
          synchronized (ready) {
            while (!call.isReady() && !cancelled.get()) {
              ready.wait(1_000);
            }
          }
          if (cancelled.get()) {
            return;
          }
          call.onNext(toProto(next.get(), watcher.takeMissed()));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        // Cancelled under us: nothing to tell the client.
        log.debug("[decisions {}] watch ended: {}", id, e.toString());
      }
    });
    log.debug("[decisions {}] watch started{}", id, request.getApp().isEmpty() ? "" : " for " + request.getApp());
  }

  private static void signal(Object ready) {
    synchronized (ready) {
      ready.notifyAll();
    }
  }

  static Decision toProto(DecisionLog.Entry e, long missed) {
    Decision.Builder b = Decision.newBuilder()
        .setTimeUnixMicros(e.timeUnixMicros())
        .setAppId(e.appId())
        .setApp(e.names().sourceApp())
        .setDestination(Protos.endpoint(e.destination()))
        .setDestinationName(e.names().destination())
        .setOutcome(e.outcome().display())
        .setBackendName(e.names().backend())
        .setReason(e.reason())
        .setDialed(e.dialed())
        .setMissed(missed);
    e.backend().ifPresent(at -> b.setBackend(Protos.endpoint(at)));
    if (e.errno() != 0) {
      b.setError(Errno.describe(e.errno()));
    }
    return b.build();
  }
}
