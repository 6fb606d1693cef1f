package io.ax.core.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real certificates for tests, made with the openssl command (installed by ci/install-deps.sh):
 * EC P-256 keys in PKCS#8 PEM, as {@code --tls-key} takes them.
 */
final class TestPki {
  /** A certificate authority: its certificate and key. */
  record Ca(Path cert, Path key) {}

  /** One node's files for {@code --tls-ca-cert}, {@code --tls-cert} and {@code --tls-key}. */
  record NodeFiles(Path ca, Path cert, Path key) {}

  private final Path dir;

  TestPki(Path dir) {
    this.dir = dir;
  }

  Ca ca(String name) {
    Path cert = dir.resolve(name + ".pem");
    Path key = dir.resolve(name + ".key");
    run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=" + name);
    return new Ca(cert, key);
  }

  NodeFiles node(Ca ca, String name) {
    Path key = dir.resolve(name + ".key");
    Path csr = dir.resolve(name + ".csr");
    Path cert = dir.resolve(name + ".pem");
    run("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", key.toString(), "-out", csr.toString(), "-subj", "/CN=" + name);
    run("openssl", "x509", "-req", "-in", csr.toString(), "-CA", ca.cert().toString(), "-CAkey", ca.key().toString(),
        "-CAcreateserial", "-out", cert.toString(), "-days", "1");
    return new NodeFiles(ca.cert(), cert, key);
  }

  /** An RSA key in the traditional PKCS#1 form ("BEGIN RSA PRIVATE KEY"). */
  Path pkcs1RsaKey(String name) {
    Path key = dir.resolve(name + ".rsa");
    run("openssl", "genrsa", "-traditional", "-out", key.toString(), "2048");
    return key;
  }

  /** A self-signed certificate that expired yesterday, made with the JDK's keytool. */
  Path expiredCert(String name) {
    Path store = dir.resolve(name + ".p12");
    Path cert = dir.resolve(name + ".pem");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    run(keytool, "-genkeypair", "-keystore", store.toString(), "-storepass", "changeit", "-alias", name, "-keyalg", "EC",
        "-dname", "CN=" + name, "-startdate", "-3d", "-validity", "1");
    run(keytool, "-exportcert", "-rfc", "-keystore", store.toString(), "-storepass", "changeit", "-alias", name, "-file", cert.toString());
    return cert;
  }

  private static void run(String... command) {
    try {
      Process p = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new AssertionError(String.join(" ", command) + " failed: " + new String(out));
      }
    } catch (IOException e) {
      throw new AssertionError("cannot run " + command[0] + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
