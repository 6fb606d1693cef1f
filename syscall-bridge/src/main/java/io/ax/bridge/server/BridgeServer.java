package io.ax.bridge.server;

import io.ax.bridge.BridgeObserver;
import io.ax.bridge.SocketPolicy;
import io.ax.bridge.SocketPolicy.AppGrant;
import io.ax.bridge.SocketPolicy.Registration;
import io.ax.bridge.WakeUp;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.seccomp.SeccompListener;
import io.ax.bridge.sys.Errno;
import io.ax.bridge.sys.Libc;
import io.ax.bridge.sys.Sys;
import io.ax.bridge.sys.Scratch;
import io.ax.bridge.sys.SysCallException;
import io.ax.bridge.sys.UnixSockets;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's side of {@code ax run}: accepts launchers on {@code bridge.sock}, admits their
 * apps through the {@link SocketPolicy}, takes their seccomp listeners and answers every trapped
 * call, on one receiver thread per app ({@link AppReceiver}); supervisor connections and
 * connects in progress wait on one event loop. The socket is open to every local user (mode 0666) because
 * {@code ax run --new-netns=false} runs unprivileged; SO_PEERCRED tells who registers, and an
 * app can only hand over a listener of its own processes.
 *
 * <p>Threads: one acceptor, one platform thread per handshake, the event loop, one receiver per
 * app, virtual threads for bind and listen, one reaper. The sessions live in a concurrent map;
 * the socket table is thread-safe; everything else is final once started.
 */
public final class BridgeServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BridgeServer.class);
  /** A launcher that connects and says nothing is dropped after this long. */
  static final int HANDSHAKE_TIMEOUT_SECONDS = 5;
  private static final int EPOLLRDHUP = 0x2000;

  private final Path path;
  private final SocketPolicy policy;
  private final WakeUp wakeUp;
  private final int listenFd;
  private final EventLoop loop;
  /** Read for socket ages and publication times; one clock for the table, the reaper and the handlers. */
  private final LongSupplier nanoClock = System::nanoTime;
  private final SocketTable sockets = new SocketTable(nanoClock);
  /** The event loop's scratch, for connects that finish there; closed once the loop has stopped. */
  private final Arena loopArena = Arena.ofShared();
  private final Dispatcher dispatcher;
  private final ExecutorService slow = Executors.newVirtualThreadPerTaskExecutor();
  private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("bridge-reaper").daemon(true).unstarted(r));
  private final Map<String, AppSession> sessions = new ConcurrentHashMap<>();
  private final Thread acceptor;
  private volatile boolean running = true;

  private BridgeServer(Path path, SocketPolicy policy, WakeUp wakeUp, BridgeObserver observer) throws SysCallException, IOException {
    this.path = path;
    this.policy = policy;
    this.wakeUp = wakeUp;
    Files.deleteIfExists(path);
    this.listenFd = UnixSockets.listen(path.toString(), 128);
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw-rw-"));
    this.loop = new EventLoop("bridge-loop");
    this.dispatcher = new Dispatcher(policy, sockets, Readiness.on(loop), new LibcHostSockets(new Scratch(loopArena)), slow, nanoClock, observer);
    this.acceptor = Thread.ofPlatform().name("bridge-accept").daemon(true).unstarted(this::acceptLoop);
  }

  /** Listens on {@code path} and starts answering. */
  public static BridgeServer start(Path path, SocketPolicy policy, WakeUp wakeUp) throws IOException {
    return start(path, policy, wakeUp, BridgeObserver.NONE);
  }

  /** Listens on {@code path} and starts answering; {@code observer} hears of every answer and connect. */
  public static BridgeServer start(Path path, SocketPolicy policy, WakeUp wakeUp, BridgeObserver observer) throws IOException {
    java.util.Objects.requireNonNull(observer, "observer");
    try {
      BridgeServer s = new BridgeServer(path, policy, wakeUp, observer);
      s.loop.start();
      s.acceptor.start();
      s.reaper.scheduleWithFixedDelay(new SocketReaper(s.sockets, policy, s.nanoClock), 1, 1, TimeUnit.SECONDS);
      log.info("[bridge] waiting for ax run on {}", path);
      return s;
    } catch (SysCallException e) {
      throw new IOException("cannot serve the bridge on " + path + ": " + e.getMessage(), e);
    }
  }

  /** The longest pause between accepts while the process is out of fds or memory. */
  static final long MAX_ACCEPT_BACKOFF_MS = 1000;

  private void acceptLoop() {
    long backoffMs = 0;
    long lastWarning = System.nanoTime() - TimeUnit.SECONDS.toNanos(10);
    while (running) {
      int conn;
      try {
        conn = UnixSockets.accept(listenFd);
        backoffMs = 0;
      } catch (SysCallException e) {
        if (!running) {
          return;
        }
        if (e.errno() == Errno.EINTR || e.errno() == Errno.EAGAIN || e.errno() == Errno.ECONNABORTED) {
          continue;
        }
        if (e.errno() == Errno.EBADF || e.errno() == Errno.EINVAL || e.errno() == Errno.ENOTSOCK) {
          log.error("[bridge] accept failed: {}; no more apps can register", e.getMessage());
          return;
        }
        // Out of fds (EMFILE, ENFILE: another listener's clients may hold them all), buffers or
        // memory: the launcher waits in the backlog; try again, slower each time, and recover
        // once the resources are back instead of giving up for good.
        backoffMs = Math.min(MAX_ACCEPT_BACKOFF_MS, Math.max(10, backoffMs * 2));
        if (System.nanoTime() - lastWarning > TimeUnit.SECONDS.toNanos(10)) {
          lastWarning = System.nanoTime();
          log.warn("[bridge] accept failed: {}; apps wait to register until it succeeds (retrying every {} ms at most)", e.getMessage(), MAX_ACCEPT_BACKOFF_MS);
        }
        try {
          Thread.sleep(backoffMs);
        } catch (InterruptedException ie) {
          return;
        }
        continue;
      }
      // A platform thread: the handshake blocks in recvmsg, which would pin a virtual thread's carrier.
      Thread.ofPlatform().name("bridge-handshake").daemon(true).start(() -> handshake(conn));
    }
  }

  /**
   * What a handshake in progress has taken, given back if it fails before a session owns it.
   * Confined to the handshake's thread.
   */
  private static final class Taken {
    private final Deque<Runnable> releases = new ArrayDeque<>();
    private Admission admission = new Admission.None();

    void release(Runnable release) {
      releases.push(release);
    }

    /** Gives back what was taken, last first. */
    void releaseAll() {
      while (!releases.isEmpty()) {
        releases.pop().run();
      }
    }
  }

  /** Whether a handshake admitted a new app, to undo if it fails before the end. */
  private sealed interface Admission {
    record None() implements Admission {}

    record NewApp(String appId) implements Admission {}
  }

  /** Registers one launcher: header, admission, listener, session; or a refusal it can read. */
  private void handshake(int conn) {
    Taken taken = new Taken();
    try {
      UnixSockets.PeerCredentials peer = UnixSockets.peerCredentials(conn);
      UnixSockets.setReceiveTimeout(conn, HANDSHAKE_TIMEOUT_SECONDS);
      String header = readHeader(conn);
      Registration reg = Registrations.parse(header, peer, UnixSockets.peerGroups(conn));
      FdRange fdRange = Registrations.fdRange(header);
      Optional<AppSession> live = liveSessionOf(reg, peer);
      Optional<AppGrant> grant = admit(conn, reg);
      if (grant.isEmpty()) {
        return; // refused by the policy, and told so
      }
      String appId = grant.get().appId();
      if (live.isEmpty()) {
        taken.admission = new Admission.NewApp(appId); // never undo an app that has a live session
      }
      String ip = new Inet4Endpoint(grant.get().appIp(), 0).toString();
      reply(conn, "ok appid=" + appId + " ip=" + ip.substring(0, ip.lastIndexOf(':')));
      SeccompListener listener = receiveListener(conn, appId);
      taken.release(listener::close);
      AppSession session = new AppSession(appId, listener, conn, peer.pid(), peer.uid(), fdRange);
      AppReceiver receiver = new AppReceiver(session, dispatcher);
      taken.release(receiver::discard);
      // The last word of the handshake goes first: once the session is published it owns the
      // connection and the listener, and nothing here may close them any more.
      reply(conn, "ok");
      serve(session, receiver, reg);
    } catch (Registrations.BadHeaderException e) {
      taken.releaseAll();
      refuse(conn, taken.admission, e.getMessage());
    } catch (SysCallException e) {
      taken.releaseAll();
      refuse(conn, taken.admission, e.errno() == Errno.EAGAIN ? "registration timed out" : "registration failed: " + e.getMessage());
    } catch (RuntimeException e) {
      log.error("[bridge] registration failed", e);
      taken.releaseAll();
      refuse(conn, taken.admission, "internal error; the daemon log has the details");
    }
  }

  /**
   * The live session of the app that {@code reg} names again, if any. App ids are public (GET
   * /apps): another user must not take over or end an app.
   */
  private Optional<AppSession> liveSessionOf(Registration reg, UnixSockets.PeerCredentials peer) throws Registrations.BadHeaderException {
    Optional<AppSession> live = reg.appId().isEmpty() ? Optional.empty() : Optional.ofNullable(sessions.get(reg.appId()));
    if (live.isPresent() && live.get().uid() != peer.uid()) {
      throw new Registrations.BadHeaderException("app " + reg.appId() + " belongs to another user");
    }
    return live;
  }

  /** Asks the policy; a refusal is answered and the connection closed (then empty). */
  private Optional<AppGrant> admit(int conn, Registration reg) throws SysCallException {
    try {
      return Optional.of(policy.register(reg));
    } catch (SocketPolicy.RegistrationRefusedException e) {
      reply(conn, "error " + oneLine(e.getMessage()));
      Libc.close(conn);
      return Optional.empty();
    }
  }

  /** The launcher's second message: one seccomp listener fd, which we then own. */
  private SeccompListener receiveListener(int conn, String appId) throws SysCallException, Registrations.BadHeaderException {
    UnixSockets.Received msg = UnixSockets.receive(conn, 64);
    String text = new String(msg.data(), StandardCharsets.UTF_8);
    if (!text.equals("listener\n") || msg.fds().size() != 1 || !isSeccompListener(msg.fds().getFirst())) {
      msg.fds().forEach(Libc::close);
      throw new Registrations.BadHeaderException("expected 'listener' with one seccomp listener fd, got '" + oneLine(text) + "' with " + msg.fds().size() + " fds");
    }
    SeccompListener listener = new SeccompListener(msg.fds().getFirst());
    if (wakeUp == WakeUp.SYNC) {
      try {
        listener.enableSyncWakeUp();
      } catch (SysCallException e) {
        log.warn("[bridge] app {}: no SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP ({}); calls will be slower", appId, e.getMessage());
      }
    }
    return listener;
  }

  /**
   * Publishes the session (ending one it replaces), watches the supervisor's connection and
   * starts answering. From here the session owns the connection and the listener.
   */
  private void serve(AppSession session, AppReceiver receiver, Registration reg) {
    String appId = session.appId();
    session.onClose(receiver::stop);
    AppSession previous = sessions.put(appId, session);
    if (previous != null) {
      previous.close();
    }
    long token = loop.nextToken();
    try {
      loop.add(token, session.connectionFd(), Sys.EPOLLIN | EPOLLRDHUP, ev -> onConnection(session, token));
    } catch (SysCallException e) {
      sessions.remove(appId, session);
      receiver.discard();
      session.close();
      policy.unregister(appId);
      log.error("[bridge] app {}: cannot watch its supervisor: {}", appId, e.getMessage());
      return;
    }
    receiver.start();
    log.info("[bridge] app {} ({}) registered by pid {} uid {}", appId, reg.name().isEmpty() ? "no name" : reg.name(), session.supervisorPid(), session.uid());
  }

  /** Whether {@code fd} is a seccomp user-notification listener, not some other fd passed off as one. */
  private static boolean isSeccompListener(int fd) {
    try {
      return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString().equals("anon_inode:seccomp notify");
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  private void refuse(int conn, Admission admission, String message) {
    log.warn("[bridge] refused a registration: {}", message);
    try {
      reply(conn, "error " + oneLine(message));
    } catch (SysCallException ignored) {
      // the launcher has gone already
    }
    Libc.close(conn);
    if (admission instanceof Admission.NewApp app && !sessions.containsKey(app.appId())) {
      policy.unregister(app.appId());
    }
  }

  private static String readHeader(int conn) throws SysCallException, Registrations.BadHeaderException {
    StringBuilder header = new StringBuilder();
    while (!header.toString().endsWith("\n\n")) {
      UnixSockets.Received r = UnixSockets.receive(conn, 4096);
      r.fds().forEach(Libc::close);
      if (r.data().length == 0) {
        throw new Registrations.BadHeaderException("the launcher hung up during registration");
      }
      header.append(new String(r.data(), StandardCharsets.UTF_8));
      if (header.length() > Registrations.MAX_HEADER) {
        throw new Registrations.BadHeaderException("registration header larger than " + Registrations.MAX_HEADER + " bytes");
      }
    }
    return header.toString();
  }

  private static void reply(int conn, String line) throws SysCallException {
    UnixSockets.writeAll(conn, (line + "\n").getBytes(StandardCharsets.UTF_8));
  }

  private static String oneLine(String s) {
    return s.replace('\n', ' ').replace('\r', ' ');
  }

  private void onConnection(AppSession session, long token) {
    UnixSockets.Received r;
    try {
      r = UnixSockets.receive(session.connectionFd(), 256);
      r.fds().forEach(Libc::close);
      if (r.data().length > 0) {
        return; // the protocol has nothing more to say; ignore chatter
      }
    } catch (SysCallException e) {
      if (e.errno() == Errno.EAGAIN || e.errno() == Errno.EINTR) {
        return;
      }
    }
    loop.remove(session.connectionFd(), token);
    end(session);
  }

  private void end(AppSession session) {
    if (!sessions.remove(session.appId(), session)) {
      session.close();
      return;
    }
    session.close();
    sockets.removeApp(session.appId());
    slow.execute(() -> policy.unregister(session.appId()));
    log.info("[bridge] app {} exited", session.appId());
  }

  /**
   * Takes over a socket that an app published before the daemon restarted (from the saved
   * state), so its closing is noticed and getsockname shows its virtual address.
   */
  public void adoptPublished(String appId, long inode, SocketPolicy.Transport transport, Inet4Endpoint virtual, Inet4Endpoint real) {
    SocketState s = sockets.getOrCreate(appId, inode, 0, transport);
    s.bound(virtual, real);
    s.publish(nanoClock.getAsLong());
  }

  /**
   * Stops answering. Apps keep running: their supervisors hold the listeners, their calls wait,
   * and they register again with the next daemon.
   */
  @Override
  public void close() {
    running = false;
    Libc.close(listenFd);
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      log.warn("[bridge] could not remove {}: {}", path, e.getMessage());
    }
    loop.close();
    try {
      loopArena.close();
    } catch (IllegalStateException e) {
      // The loop did not stop in time and is still in a call on its scratch: the memory stays.
      log.warn("[bridge] the event loop is still busy; its scratch memory is left to the process");
    }
    reaper.shutdownNow();
    slow.shutdown();
    sessions.values().forEach(AppSession::close);
    sessions.clear();
  }
}
