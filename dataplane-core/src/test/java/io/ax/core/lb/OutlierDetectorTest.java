package io.ax.core.lb;

import static org.assertj.core.api.Assertions.assertThat;

import io.ax.bridge.net.Inet4Endpoint;

import io.ax.core.net.Endpoints;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Envoy's consecutive-failure ejection on a fake clock. */
class OutlierDetectorTest {
  static final Inet4Endpoint A = Endpoints.parse("a", "198.19.0.1:80");
  static final Inet4Endpoint B = Endpoints.parse("b", "198.19.0.2:80");
  static final Inet4Endpoint C = Endpoints.parse("c", "198.19.0.3:80");
  static final OutlierDetection RULE = new OutlierDetection(3, Duration.ofSeconds(10), 50);

  private final AtomicLong now = new AtomicLong(1_000);
  private final OutlierDetector d = new OutlierDetector(now::get);

  private void fail(Inet4Endpoint t, int times, int backends) {
    for (int i = 0; i < times; i++) {
      d.failed("svc", t, RULE, backends);
    }
  }

  @Test
  void failed_consecutiveFailuresReachTheRule_ejectsForTheBaseTime() {
    fail(A, 2, 4);
    assertThat(d.ejected("svc", A)).isFalse();

    fail(A, 1, 4);

    assertThat(d.ejected("svc", A)).isTrue();
    assertThat(d.ejected("other", A)).as("per vservice").isFalse();
    assertThat(d.ejections()).isEqualTo(1);
    now.addAndGet(Duration.ofSeconds(10).toNanos() - 1);
    assertThat(d.ejected("svc", A)).isTrue();
    now.addAndGet(1);
    assertThat(d.ejected("svc", A)).isFalse();
  }

  @Test
  void failed_ejectedAgainWithoutASuccess_lastsTwiceAsLong() {
    fail(A, 3, 4);
    now.addAndGet(Duration.ofSeconds(10).toNanos());
    fail(A, 3, 4);

    now.addAndGet(Duration.ofSeconds(19).toNanos());
    assertThat(d.ejected("svc", A)).isTrue();
    now.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(d.ejected("svc", A)).isFalse();
  }

  @Test
  void succeeded_betweenFailures_startsTheCountAgain() {
    fail(A, 2, 4);
    d.succeeded("svc", A);
    fail(A, 2, 4);

    assertThat(d.ejected("svc", A)).isFalse();
  }

  @Test
  void failed_maxEjectionPercentReached_keepsTheNextBackendIn() {
    fail(A, 3, 4); // 50% of 4: two may go
    fail(B, 3, 4);
    fail(C, 3, 4);

    assertThat(d.ejected("svc", A)).isTrue();
    assertThat(d.ejected("svc", B)).isTrue();
    assertThat(d.ejected("svc", C)).isFalse();
    assertThat(d.ejections()).isEqualTo(2);
  }

  @Test
  void failed_tinyPercent_stillEjectsOne() {
    OutlierDetection tenPercent = new OutlierDetection(1, Duration.ofSeconds(1), 10);
    d.failed("svc", A, tenPercent, 2);
    d.failed("svc", B, tenPercent, 2);

    assertThat(d.ejected("svc", A)).isTrue();
    assertThat(d.ejected("svc", B)).isFalse();
  }

  @Test
  void forget_dropsTheVserviceAndItsSubsets() {
    d.failed("svc/v1", A, new OutlierDetection(1, Duration.ofSeconds(1), 100), 1);
    assertThat(d.ejected("svc/v1", A)).isTrue();

    d.forget("svc");

    assertThat(d.ejected("svc/v1", A)).isFalse();
  }
}
