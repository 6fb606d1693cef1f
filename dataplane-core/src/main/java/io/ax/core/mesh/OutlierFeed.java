package io.ax.core.mesh;

import io.ax.bridge.BridgeObserver;
import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.sys.Errno;
import io.ax.core.decision.ConnectDecider;
import io.ax.core.lb.OutlierDetector;
import io.ax.core.model.Resilience;
import io.ax.core.state.DataplaneState;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Tells the {@link OutlierDetector} how each connect to a vservice with outlier detection went,
 * from what the bridge reports: every target dialed before the last one failed (the bridge fails
 * over only on a refusal, an unreachable network or a timeout), and the last one connected,
 * failed the same way, or is still in progress for a non-blocking socket (then it says nothing:
 * the kernel tells the app the rest, not us). Thread-safe, as the detector is.
 */
final class OutlierFeed implements BridgeObserver {
  private final Supplier<DataplaneState> state;
  private final OutlierDetector detector;

  OutlierFeed(Supplier<DataplaneState> state, OutlierDetector detector) {
    this.state = Objects.requireNonNull(state, "state");
    this.detector = Objects.requireNonNull(detector, "detector");
  }

  @Override
  public void connectEnded(String appId, Inet4Endpoint destination, ConnectDecision decision, int dialed, int errno) {
    if (!(decision instanceof ConnectDecision.Targets t) || dialed == 0) {
      return;
    }
    Optional<ConnectDecider.Balanced> balanced = ConnectDecider.balanced(state.get(), t.via());
    Optional<io.ax.core.lb.OutlierDetection> rule = balanced.flatMap(b -> b.resilience().outlierDetection());
    if (rule.isEmpty()) {
      return;
    }
    int backends = balanced.get().backends();
    int last = Math.min(dialed, t.targets().size()) - 1;
    for (int i = 0; i < last; i++) {
      detector.failed(t.via(), t.targets().get(i), rule.get(), backends);
    }
    Inet4Endpoint lastDialed = t.targets().get(last);
    if (errno == 0) {
      detector.succeeded(t.via(), lastDialed);
    } else if (isConnectFailure(errno)) {
      detector.failed(t.via(), lastDialed, rule.get(), backends);
    }
  }

  /** The errors that make the bridge fail over: the backend's fault, not the app's. */
  static boolean isConnectFailure(int errno) {
    return errno == Errno.ECONNREFUSED || errno == Errno.ETIMEDOUT || errno == Errno.EHOSTUNREACH || errno == Errno.ENETUNREACH
        || errno == Errno.ECONNRESET || errno == Errno.ECONNABORTED;
  }
}
