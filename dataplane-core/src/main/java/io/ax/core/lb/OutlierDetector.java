package io.ax.core.lb;

import io.ax.bridge.net.Inet4Endpoint;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Envoy's consecutive-failure outlier detection over the connects this node made: a backend
 * whose last {@code consecutiveFailures} connects failed is ejected for {@code baseEjectionTime}
 * times the number of ejections in a row (at most 300 s), unless that would eject more than
 * {@code maxEjectionPercent} of its vservice's backends (at least one may always go). A connect
 * that succeeds resets the count. Each daemon judges by its own connects, as each Envoy does.
 *
 * <p>Unlike Envoy, ejection ends exactly when its time is up rather than at the next sweep of
 * {@code interval}, and there is no sweep: the state is read and changed per connect.
 *
 * <p>Thread-safe: one map per key (vservice or {@code name/subset}) in a concurrent map, each
 * guarded by itself. Bounded: a backend is remembered only while it has failures or ejections
 * to its name, and a key goes with its vservice ({@link #forget}).
 */
public final class OutlierDetector implements Outliers {
  private static final Logger log = LoggerFactory.getLogger(OutlierDetector.class);

  private static final class Host {
    int failures;
    int timesEjected;
    long ejectedUntil;
    boolean ejected;
  }

  private final LongSupplier nanoClock;
  private final ConcurrentHashMap<String, Map<Inet4Endpoint, Host>> keys = new ConcurrentHashMap<>();
  private final AtomicLong ejections = new AtomicLong();

  /** @param nanoClock {@link System#nanoTime} outside tests */
  public OutlierDetector(LongSupplier nanoClock) {
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
  }

  @Override
  public boolean ejected(String key, Inet4Endpoint target) {
    Map<Inet4Endpoint, Host> hosts = keys.get(key);
    if (hosts == null) {
      return false;
    }
    synchronized (hosts) {
      Host h = hosts.get(target);
      return h != null && isEjected(h, nanoClock.getAsLong());
    }
  }

  /**
   * A connect to {@code target} failed (refused, unreachable, timed out).
   *
   * @param backends how many backends {@code key} balances over, for the ejection limit
   */
  public void failed(String key, Inet4Endpoint target, OutlierDetection rule, int backends) {
    Map<Inet4Endpoint, Host> hosts = keys.computeIfAbsent(key, k -> new HashMap<>());
    synchronized (hosts) {
      long now = nanoClock.getAsLong();
      Host h = hosts.computeIfAbsent(target, t -> new Host());
      if (isEjected(h, now)) {
        return; // dialed as a last resort: it is out already
      }
      h.failures++;
      if (h.failures < rule.consecutiveFailures()) {
        return;
      }
      long out = hosts.values().stream().filter(o -> isEjected(o, now)).count();
      if (out >= rule.maxEjected(backends)) {
        log.debug("[lb] {}: {} failed {} connects in a row, but {} of {} backends are ejected already", key, target, h.failures, out, backends);
        return;
      }
      h.timesEjected++;
      h.failures = 0;
      h.ejected = true;
      h.ejectedUntil = now + rule.ejectionTime(h.timesEjected).toNanos();
      ejections.incrementAndGet();
      log.info("[lb] {}: ejected {} for {} s after {} failed connects in a row", key, target, rule.ejectionTime(h.timesEjected).toMillis() / 1000.0,
          rule.consecutiveFailures());
    }
  }

  /** A connect to {@code target} succeeded: its count starts again. */
  public void succeeded(String key, Inet4Endpoint target) {
    Map<Inet4Endpoint, Host> hosts = keys.get(key);
    if (hosts == null) {
      return;
    }
    synchronized (hosts) {
      Host h = hosts.get(target);
      if (h != null && !isEjected(h, nanoClock.getAsLong())) {
        hosts.remove(target); // back in good standing: nothing to remember
      }
    }
  }

  /** Backends ejected since start, for metrics. */
  public long ejections() {
    return ejections.get();
  }

  /** Drops the memory of a key that no longer exists (and of its subsets, {@code key/...}). */
  public void forget(String key) {
    keys.remove(key);
    String prefix = key + "/";
    keys.keySet().removeIf(k -> k.startsWith(prefix));
  }

  private static boolean isEjected(Host h, long now) {
    if (h.ejected && now - h.ejectedUntil >= 0) {
      h.ejected = false; // back in; timesEjected stays until a connect succeeds
    }
    return h.ejected;
  }
}
