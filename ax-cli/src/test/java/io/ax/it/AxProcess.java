package io.ax.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the packaged {@code ax.jar} as real processes: a daemon on a private run directory and
 * REST port, and CLI commands against it. The jar comes from the {@code ax.jar} system property
 * that failsafe sets; the JVM is the one running the tests (Java 25).
 */
final class AxProcess {
  private static final Path JAR = Path.of(System.getProperty("ax.jar", "target/ax.jar")).toAbsolutePath();
  private static final String JAVA = ProcessHandle.current().info().command().orElse("java");

  /** What a finished command printed and returned. */
  record Result(int exit, String out, String err) {}

  static List<String> java(String... args) {
    List<String> cmd = new ArrayList<>(List.of(JAVA, "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-jar", JAR.toString()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** Runs {@code ax ARGS} to completion. */
  static Result cli(String... args) {
    try {
      Process p = new ProcessBuilder(java(args)).start();
      p.getOutputStream().close();
      // Small outputs: read both after exit without risking a full pipe for these commands.
      byte[] out = p.getInputStream().readAllBytes();
      byte[] err = p.getErrorStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("ax " + String.join(" ", args) + " did not finish in 60 s");
      }
      return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A daemon process with its own run directory and REST port. */
  static final class Daemon implements AutoCloseable {
    final Path runDir;
    final int restPort;
    /** Its own /metrics port, so that daemons of several tests never contend for the default. */
    final int metricsPort;
    final Path log;
    private Process process;
    private List<String> prefix = List.of();

    Daemon(Path runDir) {
      this.runDir = runDir;
      this.restPort = freePort();
      this.metricsPort = freePort();
      this.log = runDir.resolveSibling(runDir.getFileName() + "-daemon.log");
    }

    Path adminSocket() {
      return runDir.resolve("admin.sock");
    }

    String restUrl(String path) {
      return "http://127.0.0.1:" + restPort + "/appswitch/v1/" + path;
    }

    /** Runs the daemon under a wrapper, e.g. {@code prlimit --nofile=200}. */
    Daemon under(String... wrapper) {
      this.prefix = List.of(wrapper);
      return this;
    }

    /**
     * Starts the daemon with extra flags and waits until its admin socket answers. It runs
     * REGISTRY_ONLY unless {@code extra} says otherwise: a test's client that runs before its
     * server must be refused, never connected to the real address it named.
     */
    Daemon start(String... extra) {
      List<String> args = new ArrayList<>(List.of("daemon", "--run-dir", runDir.toString(), "--rest-port", Integer.toString(restPort), "--node-name", "it-node"));
      if (!List.of(extra).contains("--metrics-port")) {
        args.addAll(List.of("--metrics-port", Integer.toString(metricsPort)));
      }
      if (!List.of(extra).contains("--outbound-traffic-policy")) {
        args.addAll(List.of("--outbound-traffic-policy", "REGISTRY_ONLY"));
      }
      args.addAll(List.of(extra));
      try {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(java(args.toArray(String[]::new)));
        process = new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
        if (!process.isAlive()) {
          throw new AssertionError("daemon exited with " + process.exitValue() + ":\n" + Files.readString(log));
        }
        return Files.exists(adminSocket()) && cli("get", "nodes", "--admin", adminSocket().toString()).exit() == 0;
      });
      return this;
    }

    /** SIGTERM, as an operator's stop: the daemon shuts down cleanly. */
    int stop() {
      process.destroy();
      return waitExit();
    }

    /** SIGKILL: nothing runs on the way out. */
    void kill() {
      process.destroyForcibly();
      waitExit();
    }

    boolean isAlive() {
      return process != null && process.isAlive();
    }

    /** The daemon's pid (its wrapper's, under {@link #under}: prlimit execs the program, so the same). */
    long pid() {
      return process.pid();
    }

    String logText() {
      try {
        return Files.exists(log) ? Files.readString(log) : "";
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private int waitExit() {
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new AssertionError("daemon did not stop in 30 s");
        }
        return process.exitValue();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }

    /** Runs {@code ax ARGS --admin SOCKET}. */
    Result ax(String... args) {
      List<String> all = new ArrayList<>(List.of(args));
      all.addAll(List.of("--admin", adminSocket().toString()));
      return cli(all.toArray(String[]::new));
    }

    @Override
    public void close() {
      if (isAlive()) {
        kill();
      }
    }
  }

  /**
   * A long-running {@code ax} command other than the daemon ({@code ax pilot}, {@code ax agent}),
   * with its output in a log file.
   */
  static final class Background implements AutoCloseable {
    final Path log;
    private final String name;
    private final Process process;

    Background(Path log, String... args) {
      this.log = log;
      this.name = "ax " + String.join(" ", args);
      try {
        process = new ProcessBuilder(java(args))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Waits until the log holds a line matching {@code regex}; fails if the process exits first. */
    Background awaitLog(String regex, Duration atMost) {
      java.util.regex.Pattern pattern = java.util.regex.Pattern.compile(regex, java.util.regex.Pattern.MULTILINE);
      await().atMost(atMost).pollInterval(Duration.ofMillis(50)).until(() -> {
        String text = logText();
        if (!process.isAlive() && !pattern.matcher(text).find()) {
          throw new AssertionError(name + " exited with " + process.exitValue() + ":\n" + text);
        }
        return pattern.matcher(text).find();
      });
      return this;
    }

    String logText() {
      try {
        return Files.exists(log) ? Files.readString(log) : "";
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** SIGTERM; returns the exit code. */
    int stop() {
      process.destroy();
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new AssertionError(name + " did not stop in 30 s");
        }
        return process.exitValue();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }

    @Override
    public void close() {
      if (process.isAlive()) {
        process.destroyForcibly();
      }
    }
  }
}
