package io.ax.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 17, points 3 and 2, with a real non-root user that the test creates ({@code ax-it-XXXXXX},
 * removed afterwards): identity in the mesh is not the launcher's word. The user is refused
 * root's label (role=prod), the vIP and the name of root's live app, each with one line naming
 * the value and the rule; it may claim its own namespace and what the policy file grants; and,
 * across a daemon restart, racing root's supervisor for its restored app id (or its vIP) is
 * refused while the real owner gets the app back.
 */
class ClaimsIT {
  private static final Logger log = LoggerFactory.getLogger(ClaimsIT.class);
  private static final Duration RUN_TIMEOUT = Duration.ofSeconds(30);
  private static final String VIP = "198.18.7.1";
  private static final int PORT = 18080;
  private static final String NAME = "claims-web";

  @TempDir static Path tmp;
  private static String user;
  private static Path launcher;

  @BeforeAll
  static void createUser() throws Exception {
    user = "ax-it-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);
    log.info("[claims-it] creating user {}", user);
    run(List.of("useradd", "--no-create-home", "--user-group", "--shell", "/usr/sbin/nologin", user));
    // The user reaches bridge.sock, the launcher and its scripts: everything under tmp is
    // readable, and the launcher is a copy (the build tree's modes depend on the umask).
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    launcher = Files.copy(AxRun.LAUNCHER, tmp.resolve("ax-run"), StandardCopyOption.REPLACE_EXISTING);
    Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @AfterAll
  static void removeUser() throws Exception {
    if (user != null) {
      // The user's programs were short and waited for; the user and its group go.
      run(List.of("userdel", user));
    }
  }

  @Test
  void nonRootUser_refusedRootsLabelVipAndName_allowedItsOwn_andCannotTakeARestoredAppId() throws Exception {
    Path policy = Files.writeString(tmp.resolve("claims.policy"), """
        # the built-in rules, and one label granted to the test's user
        *  label  zone=default
        *  ip     0.0.0.0/0
        *  name   *
        user:%s  label  team=it-granted
        """.formatted(user));
    Path site = RunIT.site(tmp, "prod");
    Path run = tmp.resolve("run");
    AxProcess.Daemon first = new AxProcess.Daemon(run).start("--claims-policy", policy.toString());
    AxProcess.Daemon second = null;
    AxRun ax = new AxRun(first);
    Process server = ax.start(tmp.resolve("server.log"), "--ip", VIP, "--name", NAME, "--labels", "role=prod",
        "--", RunIT.PYTHON, "-m", "http.server", Integer.toString(PORT), "--directory", site.toString());
    try {
      ax.awaitServers(VIP + ":" + PORT, 1, server);

      // (a) Root's label, root's live vIP, root's name: one line each, naming the value and the rule.
      assertRefused(asUser(run, "--labels", "role=prod", "--", "true"),
          "--labels: 'role=prod' is not yours to claim: user " + user + " (uid ", "may claim labels '" + user + "/KEY=VALUE' and those " + policy + " grants it");
      assertRefused(asUser(run, "--labels", user + "/x=y", "--ip", VIP, "--", "true"),
          "--ip: " + VIP + " is held by app ", "'" + NAME + "' of uid 0", "only through a 'ip ... join' rule in " + policy);
      assertRefused(asUser(run, "--labels", user + "/x=y", "--name", NAME, "--", "true"),
          "--name: '" + NAME + "' is held by app ", "only through a 'name ... join' rule in " + policy);
      assertThat(ax.serversAt(VIP + ":" + PORT)).as("root's app still serves alone").isEqualTo(1);

      // (b) Its own namespace, a granted label, a free vIP and name.
      AxProcess.Result own = asUser(run, "--labels", user + "/role=prod,team=it-granted,zone=default", "--ip", "198.18.7.2", "--name", user + "-web", "--", "true");
      assertThat(own.exit()).as("own claims; stderr: %s", own.err()).isZero();

      // (c) The daemon dies; root's supervisor is held back (SIGSTOP) while the user races for
      // the restored app's id, and for its vIP, at the new daemon.
      String appId = appIdOf(ax, NAME);
      first.kill();
      signal("STOP", server.pid());
      AxProcess.Daemon restarted = new AxProcess.Daemon(run).start("--claims-policy", policy.toString());
      second = restarted;
      AxRun ax2 = new AxRun(restarted);
      assertThat(appIdOf(ax2, NAME)).as("restored").isEqualTo(appId);

      AxProcess.Result race = AxRun.run(asUserCommand(List.of(RunIT.PYTHON, hostileRegistration().toString(), run.resolve("bridge.sock").toString(), appId)), RUN_TIMEOUT);
      assertThat(race.out().strip()).isEqualTo("error app id: '" + appId + "' belongs to another user");
      assertRefused(asUser(run, "--labels", user + "/x=y", "--ip", VIP, "--", "true"), "--ip: " + VIP + " is held by app " + appId + " '" + NAME + "' of uid 0");

      signal("CONT", server.pid());
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
          .until(() -> restarted.logText().contains("app " + appId + " (" + NAME + ") registered by pid"));
      assertThat(appIdOf(ax2, NAME)).isEqualTo(appId);
      ax2.awaitServers(VIP + ":" + PORT, 1, server);
      AxProcess.Result client = ax2.run(RUN_TIMEOUT, "--labels", "role=prod", "--", "curl", "-s", "--max-time", "10", VIP + ":" + PORT + "/id.txt");
      assertThat(client.out()).as("root's prod server, back with its owner; stderr: %s", client.err()).isEqualTo("prod\n");
    } finally {
      signal("CONT", server.pid());
      AxRun.stop(server);
      first.close();
      if (second != null) {
        second.close();
      }
    }
  }

  /** {@code ax run ARGS} as the test's user, to completion. */
  private static AxProcess.Result asUser(Path runDir, String... args) {
    List<String> cmd = new ArrayList<>(List.of(launcher.toString(), "--new-netns=false"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = asUserCommand(cmd);
    pb.environment().put("AX_RUN_DIR", runDir.toString());
    return AxRun.run(pb, RUN_TIMEOUT);
  }

  private static ProcessBuilder asUserCommand(List<String> cmd) {
    List<String> all = new ArrayList<>(List.of("setpriv", "--reuid", user, "--regid", user, "--init-groups", "--"));
    all.addAll(cmd);
    return new ProcessBuilder(all).directory(tmp.toFile());
  }

  /** A refusal: exit status not 0 and one line on stderr with every part, no stack trace. */
  private static void assertRefused(AxProcess.Result r, String... parts) {
    log.info("[claims-it] refused: {}", r.err().strip());
    assertThat(r.exit()).as("refused; stderr: %s", r.err()).isNotZero();
    List<String> lines = r.err().lines().toList();
    assertThat(lines).as("one line: %s", r.err()).hasSize(1);
    for (String part : parts) {
      assertThat(lines.getFirst()).contains(part);
    }
    assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  /**
   * A hostile launcher: speaks the bridge's registration (what the real one sends) under a
   * given app id and prints the daemon's first answer.
   */
  private static Path hostileRegistration() throws Exception {
    Path script = tmp.resolve("register-as.py");
    if (!Files.exists(script)) {
      Files.writeString(script, """
          import os, socket, sys
          s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
          s.connect(sys.argv[1])
          header = "version=1\\npid=%d\\nip=\\nname=\\nlabels=zone=default\\nuser=\\nnetns=host\\nappid=%s\\n\\n" % (os.getpid(), sys.argv[2])
          s.sendall(header.encode())
          print(s.makefile().readline().strip())
          """);
      Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
    }
    return script;
  }

  private static String appIdOf(AxRun ax, String name) {
    for (JsonNode a : ax.get("apps").get("apps")) {
      if (a.get("name").asText().equals(name)) {
        return a.get("app_id").asText();
      }
    }
    throw new AssertionError("no app named " + name + " in " + ax.get("apps"));
  }

  private static void signal(String sig, long pid) throws Exception {
    new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).start().waitFor();
  }

  private static void run(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new AssertionError(String.join(" ", cmd) + " failed: " + out);
    }
  }
}
