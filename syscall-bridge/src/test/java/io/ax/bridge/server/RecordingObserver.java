package io.ax.bridge.server;

import io.ax.bridge.BridgeObserver;
import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.net.Inet4Endpoint;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link BridgeObserver} that keeps what it heard, for assertions. */
final class RecordingObserver implements BridgeObserver {
  record Ended(String appId, Inet4Endpoint destination, ConnectDecision decision, int dialed, int errno) {}

  record Answered(Syscall syscall, Answer answer, long nanos) {}

  final List<Ended> ended = new CopyOnWriteArrayList<>();
  final List<Answered> answered = new CopyOnWriteArrayList<>();
  final List<Long> decided = new CopyOnWriteArrayList<>();

  @Override
  public void connectDecided(long nanos) {
    decided.add(nanos);
  }

  @Override
  public void answered(Syscall syscall, Answer answer, long nanos) {
    answered.add(new Answered(syscall, answer, nanos));
  }

  @Override
  public void connectEnded(String appId, Inet4Endpoint destination, ConnectDecision decision, int dialed, int errno) {
    ended.add(new Ended(appId, destination, decision, dialed, errno));
  }
}
