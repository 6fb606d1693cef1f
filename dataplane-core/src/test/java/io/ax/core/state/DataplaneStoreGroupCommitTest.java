package io.ax.core.state;

import static io.ax.core.state.StateFixtures.app;
import static io.ax.core.state.StateFixtures.vservice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ax.core.model.AppId;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Group commit: changes that arrive while a save is in flight are written together by the next
 * save, and each caller returns only once a save holds its change. The first save is held at a
 * gate so that the others are known to queue behind it.
 */
class DataplaneStoreGroupCommitTest {
  private static final Duration BOUND = Duration.ofSeconds(10);
  private final GatedPersistence persistence = new GatedPersistence();
  private final DataplaneStore store = new DataplaneStore(DataplaneState.EMPTY, persistence);
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

  /** Saves wait at the gate until it opens; then they pass. Fails while {@code failing} is set. */
  static final class GatedPersistence implements StatePersistence {
    final List<DataplaneState> saved = Collections.synchronizedList(new ArrayList<>());
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch gate = new CountDownLatch(1);
    volatile boolean failing;

    @Override
    public void save(DataplaneState state) throws IOException {
      entered.countDown();
      try {
        gate.await();
      } catch (InterruptedException e) {
        throw new IOException("interrupted", e);
      }
      if (failing) {
        throw new IOException("disk full");
      }
      saved.add(state);
    }
  }

  @AfterEach
  void stopThreads() throws InterruptedException {
    persistence.gate.countDown();
    threads.shutdown();
    assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void commit_changesArrivingDuringASave_allWrittenByTheNextSaveAndEachAnsweredAfterIt() throws Exception {
    Future<Boolean> first = submit(() -> putAndCheckDurable("00000000"));
    awaitTrue(persistence.entered);
    List<Future<Boolean>> rest = new ArrayList<>();
    for (int i = 1; i <= 20; i++) {
      String id = "%08x".formatted(i);
      rest.add(submit(() -> putAndCheckDurable(id)));
    }
    await().atMost(BOUND).until(() -> store.waiting() == 20);
    assertThat(first.isDone()).isFalse(); // not answered before its save

    persistence.gate.countDown();

    assertThat(first.get(10, TimeUnit.SECONDS)).isTrue();
    for (Future<Boolean> f : rest) {
      assertThat(f.get(10, TimeUnit.SECONDS)).as("durable when answered").isTrue();
    }
    assertThat(persistence.saved).hasSize(2);
    assertThat(persistence.saved.get(0).apps()).hasSize(1);
    assertThat(persistence.saved.get(1).apps()).hasSize(21);
    assertThat(store.current()).isSameAs(persistence.saved.get(1));
    assertThat(store.current().version()).isEqualTo(21);
  }

  @Test
  void commit_batch_appliesInArrivalOrderEachSeeingTheOnesBefore() throws Exception {
    holdFirstSave();
    Future<?> create = submit(() -> store.createVService(vservice("web", "10.96.0.1", "80:8080", "10.0.0.5")));
    await().atMost(BOUND).until(() -> store.waiting() == 1);
    // NOT_FOUND unless it sees the create queued before it.
    Future<?> delete = submit(() -> store.deleteVService("web"));
    await().atMost(BOUND).until(() -> store.waiting() == 2);

    persistence.gate.countDown();

    create.get(10, TimeUnit.SECONDS);
    delete.get(10, TimeUnit.SECONDS);
    assertThat(store.current().vservices()).isEmpty();
    assertThat(store.current().apps()).containsOnlyKeys(new AppId("0000000a"));
    assertThat(persistence.saved).hasSize(2);
  }

  @Test
  void commit_refusedChangeInABatch_othersCommittedAndItsCallerGetsItsError() throws Exception {
    holdFirstSave();
    Future<?> refused = submit(() -> store.commit(s -> {
      throw new ResourceException(ResourceException.Kind.CONFLICT, "no");
    }));
    Future<?> accepted = submit(() -> {
      store.putApp(app("0000000b", "10.0.0.2", "zone=default"));
      return null;
    });
    await().atMost(BOUND).until(() -> store.waiting() == 2);

    persistence.gate.countDown();

    assertThatThrownBy(() -> refused.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(ResourceException.class);
    accepted.get(10, TimeUnit.SECONDS);
    assertThat(store.current().apps()).containsOnlyKeys(new AppId("0000000a"), new AppId("0000000b"));
  }

  @Test
  void commit_batchSaveFails_everyChangeInItFailsAndNoneIsPublished() throws Exception {
    List<DataplaneState> told = Collections.synchronizedList(new ArrayList<>());
    store.addListener((b, a) -> told.add(a));
    Future<?> first = holdFirstSave();
    List<Future<?>> batch = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      String id = "%08x".formatted(0x100 + i);
      batch.add(submit(() -> {
        store.putApp(app(id, "10.0.1." + id.charAt(7), "zone=default"));
        return null;
      }));
    }
    await().atMost(BOUND).until(() -> store.waiting() == 5);
    // The held save fails, and so does the batch behind it: the disk stays full.
    persistence.failing = true;
    persistence.gate.countDown();
    assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(StateWriteException.class);

    for (Future<?> f : batch) {
      assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(StateWriteException.class);
    }
    assertThat(store.current()).isSameAs(DataplaneState.EMPTY);
    assertThat(told).isEmpty();
    assertThat(persistence.saved).isEmpty();

    persistence.failing = false; // the disk is back: the same change goes through
    store.putApp(app("00000101", "10.0.1.1", "zone=default"));
    assertThat(store.current().apps()).containsOnlyKeys(new AppId("00000101"));
  }

  @Test
  void commit_listeners_toldOncePerBatchWithStatesSpanningIt() throws Exception {
    List<DataplaneState[]> told = Collections.synchronizedList(new ArrayList<>());
    store.addListener((b, a) -> told.add(new DataplaneState[] {b, a}));
    holdFirstSave();
    List<Future<?>> batch = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      String id = "%08x".formatted(0x200 + i);
      batch.add(submit(() -> {
        store.putApp(app(id, "10.0.2." + i(id), "zone=default"));
        return null;
      }));
    }
    await().atMost(BOUND).until(() -> store.waiting() == 3);

    persistence.gate.countDown();
    for (Future<?> f : batch) {
      f.get(10, TimeUnit.SECONDS);
    }

    assertThat(told).hasSize(2); // the held one, then the three together
    assertThat(told.get(1)[0]).isSameAs(told.get(0)[1]);
    assertThat(told.get(1)[0].apps()).hasSize(1);
    assertThat(told.get(1)[1].apps()).hasSize(4);
    assertThat(told.get(1)[1]).isSameAs(store.current());
  }

  @Test
  void commit_fromAListener_refusedRatherThanDeadlocked() {
    List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
    persistence.gate.countDown();
    store.addListener((b, a) -> {
      try {
        store.putApp(app("0000000c", "10.0.0.3", "zone=default"));
      } catch (IllegalStateException e) {
        errors.add(e);
      }
    });

    store.putApp(app("0000000a", "10.0.0.1", "zone=default"));

    assertThat(errors).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("must not commit"));
    assertThat(store.current().apps()).containsOnlyKeys(new AppId("0000000a"));
  }

  /** Starts a commit of app 0000000a and returns once its save waits at the gate. */
  private Future<?> holdFirstSave() throws InterruptedException {
    Future<?> f = submit(() -> {
      store.putApp(app("0000000a", "10.0.0.1", "zone=default"));
      return null;
    });
    awaitTrue(persistence.entered);
    return f;
  }

  /** Puts an app; true when, once answered, a completed save already holds it. */
  private boolean putAndCheckDurable(String id) {
    store.putApp(app(id, "10.0.3." + i(id), "zone=default"));
    // The next save may be appending while we look: a synchronized list's stream is not
    // guarded by it, so hold its lock (a ConcurrentModificationException was seen here).
    synchronized (persistence.saved) {
      return persistence.saved.stream().anyMatch(s -> s.apps().containsKey(new AppId(id)));
    }
  }

  private static int i(String hexId) {
    return Integer.parseInt(hexId, 16) % 250 + 1;
  }

  private <T> Future<T> submit(Supplier<T> task) {
    return threads.submit(task::get);
  }

  private static void awaitTrue(CountDownLatch latch) throws InterruptedException {
    assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
  }
}
