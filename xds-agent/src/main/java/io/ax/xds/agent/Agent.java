package io.ax.xds.agent;

import static io.ax.admin.Messages.oneLine;

import io.ax.admin.v1.VService;
import io.ax.xds.ads.Backoff;
import io.ax.xds.ads.SerialScheduler;
import io.ax.xds.ads.SnapshotListener;
import io.ax.xds.dataplane.ApplyResult;
import io.ax.xds.dataplane.Dataplane;
import io.ax.xds.dataplane.DataplaneException;
import io.ax.xds.translate.Translation;
import io.ax.xds.translate.Translator;
import io.ax.xds.translate.XdsSnapshot;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's glue: ADS snapshots in, vservices out. Each snapshot is translated (after a short
 * debounce that coalesces bursts) and the result is applied to the {@link Dataplane} as a full
 * state; a failed push is retried with backoff, and the last state is re-applied every
 * {@link Config#resync()} to heal a daemon that restarted without it.
 *
 * <p>Threading: {@link #onSnapshot} may be called from any thread and only parks the newest
 * snapshot; everything else (translation, pushes, timers) runs on the agent's own
 * {@link SerialScheduler}, which owns the state below. Pushing blocks that executor, never the ADS
 * client's. The agent does not own the scheduler or the dataplane.
 */
public final class Agent implements SnapshotListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Agent.class);

  /** At most this many new translation notes are logged per translation; the rest are counted. */
  static final int MAX_NOTES_LOGGED = 100;

  /**
   * @param debounce how long a first snapshot waits for the ones that follow it
   * @param resync how often the whole state is applied again
   * @param pushRetry the wait before retrying a failed push
   * @param warmup how long an incomplete snapshot (see {@link Warming}) waits for the rest
   *     before it is pushed anyway
   */
  public record Config(Duration debounce, Duration resync, Backoff pushRetry, Duration warmup) {
    /**
     * 50 ms: istiod sends CDS, then EDS, then LDS, then RDS as separate responses within a few
     * milliseconds of each other; waiting this long turns one config change into one push
     * instead of four, and adds little to the change's latency. The wait starts at the first
     * snapshot and is not extended by later ones, so a stream of updates still pushes every 50 ms.
     */
    public static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(50);

    /**
     * 30 s: a daemon that restarted (or lost its state) gets the agent's vservices back within
     * this time even when the control plane sends nothing new; an Apply of an unchanged set
     * costs the daemon a comparison and nothing else.
     */
    public static final Duration DEFAULT_RESYNC = Duration.ofSeconds(30);

    /** 200 ms doubling to 30 s: a daemon that is restarting is back within a second or two. */
    public static final Backoff DEFAULT_PUSH_RETRY = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(30), 2.0, 0.2);

    /**
     * 5 s: EDS and RDS normally follow CDS and LDS within milliseconds; a control plane that never
     * sends some cluster's endpoints must not hold every other change back for long. (Envoy's
     * initial_fetch_timeout is 15 s, but it applies per cluster; ours holds the whole push.)
     */
    public static final Duration DEFAULT_WARMUP = Duration.ofSeconds(5);

    public static final Config DEFAULTS = new Config(DEFAULT_DEBOUNCE, DEFAULT_RESYNC, DEFAULT_PUSH_RETRY, DEFAULT_WARMUP);

    public Config(Duration debounce, Duration resync, Backoff pushRetry) {
      this(debounce, resync, pushRetry, DEFAULT_WARMUP);
    }

    public Config {
      Objects.requireNonNull(debounce, "debounce");
      Objects.requireNonNull(resync, "resync");
      Objects.requireNonNull(pushRetry, "pushRetry");
      Objects.requireNonNull(warmup, "warmup");
      if (debounce.isNegative() || warmup.isNegative()) {
        throw new IllegalArgumentException("debounce " + debounce + " and warmup " + warmup + " must not be negative");
      }
      if (resync.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("resync: " + resync + " must be at least 1s");
      }
    }
  }

  private enum Why {
    UPDATE, RETRY, RESYNC
  }

  private final Function<XdsSnapshot, Translation> translator;
  private final Dataplane dataplane;
  private final SerialScheduler scheduler;
  private final RandomGenerator random;
  private final Config config;

  private final AtomicReference<XdsSnapshot> inbox = new AtomicReference<>();
  private final AtomicBoolean flushScheduled = new AtomicBoolean();

  // Confined to the scheduler.
  private Optional<List<VService>> desired = Optional.empty();
  private Optional<List<VService>> applied = Optional.empty();
  private Set<String> previousNotes = Set.of();
  private Optional<SerialScheduler.Cancellable> retryTimer = Optional.empty();
  private Optional<SerialScheduler.Cancellable> resyncTimer = Optional.empty();
  // An incomplete snapshot waiting for its endpoints or routes, and the deadline that pushes it anyway.
  private Optional<XdsSnapshot> warming = Optional.empty();
  private Optional<SerialScheduler.Cancellable> warmupTimer = Optional.empty();
  private List<String> lastRejected = List.of();
  // The snapshot last translated, for {@link #refresh}.
  private Optional<XdsSnapshot> lastTranslated = Optional.empty();
  private boolean pushed; // a snapshot has been translated and pushed (or tried) since the start
  private int failures;
  private boolean closed;

  public Agent(Function<XdsSnapshot, Translation> translator, Dataplane dataplane, SerialScheduler scheduler, RandomGenerator random, Config config) {
    this.translator = Objects.requireNonNull(translator, "translator");
    this.dataplane = Objects.requireNonNull(dataplane, "dataplane");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.random = Objects.requireNonNull(random, "random");
    this.config = Objects.requireNonNull(config, "config");
  }

  /** The agent with the real translation, {@link Translator#translate}. */
  public static Agent standard(Dataplane dataplane, SerialScheduler scheduler, RandomGenerator random, Config config) {
    return new Agent(Translator::translate, dataplane, scheduler, random, config);
  }

  @Override
  public void onSnapshot(XdsSnapshot snapshot) {
    inbox.set(Objects.requireNonNull(snapshot, "snapshot"));
    if (flushScheduled.compareAndSet(false, true)) {
      scheduler.schedule(this::flush, config.debounce());
    }
  }

  /**
   * Translates the last snapshot again and pushes what changed: for inputs of the translation
   * other than the snapshot (the DNS answers of {@link io.ax.xds.dns.DnsRefresher}). Does nothing
   * before the first translation, or while a newer snapshot waits (its flush translates anyway).
   * Any thread.
   */
  public void refresh() {
    scheduler.execute(() -> {
      if (!closed && lastTranslated.isPresent() && inbox.get() == null && warming.isEmpty()) {
        translateAndPush(lastTranslated.get());
      }
    });
  }

  /** Cancels the timers and waits (up to 5 s) for a push in progress to end. Idempotent. */
  @Override
  public void close() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    scheduler.execute(() -> {
      closed = true;
      retryTimer.ifPresent(SerialScheduler.Cancellable::cancel);
      resyncTimer.ifPresent(SerialScheduler.Cancellable::cancel);
      warmupTimer.ifPresent(SerialScheduler.Cancellable::cancel);
      done.complete(null);
    });
    try {
      done.get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("[agent] the agent's executor did not confirm the close within 5 s");
    }
  }

  private void flush() {
    flushScheduled.set(false);
    XdsSnapshot snapshot = inbox.getAndSet(null);
    if (snapshot == null || closed) {
      return;
    }
    Optional<String> missing = Warming.missing(snapshot, pushed ? Warming.Phase.RUNNING : Warming.Phase.START);
    if (missing.isPresent()) {
      warming = Optional.of(snapshot);
      if (warmupTimer.isEmpty()) {
        log.debug("[agent] waiting for {} before pushing", missing.get());
        warmupTimer = Optional.of(scheduler.schedule(this::warmupExpired, config.warmup()));
      }
      return;
    }
    warmupTimer.ifPresent(SerialScheduler.Cancellable::cancel);
    warmupTimer = Optional.empty();
    warming = Optional.empty();
    translateAndPush(snapshot);
  }

  private void warmupExpired() {
    warmupTimer = Optional.empty();
    if (warming.isEmpty() || closed) {
      return;
    }
    XdsSnapshot snapshot = warming.get();
    warming = Optional.empty();
    log.warn("[agent] still no {} after {} ms; pushing what has arrived", Warming.missing(snapshot, pushed ? Warming.Phase.RUNNING : Warming.Phase.START).orElse("-"),
        config.warmup().toMillis());
    translateAndPush(snapshot);
  }

  private void translateAndPush(XdsSnapshot snapshot) {
    pushed = true;
    lastTranslated = Optional.of(snapshot);
    Translation translation;
    try {
      translation = translator.apply(snapshot);
    } catch (RuntimeException e) {
      log.error("[agent] translation failed; the daemon keeps the last pushed state", e);
      return;
    }
    logNewNotes(translation.notes());
    desired = Optional.of(translation.vservices());
    if (desired.equals(applied) && retryTimer.isEmpty()) {
      log.debug("[agent] {} vservices, unchanged since the last push", translation.vservices().size());
      return;
    }
    push(Why.UPDATE);
  }

  private void push(Why why) {
    retryTimer.ifPresent(SerialScheduler.Cancellable::cancel);
    retryTimer = Optional.empty();
    if (closed || desired.isEmpty()) {
      return;
    }
    List<VService> vservices = desired.get();
    try {
      ApplyResult r = dataplane.apply(vservices);
      boolean changed = r.created() + r.updated() + r.deleted() > 0 || !r.rejected().equals(lastRejected);
      lastRejected = r.rejected();
      if (changed || why != Why.RESYNC || failures > 0) {
        log.info("[agent] pushed {} vservices ({}): {} created, {} updated, {} deleted, {} unchanged, {} rejected{}", vservices.size(),
            why.name().toLowerCase(java.util.Locale.ROOT), r.created(), r.updated(), r.deleted(), r.unchanged(), r.rejected().size(),
            r.rejected().isEmpty() ? "" : " " + r.rejected());
      } else {
        log.debug("[agent] resync of {} vservices changed nothing", vservices.size());
      }
      failures = 0;
      applied = Optional.of(vservices);
      scheduleResync();
    } catch (DataplaneException | RuntimeException e) {
      // The daemon's state is unknown now: the next flush must push even an unchanged set.
      applied = Optional.empty();
      Duration delay = config.pushRetry().delay(failures, random);
      failures = Math.min(failures + 1, 64);
      log.warn("[agent] push of {} vservices failed ({} in a row): {}; retrying in {} ms", vservices.size(), failures, oneLine(e), delay.toMillis());
      resyncTimer.ifPresent(SerialScheduler.Cancellable::cancel);
      resyncTimer = Optional.empty();
      retryTimer = Optional.of(scheduler.schedule(() -> push(Why.RETRY), delay));
    }
  }

  private void scheduleResync() {
    resyncTimer.ifPresent(SerialScheduler.Cancellable::cancel);
    resyncTimer = Optional.of(scheduler.schedule(() -> {
      resyncTimer = Optional.empty();
      if (retryTimer.isEmpty()) {
        push(Why.RESYNC);
      }
    }, config.resync()));
  }

  /** Logs the notes that the previous translation did not have: each once while it holds. */
  private void logNewNotes(List<String> notes) {
    Set<String> current = new LinkedHashSet<>(notes);
    int logged = 0;
    int skipped = 0;
    for (String note : current) {
      if (!previousNotes.contains(note)) {
        if (logged < MAX_NOTES_LOGGED) {
          log.info("[agent] translation: {}", note);
          logged++;
        } else {
          skipped++;
        }
      }
    }
    if (skipped > 0) {
      log.info("[agent] translation: {} more new notes not logged", skipped);
    }
    previousNotes = current;
  }
}
