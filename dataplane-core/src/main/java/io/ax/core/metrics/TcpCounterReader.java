package io.ax.core.metrics;

import io.ax.bridge.sys.Errno;
import io.ax.bridge.sys.SysCallException;
import io.ax.bridge.sys.TcpDiag;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds {@link IstioTcpMetrics} from the kernel: one thread drains the sockets the kernel freed
 * (their final counters) every {@link #DRAIN} (waking per freed socket cost a thread switch per
 * connection: +6 µs a connect on 2 cores), and a scheduled poll reads every open socket's counters. Owns the
 * {@link TcpDiag} and both threads; {@link #close} stops them (harmless twice).
 */
public final class TcpCounterReader implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TcpCounterReader.class);
  /**
   * 5 s: Prometheus scrapes every 15 s to a minute, so a long connection's bytes show in every
   * scrape; a poll is one sock_diag dump of the node's TCP sockets (a few ms for 10,000).
   */
  public static final Duration DEFAULT_POLL = Duration.ofSeconds(5);
  /** 100 ms: ten wake-ups a second, and closes show in metrics well within a scrape. */
  static final Duration DRAIN = Duration.ofMillis(100);

  private final TcpDiag diag;
  private final IstioTcpMetrics metrics;
  private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("istio-tcp-poll").daemon(true).factory());
  private final Thread reader;
  private final AtomicLong lostBursts = new AtomicLong();
  private volatile boolean running = true;

  private TcpCounterReader(TcpDiag diag, IstioTcpMetrics metrics) {
    this.diag = diag;
    this.metrics = metrics;
    // A platform thread: it blocks in read(2) through FFM, which would hold a virtual thread's carrier.
    this.reader = Thread.ofPlatform().name("istio-tcp-freed").daemon(true).unstarted(this::readFreed);
  }

  /** Starts reading into {@code metrics}; {@code diag} is this reader's to close. */
  public static TcpCounterReader start(TcpDiag diag, IstioTcpMetrics metrics, Duration poll) {
    TcpCounterReader r = new TcpCounterReader(Objects.requireNonNull(diag, "diag"), Objects.requireNonNull(metrics, "metrics"));
    r.reader.start();
    r.poller.scheduleWithFixedDelay(r::pollOnce, poll.toMillis(), poll.toMillis(), TimeUnit.MILLISECONDS);
    log.info("[metrics] Istio TCP metrics: following connections through sock_diag, polled every {} s", poll.toSeconds());
    return r;
  }

  private void readFreed() {
    while (running) {
      try {
        diag.drainDestroyed(metrics::destroyed);
        Thread.sleep(DRAIN);
      } catch (InterruptedException e) {
        return;
      } catch (SysCallException e) {
        if (!running) {
          return;
        }
        if (e.errno() == Errno.ENOBUFS) {
          // The kernel dropped events: those connections are closed by the polls instead.
          if (Long.bitCount(lostBursts.incrementAndGet()) == 1) {
            log.warn("[metrics] sock_diag dropped freed-socket events ({} times so far); their last bytes are lost", lostBursts.get());
          }
          continue;
        }
        log.warn("[metrics] reading freed sockets failed ({}); Istio TCP metrics see closes only through polls now", e.getMessage());
        return;
      }
    }
  }

  private void pollOnce() {
    try {
      metrics.poll(diag::dump);
    } catch (SysCallException | RuntimeException e) {
      log.warn("[metrics] polling TCP counters failed: {}", e.getMessage());
    }
  }

  @Override
  public void close() {
    if (!running) {
      return;
    }
    running = false;
    poller.shutdownNow();
    try {
      reader.interrupt();
      reader.join(Duration.ofSeconds(2));
      poller.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    diag.close();
  }
}
