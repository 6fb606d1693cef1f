package io.ax.it;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs programs under the real native launcher ({@code ax-run}, what {@code ax run} executes)
 * against a real daemon, and reads the daemon's view over REST.
 */
final class AxRun {
  static final Path LAUNCHER = Path.of(System.getProperty("ax.run", "../syscall-bridge/target/native/ax-run")).toAbsolutePath();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private final AxProcess.Daemon daemon;

  AxRun(AxProcess.Daemon daemon) {
    this.daemon = daemon;
  }

  List<String> command(List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(LAUNCHER.toString());
    cmd.addAll(args);
    return cmd;
  }

  ProcessBuilder builder(List<String> args) {
    ProcessBuilder pb = new ProcessBuilder(command(args));
    pb.environment().put("AX_RUN_DIR", daemon.runDir.toString());
    return pb;
  }

  /** Starts {@code ax run ARGS} in the background, output to {@code log}. */
  Process start(Path log, String... args) {
    try {
      return builder(List.of(args)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs {@code ax run ARGS} to completion (at most {@code timeout}). */
  AxProcess.Result run(Duration timeout, String... args) {
    return run(builder(List.of(args)), timeout);
  }

  static AxProcess.Result run(ProcessBuilder pb, Duration timeout) {
    try {
      Path out = Files.createTempFile("ax-run-out", ".txt");
      Path err = Files.createTempFile("ax-run-err", ".txt");
      try {
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        p.getOutputStream().close();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly();
          throw new AssertionError(String.join(" ", pb.command()) + " did not finish within " + timeout + "; stderr: " + Files.readString(err));
        }
        return new AxProcess.Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The daemon's service table over REST. */
  JsonNode servers() {
    return get("servers").get("servers");
  }

  JsonNode get(String resource) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(daemon.restUrl(resource))).GET().build(), HttpResponse.BodyHandlers.ofString());
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** How many service table entries serve {@code serviceAddr} (e.g. "198.18.1.1:8000"). */
  int serversAt(String serviceAddr) {
    JsonNode servers = servers();
    int n = 0;
    if (servers != null) {
      for (JsonNode s : servers) {
        JsonNode a = s.get("service_addr");
        if ((a.get("ip").asText() + ":" + a.get("port").asInt()).equals(serviceAddr)) {
          n++;
        }
      }
    }
    return n;
  }

  /** Waits until {@code count} entries serve {@code serviceAddr}. */
  void awaitServers(String serviceAddr, int count, Process... watched) {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
      for (Process p : watched) {
        if (!p.isAlive()) {
          throw new AssertionError("a server under ax run exited with " + p.exitValue() + " before serving " + serviceAddr);
        }
      }
      return serversAt(serviceAddr) == count;
    });
  }

  /** This node's IP, as the daemon sees it. */
  String nodeIp() {
    return get("nodes").get("nodes").get(0).get("ip").asText();
  }

  /** Stops a program under ax run (SIGTERM to the supervisor, which forwards it) and waits. */
  static void stop(Process p) {
    p.destroy();
    try {
      if (!p.waitFor(15, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
