package io.ax.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code ax} command lines that fail before any daemon is needed: usage errors exit 2, refused
 * actions exit 1, each with one line on stderr and nothing on stdout. No case reaches a daemon:
 * where a bug could let one through, {@code --admin} points at a socket that does not exist.
 * The timeout guards against a regression that would start {@code ax daemon} for real.
 */
@Timeout(30)
class AxCommandLineTest {
  private static final String NO_SOCKET = "/nonexistent/admin.sock";

  record Result(int exit, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Ax.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(exit, out.toString(), err.toString());
  }

  @ParameterizedTest(name = "ax {0}")
  @CsvSource(delimiter = '|', textBlock = """
      --bogus                                                     | 2 | ax: Unknown option: '--bogus'
      get apps --bogus --admin /nonexistent/admin.sock            | 2 | ax get: Unknown option: '--bogus'
      get                                                         | 2 | RESOURCE
      create vservice --ip 1.2.3.4 --ports 80                     | 2 | NAME
      daemon --rest-port eighty                                   | 2 | --rest-port
      daemon --neighbors 10.0.0.300                               | 1 | --neighbors
      daemon --neighbors 10.0.0.1:99999                           | 1 | --neighbors: '10.0.0.1:99999' has no valid port
      daemon --neighbors 10.0.0.1 --gossip-port 65500             | 1 | --gossip-port: port 65500 is out of range
      daemon --tls                                                | 1 | --tls: secures the traffic between daemons of a cluster
      daemon --locality us-east/a/rack1/x                         | 1 | --locality: 'us-east/a/rack1/x' is not a locality (expected region/zone/subzone)
      daemon --neighbors 10.0.0.1 --tls                           | 1 | --tls: needs --tls-ca-cert, --tls-cert and --tls-key
      daemon --neighbors 10.0.0.1 --tls-cert /c.pem               | 1 | --tls-cert: is given but --tls is not
      daemon --neighbors 10.0.0.1 --tls --tls-ca-cert /nonexistent/ca.pem --tls-cert /c --tls-key /k | 1 | --tls-ca-cert: cannot read /nonexistent/ca.pem: no such file
      daemon --dns-servers 8.8.8.8:99999                          | 1 | --dns-servers
      daemon --driver kernel                                      | 1 | --driver: 'kernel' is not supported
      daemon --metrics-port 70000                                 | 1 | --metrics-port: port 70000 is out of range
      daemon --metrics-address 10.0.0                             | 1 | --metrics-address
      daemon --claims-policy /nonexistent/claims.policy           | 1 | --claims-policy: cannot read /nonexistent/claims.policy
      get apps --admin /nonexistent/admin.sock                    | 1 | no admin socket at /nonexistent/admin.sock
      delete vservice web --admin /nonexistent/admin.sock         | 1 | no admin socket at /nonexistent/admin.sock
      get apps --admin localhost:http                             | 1 | --admin: 'http' is not a port
      get apps --admin nohostnoport                               | 1 | --admin: 'nohostnoport' is neither a socket path nor HOST:PORT
      get bogus --admin /nonexistent/admin.sock                   | 1 | unknown resource 'bogus'
      get apps -o xml --admin /nonexistent/admin.sock             | 1 | -o: unknown output format 'xml'
      create vservice x --ip 1.2.3 --ports 80 --admin /nonexistent/admin.sock             | 1 | ax create vservice: --ip: '1.2.3'
      create vservice Web --ip 1.2.3.4 --ports 80 --admin /nonexistent/admin.sock         | 1 | NAME: 'Web' is not a valid name
      create vservice x --ip 0.0.0.0 --ports 80 --admin /nonexistent/admin.sock           | 1 | --ip: 0.0.0.0
      create vservice x --ip 1.2.3.4 --ports 0 --admin /nonexistent/admin.sock            | 1 | --ports: port 0
      create vservice x --ip 1.2.3.4 --ports 80:x --admin /nonexistent/admin.sock         | 1 | --ports: 'x' is not a port
      create vservice x --ip 1.2.3.4 --ports 80,80 --admin /nonexistent/admin.sock        | 1 | --ports: vport 80 is mapped twice
      create vservice x --ip 1.2.3.4 --ports 80 --lbtype Weighted --admin /nonexistent/admin.sock | 1 | --lbtype: unknown load balancer type 'Weighted'
      create vservice x --ip 1.2.3.4 --ports 80 --backends 10.0.0.5,10.0.0 --admin /nonexistent/admin.sock | 1 | --backends: '10.0.0'
      create vservice x --ip 1.2.3.4 --ports 80 --source-ip 1.2 --admin /nonexistent/admin.sock | 1 | --source-ip: '1.2'
      create vservice x --ip 1.2.3.4 --ports 80 --connect-timeout 5sec --admin /nonexistent/admin.sock | 1 | --connect-timeout: '5sec' is not a duration (expected a number and ms, s or m, e.g. 500ms or 2s)
      create vservice x --ip 1.2.3.4 --ports 80 --connect-timeout 2h --admin /nonexistent/admin.sock | 1 | --connect-timeout: '2h' is not a duration
      create vservice x --ip 1.2.3.4 --ports 80 --connect-timeout 0ms --admin /nonexistent/admin.sock | 1 | --connect-timeout: '0ms' is outside 1ms-3600s
      create vservice x --ip 1.2.3.4 --ports 80 --max-connections 0 --admin /nonexistent/admin.sock | 1 | --max-connections: 0 is not a connection limit (expected at least 1)
      create vservice x --ip 1.2.3.4 --ports 80 --outlier-max-percent 50 --admin /nonexistent/admin.sock | 1 | give --outlier-failures too
      create vservice x --ip 1.2.3.4 --ports 80 --outlier-failures 2 --outlier-max-percent 101 --admin /nonexistent/admin.sock | 1 | --outlier-max-percent: 101 is outside 1-100
      create vservice x --ip 1.2.3.4 --ports 80 --connect-timeout 300ms --max-connections 2 --outlier-failures 2 --admin /nonexistent/admin.sock | 1 | no admin socket at /nonexistent/admin.sock
      create vservice x --ip 1.2.3.4 --ports 80 --admin /nonexistent/admin.sock           | 1 | no admin socket at /nonexistent/admin.sock
      run -- ls                                                   | 1 | native launcher
      """)
  void run_commandFailsBeforeAnyDaemon_oneLineOnStderrAndExitCode(String line, int exit, String said) {
    assertFailsWithOneLine(line.split(" "), exit, said);
  }

  @Test
  void daemon_claimsPolicyWithABadRule_oneLineNamingFileAndLine(@TempDir Path dir) throws Exception {
    Path policy = Files.writeString(dir.resolve("claims.policy"), "# ok\n*  label  zone=default\n*  lable  role=prod\n");

    assertFailsWithOneLine(new String[] {"daemon", "--claims-policy", policy.toString()}, 1,
        "ax daemon: --claims-policy: " + policy + ":3: unknown KIND 'lable' (expected label, ip or name)");
  }

  private static void assertFailsWithOneLine(String[] args, int exit, String said) {
    Result r = run(args);

    assertThat(r.exit()).as(r.err()).isEqualTo(exit);
    assertThat(r.err().lines()).as(r.err()).singleElement().satisfies(l -> assertThat(l).startsWith("ax").contains(said));
    assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(r.out()).isEmpty();
  }

  /**
   * {@code --ports} is the flag AppSwitch documents and {@code --help} lists first; {@code --expose}
   * is only an alias. picocli names an option by its longest name, so the error must not say
   * {@code --expose} to a user who has never typed it.
   */
  @Test
  void run_createWithoutPorts_usageErrorNamesPorts() {
    Result r = run("create", "vservice", "x", "--ip", "1.2.3.4", "--admin", NO_SOCKET);

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("Missing required option: '--ports").doesNotContain("--expose");
  }

  @Test
  void run_usageError_pointsAtTheCommandsHelp() {
    Result r = run("get", "apps", "--bogus");

    assertThat(r.err()).contains("(see 'ax get --help')");
  }

  @Test
  void run_daemonWithFederationFlagButNoGatewayIp_saysWhatIsMissing() {
    Result r = run("daemon", "--federation-gateway-port", "6660");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("ax daemon: --federation-gateway-port: configures a federation gateway; give --federation-gateway-ip too\n");
  }

  @Test
  void run_federationGatewayWithoutClusterName_isRefused() {
    Result r = run("daemon", "--federation-gateway-ip", "127.0.0.1");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).startsWith("ax daemon: --cluster: a federation gateway needs its cluster's name");
  }

  @Test
  void run_daemonEgressGatewayWithoutACluster_saysItNeedsOne() {
    Result r = run("daemon", "--egress-gateway");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("ax daemon: --egress-gateway: carries the connections of the cluster's other nodes; give --neighbors or --gossip-auto-discover too\n");
  }

  @Test
  void run_help_usageOnStdoutListingTheCommands() {
    Result r = run("--help");

    assertThat(r.exit()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).startsWith("Usage: ax").contains("daemon", "get", "create", "delete", "completion", "Run 'ax COMMAND --help'");
  }

  @Test
  void run_daemonHelp_showsUnbuiltFlagsToo() {
    Result r = run("daemon", "--help");

    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("--neighbors", "--rest-port", "(default: 6664)", "--run-dir");
  }

  @Test
  void run_createVServiceHelp_showsTheExample() {
    Result r = run("create", "vservice", "--help");

    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("ax create vservice --ip 1.1.1.1 --backends 10.0.2.15 --ports 8000:10000 myvsvc");
  }

  @Test
  void run_version_namesAxAndJava() {
    Result r = run("--version");

    assertThat(r.exit()).isZero();
    assertThat(r.out()).startsWith("ax ").contains("Java " + Runtime.version().feature());
  }

  @Test
  void run_completion_printsAScriptForAx() {
    Result r = run("completion");

    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("complete").contains("vservices");
    assertThat(r.err()).isEmpty();
  }
}
