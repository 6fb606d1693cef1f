package io.ax.core.mesh;

import io.ax.bridge.BridgeObserver;
import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.net.Inet4Endpoint;
import java.util.Objects;

/** Two observers of the bridge as one: each hears everything, {@code first} first. Thread-safe as they are. */
public record BothObservers(BridgeObserver first, BridgeObserver second) implements BridgeObserver {
  public BothObservers {
    Objects.requireNonNull(first, "first");
    Objects.requireNonNull(second, "second");
  }

  @Override
  public void answered(Syscall syscall, Answer answer, long nanos) {
    first.answered(syscall, answer, nanos);
    second.answered(syscall, answer, nanos);
  }

  @Override
  public void connectDecided(long nanos) {
    first.connectDecided(nanos);
    second.connectDecided(nanos);
  }

  @Override
  public void connectEnded(String appId, Inet4Endpoint destination, ConnectDecision decision, int dialed, int errno) {
    first.connectEnded(appId, destination, decision, dialed, errno);
    second.connectEnded(appId, destination, decision, dialed, errno);
  }

  @Override
  public boolean followsConnections() {
    return first.followsConnections() || second.followsConnections();
  }

  @Override
  public void opened(String appId, Inet4Endpoint destination, ConnectDecision decision, int dialed, long cookie) {
    if (first.followsConnections()) {
      first.opened(appId, destination, decision, dialed, cookie);
    }
    if (second.followsConnections()) {
      second.opened(appId, destination, decision, dialed, cookie);
    }
  }
}
