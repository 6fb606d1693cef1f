package io.ax.core.proxy;

import java.time.Duration;
import java.util.Objects;

/**
 * How the daemon's TCP proxies (every-node exposure) behave.
 *
 * @param connectTimeout how long a connect to one backend may take before the next is tried.
 *     Backends are on the cluster's own network, where a connect takes well under a millisecond;
 *     2 s covers one lost SYN (Linux resends the first at 1 s) and then fails over, where the
 *     kernel alone would wait over two minutes
 * @param maxConnections proxied connections open at once on this node, over every listener; each
 *     holds two descriptors and two socket buffers. 20,000 keeps the daemon far inside a 1M fd
 *     limit and its memory to the kernel's socket buffers; beyond it new clients are reset
 * @param watermarkLow bytes queued toward one side below which the other side is read again
 * @param watermarkHigh bytes queued toward one side above which the other side is no longer read:
 *     a slow receiver slows its sender instead of filling the daemon's memory
 * @param eventLoops threads that accept and move the bytes: as many as the node has cores, up to
 *     4 (one moves over 10 Gbit/s with epoll; more serve new connections faster, which a burst of
 *     clients needs: HAProxy, measured beside it, runs 2)
 */
public record ProxyConfig(Duration connectTimeout, int maxConnections, int watermarkLow, int watermarkHigh, int eventLoops) {
  public static final ProxyConfig DEFAULT =
      new ProxyConfig(Duration.ofSeconds(2), 20_000, 256 * 1024, 1024 * 1024, Math.clamp(Runtime.getRuntime().availableProcessors(), 1, 4));

  public ProxyConfig {
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    if (connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("connect timeout " + connectTimeout + " must be positive");
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException("max connections " + maxConnections + " must be at least 1");
    }
    if (watermarkLow < 1 || watermarkHigh < watermarkLow) {
      throw new IllegalArgumentException("watermarks " + watermarkLow + "/" + watermarkHigh + " must be positive and low <= high");
    }
    if (eventLoops < 1) {
      throw new IllegalArgumentException("event loops " + eventLoops + " must be at least 1");
    }
  }
}
