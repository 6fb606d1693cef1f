package io.ax.bridge.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.net.SockAddrCodec;
import io.ax.bridge.sys.Libc;
import io.ax.bridge.sys.Scratch;
import io.ax.bridge.sys.Sys;
import io.ax.bridge.sys.TcpDiag;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * {@link TcpDiag} against the real kernel, on loopback: a socket's cookie (SO_COOKIE, through
 * {@link LibcHostSockets}) finds its counters in a dump while it is open and in the destroy
 * event when it is freed, with the bytes it moved.
 */
class TcpDiagKernelTest {
  private static final int SENT = 100_000;
  private static final int REPLY = 3_333;

  @Test
  void dumpAndDestroy_oneConnection_countersOfItsCookie() throws Exception {
    try (Arena arena = Arena.ofConfined(); ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()); TcpDiag diag = TcpDiag.open()) {
      LibcHostSockets ops = new LibcHostSockets(new Scratch(arena));
      CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
        try {
          Socket s = server.accept();
          InputStream in = s.getInputStream();
          in.readNBytes(SENT);
          s.getOutputStream().write(new byte[REPLY]);
          return s;
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      int fd = ops.socket(Sys.AF_INET, Sys.SOCK_STREAM | Sys.SOCK_CLOEXEC, 0);
      assertThat(fd).isPositive();
      assertThat(ops.connect(fd, SockAddrCodec.encode(new Inet4Endpoint(0x7f000001, server.getLocalPort()), Sys.AF_INET))).isZero();
      long cookie = ops.cookie(fd);
      assertThat(cookie).isPositive();
      MemorySegment buf = arena.allocate(SENT);
      long written = 0;
      while (written < SENT) {
        long n = Libc.write(fd, buf.asSlice(written), SENT - written);
        assertThat(n).isPositive();
        written += n;
      }
      Socket peer = accepted.get();
      long read = 0;
      while (read < REPLY) {
        long n = Libc.read(fd, buf, SENT);
        assertThat(n).isPositive();
        read += n;
      }

      List<TcpDiag.Counters> open = new ArrayList<>();
      diag.dump(c -> {
        if (c.cookie() == cookie) {
          open.add(c);
        }
      });
      assertThat(open).containsExactly(new TcpDiag.Counters(cookie, SENT, REPLY));

      peer.close(); // its FIN first: the client's socket is then freed on close
      Libc.close(fd);
      // The kernel frees the socket, and sends its message, once the FINs are through.
      List<TcpDiag.Counters> destroyed = new ArrayList<>();
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
        diag.drainDestroyed(c -> {
          if (c.cookie() == cookie) {
            destroyed.add(c);
          }
        });
        return !destroyed.isEmpty();
      });
      Optional<TcpDiag.Counters> last = destroyed.stream().findFirst();
      assertThat(last).as("the destroy event of cookie %d", cookie).isPresent();
      assertThat(last.get().bytesSent()).isEqualTo(SENT);
      // The kernel counts the peer's FIN as a received byte.
      assertThat(last.get().bytesReceived()).isEqualTo(REPLY + 1);
    }
  }
}
