package io.ax.xds.dns;

import io.ax.xds.ads.SerialScheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the answers for the hosts of the DNS clusters fresh, as Envoy does for a STRICT_DNS
 * cluster that istiod configured with {@code respect_dns_ttl}: each host is resolved when it is
 * first wanted, then again when its answer's TTL runs out (never sooner than
 * {@link Config#minRefresh}); a failed query keeps the last answer and is tried again after
 * {@link Config#failureRefresh}. When an answer changes, {@code onChange} runs so that the owner
 * translates again and pushes the new backends.
 *
 * <p>All state is confined to the given {@link SerialScheduler} (the agent's): call {@link #want}
 * on it. Queries block on {@code queries} (virtual threads), and their results come back to the
 * scheduler.
 */
public final class DnsRefresher {
  private static final Logger log = LoggerFactory.getLogger(DnsRefresher.class);

  /**
   * @param minRefresh the shortest time between two queries for a host, whatever the TTL:
   *     Envoy's {@code dns_min_refresh_rate}, whose default is 5 s
   * @param failureRefresh the wait before asking again after a failed query (Envoy's
   *     {@code dns_failure_refresh_rate} is unset in istiod's clusters, so it falls back to the
   *     refresh rate; 5 s reconnects sooner to a DNS server that was down)
   * @param maxHosts how many hosts are resolved at most; the rest get no backends (bounds the
   *     queries a config can cause)
   */
  public record Config(Duration minRefresh, Duration failureRefresh, int maxHosts) {
    public Config {
      Objects.requireNonNull(minRefresh, "minRefresh");
      Objects.requireNonNull(failureRefresh, "failureRefresh");
      if (minRefresh.isNegative() || minRefresh.isZero() || failureRefresh.isNegative() || failureRefresh.isZero()) {
        throw new IllegalArgumentException("minRefresh and failureRefresh must be positive");
      }
      if (maxHosts < 1) {
        throw new IllegalArgumentException("maxHosts " + maxHosts + " must be at least 1");
      }
    }

    public static final Config DEFAULTS = new Config(Duration.ofSeconds(5), Duration.ofSeconds(5), 1024);
  }

  /** One wanted host: its last answer (empty until the first comes), and its pending query or timer. */
  private static final class Entry {
    final String host;
    List<String> ipv4 = List.of();
    boolean answered;
    boolean failing;
    SerialScheduler.Cancellable timer = () -> {};

    Entry(String host) {
      this.host = host;
    }
  }

  private final HostResolver resolver;
  private final SerialScheduler scheduler;
  private final Executor queries;
  private final Config config;
  private final Runnable onChange;
  private final Map<String, Entry> entries = new HashMap<>();
  private boolean overLimitLogged;

  public DnsRefresher(HostResolver resolver, SerialScheduler scheduler, Executor queries, Config config, Runnable onChange) {
    this.resolver = Objects.requireNonNull(resolver, "resolver");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.queries = Objects.requireNonNull(queries, "queries");
    this.config = Objects.requireNonNull(config, "config");
    this.onChange = Objects.requireNonNull(onChange, "onChange");
  }

  /**
   * Makes {@code hosts} the hosts kept fresh (new ones are queried now, the others forgotten) and
   * returns the answers known so far: a host not answered yet has none.
   */
  public Map<String, List<String>> want(Set<String> hosts) {
    for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (!hosts.contains(e.host)) {
        e.timer.cancel();
        it.remove();
      }
    }
    for (String h : hosts.stream().sorted().toList()) {
      if (entries.containsKey(h)) {
        continue;
      }
      if (entries.size() >= config.maxHosts()) {
        if (!overLimitLogged) {
          log.warn("[dns] more than {} DNS hosts; {} and the rest get no backends", config.maxHosts(), h);
          overLimitLogged = true;
        }
        break;
      }
      Entry e = new Entry(h);
      entries.put(h, e);
      query(e);
    }
    Map<String, List<String>> out = new HashMap<>();
    entries.values().forEach(e -> out.put(e.host, e.ipv4));
    return out;
  }

  /** Forgets every host and cancels every timer. */
  public void close() {
    entries.values().forEach(e -> e.timer.cancel());
    entries.clear();
  }

  private void query(Entry e) {
    queries.execute(() -> {
      HostResolver.Answer answer;
      try {
        answer = resolver.resolve(e.host);
      } catch (IOException | RuntimeException ex) {
        scheduler.execute(() -> failed(e, ex));
        return;
      }
      scheduler.execute(() -> answered(e, answer));
    });
  }

  private void answered(Entry e, HostResolver.Answer answer) {
    if (entries.get(e.host) != e) {
      return; // forgotten meanwhile
    }
    boolean changed = !e.answered || !answer.ipv4().equals(e.ipv4);
    if (changed || e.failing) {
      log.info("[dns] {} is {} (ttl {} s)", e.host, answer.ipv4().isEmpty() ? "not found" : String.join(" ", answer.ipv4()), answer.ttl().toSeconds());
    }
    e.ipv4 = answer.ipv4();
    e.answered = true;
    e.failing = false;
    Duration next = answer.ttl().compareTo(config.minRefresh()) < 0 ? config.minRefresh() : answer.ttl();
    e.timer = scheduler.schedule(() -> query(e), next);
    if (changed) {
      onChange.run();
    }
  }

  private void failed(Entry e, Exception ex) {
    if (entries.get(e.host) != e) {
      return;
    }
    if (!e.failing) {
      log.warn("[dns] cannot resolve {} ({}); keeping {} and asking again every {} ms", e.host, ex.getMessage(),
          e.ipv4.isEmpty() ? "no backends" : String.join(" ", e.ipv4), config.failureRefresh().toMillis());
      e.failing = true;
    }
    e.timer = scheduler.schedule(() -> query(e), config.failureRefresh());
  }
}
