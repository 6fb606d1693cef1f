package io.ax.core.dns;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Upstream answers keyed by (name, type, class), each kept for its TTL.
 *
 * <p>A positive answer lives for the smallest TTL of its answer and authority records; a negative
 * one (NXDOMAIN, or NOERROR with no answer) for min(SOA TTL, SOA minimum), RFC 2308 §5, and not
 * at all without an SOA. Both are clamped by the {@link DnsConfig.Limits}; a TTL of 0 is not
 * cached. SERVFAIL, REFUSED and truncated answers are never cached. A hit is served with each
 * TTL lowered by the time spent in the cache, so clients do not keep a record past its source's
 * TTL. The cache is bounded by the total wire size of its answers.
 *
 * <p>Thread-safe (Caffeine); time comes from the injected {@link Ticker}, and maintenance runs on
 * the calling thread so that expiry is deterministic under a fake ticker.
 */
final class ForwardCache {
  /** dnsjava's {@link Name} compares and hashes case-insensitively; the key is canonicalized anyway. */
  record Key(Name name, int type, int dclass) {
    Key {
      name = name.canonicalize();
    }
  }

  /** An upstream answer: its rcode and its records without OPT or TSIG. */
  record Entry(int rcode, List<List<Record>> sections, long storedAt, long ttlNanos, int weight) {}

  /** A cached answer as served now. */
  record Hit(int rcode, List<List<Record>> sections) {}

  private static final int[] SECTIONS = {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL};
  private final Cache<Key, Entry> cache;
  private final Ticker ticker;
  private final DnsConfig.Limits limits;

  ForwardCache(DnsConfig.Limits limits, Ticker ticker) {
    this.limits = Objects.requireNonNull(limits, "limits");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.cache = Caffeine.newBuilder()
        .ticker(ticker)
        .executor(Runnable::run)
        .maximumWeight(limits.cacheBytes())
        .weigher((Key k, Entry e) -> e.weight())
        .expireAfter(Expiry.creating((Key k, Entry e) -> Duration.ofNanos(e.ttlNanos())))
        .build();
  }

  /** The cached answer for {@code key}, its TTLs lowered by its age. */
  Optional<Hit> get(Key key) {
    Entry e = cache.getIfPresent(key);
    if (e == null) {
      return Optional.empty();
    }
    long age = Math.max(0, (ticker.read() - e.storedAt()) / 1_000_000_000L);
    List<List<Record>> aged = new ArrayList<>(SECTIONS.length);
    for (List<Record> section : e.sections()) {
      List<Record> out = new ArrayList<>(section.size());
      for (Record r : section) {
        long ttl = Math.max(0, r.getTTL() - age);
        out.add(ttl == r.getTTL() ? r : Record.newRecord(r.getName(), r.getType(), r.getDClass(), ttl, r.rdataToWireCanonical()));
      }
      aged.add(List.copyOf(out));
    }
    return Optional.of(new Hit(e.rcode(), List.copyOf(aged)));
  }

  /** Keeps {@code response} under {@code key} if it may be cached; returns whether it was. */
  boolean put(Key key, Message response) {
    Optional<Duration> ttl = ttlOf(response);
    if (ttl.isEmpty() || ttl.get().isZero()) {
      return false;
    }
    List<List<Record>> sections = new ArrayList<>(SECTIONS.length);
    for (int s : SECTIONS) {
      sections.add(response.getSection(s).stream().filter(r -> r.getType() != Type.OPT && r.getType() != Type.TSIG).toList());
    }
    int weight = Math.max(1, response.numBytes());
    cache.put(key, new Entry(response.getRcode(), List.copyOf(sections), ticker.read(), ttl.get().toNanos(), weight));
    return true;
  }

  /** How many answers are cached (after pending evictions). */
  long size() {
    cache.cleanUp();
    return cache.estimatedSize();
  }

  /** How long {@code response} may be cached, or empty if never. */
  Optional<Duration> ttlOf(Message response) {
    if (response.getHeader().getFlag(Flags.TC)) {
      return Optional.empty();
    }
    int rcode = response.getRcode();
    List<Record> answer = response.getSection(Section.ANSWER);
    if (rcode == Rcode.NOERROR && !answer.isEmpty()) {
      long min = Long.MAX_VALUE;
      for (int s : new int[] {Section.ANSWER, Section.AUTHORITY}) {
        for (Record r : response.getSection(s)) {
          min = Math.min(min, r.getTTL());
        }
      }
      return Optional.of(clamp(Duration.ofSeconds(min), limits.minTtl(), limits.maxTtl()));
    }
    if (rcode == Rcode.NXDOMAIN || rcode == Rcode.NOERROR) {
      // RFC 2308 §5: the negative TTL is the SOA's own TTL or its MINIMUM field, whichever is less.
      for (Record r : response.getSection(Section.AUTHORITY)) {
        if (r instanceof SOARecord soa) {
          long seconds = Math.min(soa.getTTL(), soa.getMinimum());
          return Optional.of(clamp(Duration.ofSeconds(seconds), limits.minTtl(), limits.maxNegativeTtl()));
        }
      }
    }
    return Optional.empty();
  }

  private static Duration clamp(Duration d, Duration min, Duration max) {
    return d.compareTo(min) < 0 ? min : d.compareTo(max) > 0 ? max : d;
  }
}
