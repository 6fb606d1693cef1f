package io.ax.core.admin;

import static io.ax.core.state.StateFixtures.app;
import static io.ax.core.state.StateFixtures.vservice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.ax.admin.v1.AppEvent;
import io.ax.admin.v1.AppsGrpc;
import io.ax.admin.v1.EventType;
import io.ax.admin.v1.NodeEvent;
import io.ax.admin.v1.NodesGrpc;
import io.ax.admin.v1.VServiceEvent;
import io.ax.admin.v1.VServicesGrpc;
import io.ax.admin.v1.WatchRequest;
import io.ax.core.model.AppId;
import io.ax.core.model.NodeInfo;
import io.ax.core.state.DataplaneState;
import io.ax.core.state.DataplaneStore;
import io.ax.core.state.StatePersistence;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Watch calls through a real gRPC server in this JVM: replay, SYNCED, live events, cancel, backpressure. */
class WatchStreamTest {
  private static final Duration BOUND = Duration.ofSeconds(10);

  private final DataplaneStore store = new DataplaneStore(DataplaneState.EMPTY, StatePersistence.NONE);
  private LocalAdminServer server = new LocalAdminServer(store, s -> Map.of(), Map::of);
  private final ListAppender<ILoggingEvent> storeLog = new ListAppender<>();

  @AfterEach
  void stop() {
    ((Logger) LoggerFactory.getLogger(DataplaneStore.class)).detachAppender(storeLog);
    server.close();
  }

  /** Collects a stream's events and its end; the call can be cancelled or read on demand. */
  static final class Recorder<E> implements ClientResponseObserver<WatchRequest, E> {
    final BlockingQueue<E> events = new LinkedBlockingQueue<>();
    final AtomicReference<Throwable> error = new AtomicReference<>();
    private final boolean manualReads;
    volatile ClientCallStreamObserver<WatchRequest> call;

    Recorder(boolean manualReads) {
      this.manualReads = manualReads;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<WatchRequest> requestStream) {
      call = requestStream;
      if (manualReads) {
        requestStream.disableAutoRequestWithInitial(0);
      }
    }

    @Override
    public void onNext(E value) {
      events.add(value);
    }

    @Override
    public void onError(Throwable t) {
      error.set(t);
    }

    @Override
    public void onCompleted() {
      error.set(new AssertionError("a watch never completes"));
    }

    E next() throws InterruptedException {
      E e = events.poll(BOUND.toSeconds(), TimeUnit.SECONDS);
      assertThat(e).as("an event within %s (stream error: %s)", BOUND, error.get()).isNotNull();
      return e;
    }
  }

  private Recorder<VServiceEvent> watchVServices() {
    Recorder<VServiceEvent> r = new Recorder<>(false);
    VServicesGrpc.newStub(server.channel).watch(WatchRequest.getDefaultInstance(), r);
    return r;
  }

  /** The store's listeners; private, read here because a leaked listener has no other symptom. */
  private static int listenerCount(DataplaneStore store) {
    try {
      return ((List<?>) LISTENERS.get(store)).size();
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  private static final java.lang.reflect.Field LISTENERS;

  static {
    try {
      LISTENERS = DataplaneStore.class.getDeclaredField("listeners");
      LISTENERS.setAccessible(true);
    } catch (NoSuchFieldException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @Test
  void watch_existingVService_replayedAsAddedThenSyncedThenLiveEvents() throws InterruptedException {
    store.createVService(vservice("web", "10.96.0.1", "80:8080", "10.0.0.5"));
    Recorder<VServiceEvent> r = watchVServices();

    VServiceEvent replay = r.next();
    assertThat(replay.getType()).isEqualTo(EventType.ADDED);
    assertThat(replay.getVservice().getName()).isEqualTo("web");
    assertThat(r.next()).isEqualTo(VServiceEvent.newBuilder().setType(EventType.SYNCED).build());

    store.createVService(vservice("api", "10.96.0.2", "443", "10.0.0.6"));
    VServiceEvent added = r.next();
    assertThat(added.getType()).isEqualTo(EventType.ADDED);
    assertThat(added.getVservice().getName()).isEqualTo("api");
    assertThat(added.getVservice().getPorts(0).getVport()).isEqualTo(443);

    store.deleteVService("web");
    VServiceEvent deleted = r.next();
    assertThat(deleted.getType()).isEqualTo(EventType.DELETED);
    assertThat(deleted.getVservice().getName()).isEqualTo("web");
    assertThat(r.error.get()).isNull();
  }

  @Test
  void watch_emptyStore_syncedFirst() throws InterruptedException {
    Recorder<VServiceEvent> r = watchVServices();

    assertThat(r.next().getType()).isEqualTo(EventType.SYNCED);
  }

  @Test
  void watch_otherKindChanges_noEventForThem() throws InterruptedException {
    Recorder<VServiceEvent> r = watchVServices();
    assertThat(r.next().getType()).isEqualTo(EventType.SYNCED);

    store.putApp(app("f00001bb", "10.0.2.15", "zone=default"));
    store.createVService(vservice("web", "10.96.0.1", "80", "10.0.0.5"));

    // Had the app change leaked into this stream it would come first.
    VServiceEvent next = r.next();
    assertThat(next.getType()).isEqualTo(EventType.ADDED);
    assertThat(next.getVservice().getName()).isEqualTo("web");
  }

  @Test
  void watch_appReplaced_modified() throws InterruptedException {
    store.putApp(app("f00001bb", "10.0.2.15", "zone=default"));
    Recorder<AppEvent> r = new Recorder<>(false);
    AppsGrpc.newStub(server.channel).watch(WatchRequest.getDefaultInstance(), r);
    assertThat(r.next().getType()).isEqualTo(EventType.ADDED);
    assertThat(r.next().getType()).isEqualTo(EventType.SYNCED);

    store.putApp(app("f00001bb", "10.0.2.15", "zone=eu"));
    store.putApp(app("f00001bb", "10.0.2.15", "zone=eu")); // equal: no event

    AppEvent modified = r.next();
    assertThat(modified.getType()).isEqualTo(EventType.MODIFIED);
    assertThat(modified.getApp().getLabels(0).getValue()).isEqualTo("eu");
    store.removeApp(new AppId("f00001bb"));
    assertThat(r.next().getType()).isEqualTo(EventType.DELETED);
  }

  @Test
  void watch_nodes_appCountChangeIsModified() throws InterruptedException {
    server.close();
    server = new LocalAdminServer(
        store, s -> Map.of("node-1", new NodeInfo("node-1", "appswitch", "10.0.2.15", "", List.of(), s.apps().size())), Map::of);
    Recorder<NodeEvent> r = new Recorder<>(false);
    NodesGrpc.newStub(server.channel).watch(WatchRequest.getDefaultInstance(), r);
    assertThat(r.next().getNode().getAppCount()).isZero();
    assertThat(r.next().getType()).isEqualTo(EventType.SYNCED);

    store.putApp(app("f00001bb", "10.0.2.15", "zone=default"));

    NodeEvent modified = r.next();
    assertThat(modified.getType()).isEqualTo(EventType.MODIFIED);
    assertThat(modified.getNode().getAppCount()).isEqualTo(1);
  }

  @Test
  void watch_cancelled_listenerRemovedAndStoreKeepsWorking() throws InterruptedException {
    ((Logger) LoggerFactory.getLogger(DataplaneStore.class)).addAppender(storeLog);
    storeLog.start();
    int before = listenerCount(store);
    Recorder<VServiceEvent> r = watchVServices();
    assertThat(r.next().getType()).isEqualTo(EventType.SYNCED);
    assertThat(listenerCount(store)).isEqualTo(before + 1);

    r.call.cancel("client is done", null);
    r.call.cancel("twice is harmless", null);

    await().atMost(BOUND).until(() -> listenerCount(store) == before);
    store.createVService(vservice("web", "10.96.0.1", "80", "10.0.0.5"));
    store.deleteVService("web");
    assertThat(store.current().vservices()).isEmpty();
    assertThat(storeLog.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).isEmpty();
    assertThat(r.events).isEmpty();
  }

  @Test
  void watch_serverShutsDown_listenerRemoved() throws InterruptedException {
    int before = listenerCount(store);
    Recorder<VServiceEvent> r = watchVServices();
    assertThat(r.next().getType()).isEqualTo(EventType.SYNCED);

    server.close();

    await().atMost(BOUND).until(() -> listenerCount(store) == before);
    assertThat(r.error.get()).isInstanceOf(StatusRuntimeException.class);
    server = new LocalAdminServer(store, s -> Map.of(), Map::of); // for @AfterEach
  }

  /**
   * A client that stops reading: flow control stops the server's sends, the backlog fills, and the
   * stream ends with RESOURCE_EXHAUSTED instead of growing without bound. The client's window is
   * fixed at 64 KiB so that a few thousand events fill it.
   */
  @Test
  void watch_clientStopsReading_resourceExhaustedAfterTheBacklog() throws InterruptedException {
    ListAppender<ILoggingEvent> watchLog = new ListAppender<>();
    watchLog.start();
    Logger watchLogger = (Logger) LoggerFactory.getLogger(WatchStream.class);
    watchLogger.addAppender(watchLog);
    server.close();
    server = new LocalAdminServer(store, s -> Map.of(), Map::of, 64 * 1024);
    int before = listenerCount(store);
    Recorder<AppEvent> r = new Recorder<>(true);
    AppsGrpc.newStub(server.channel).watch(WatchRequest.getDefaultInstance(), r);
    await().atMost(BOUND).until(() -> listenerCount(store) == before + 1);

    // Far more changes than the window, the server's send buffer and the backlog hold together.
    int changes = 40 * WatchStream.BACKLOG;
    for (int i = 0; i < changes && listenerCount(store) > before; i++) {
      store.putApp(app("f00001bb", "10.0.2.15", "n=" + i));
    }

    assertThat(listenerCount(store)).as("the watcher was dropped").isEqualTo(before);
    watchLogger.detachAppender(watchLog);
    assertThat(watchLog.list).filteredOn(e -> e.getLevel() == Level.WARN).singleElement()
        .satisfies(e -> assertThat(e.getFormattedMessage()).contains("apps watcher fell more than " + WatchStream.BACKLOG));
    r.call.request(Integer.MAX_VALUE);
    await().atMost(BOUND).until(() -> r.error.get() != null);
    assertThat(Status.fromThrowable(r.error.get()).getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(Status.fromThrowable(r.error.get()).getDescription()).contains(Integer.toString(WatchStream.BACKLOG));
    // What did arrive is the replay and then a prefix of the changes, in order.
    List<AppEvent> got = List.copyOf(r.events);
    assertThat(got).hasSizeGreaterThan(1).hasSizeLessThan(changes);
    assertThat(got.get(0).getType()).isEqualTo(EventType.SYNCED);
    assertThat(got.get(1).getType()).isEqualTo(EventType.ADDED);
    for (int i = 1; i < got.size(); i++) {
      assertThat(got.get(i).getApp().getLabels(0).getValue()).isEqualTo(Integer.toString(i - 1));
    }
  }
}
