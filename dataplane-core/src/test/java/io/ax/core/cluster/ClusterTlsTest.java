package io.ax.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ax.core.field.InvalidFieldException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterTlsTest {
  @TempDir static Path dir;
  static TestPki pki;
  static TestPki.Ca ca;
  static TestPki.Ca otherCa;
  static TestPki.NodeFiles node;
  static TestPki.NodeFiles foreign;

  @BeforeAll
  static void certificates() {
    pki = new TestPki(dir);
    ca = pki.ca("ca");
    otherCa = pki.ca("other-ca");
    node = pki.node(ca, "node1");
    foreign = pki.node(otherCa, "intruder");
  }

  @Test
  void load_caSignedCertificateAndItsKey_givesATls13Context() {
    SSLContext ctx = ClusterTls.load(node.ca(), node.cert(), node.key());

    assertThat(ctx.getProtocol()).isEqualTo("TLSv1.3");
  }

  @Test
  void load_certificateOfAnotherCa_isRefusedNamingTheCa() {
    assertThatThrownBy(() -> ClusterTls.load(ca.cert(), foreign.cert(), foreign.key()))
        .isInstanceOf(InvalidFieldException.class)
        .hasMessage("--tls-cert: " + foreign.cert() + " (CN=intruder) is not signed by a CA in --tls-ca-cert " + ca.cert());
  }

  @Test
  void load_keyOfAnotherCertificate_isRefused() {
    assertThatThrownBy(() -> ClusterTls.load(node.ca(), node.cert(), foreign.key()))
        .hasMessage("--tls-key: " + foreign.key() + " is not the key of --tls-cert (CN=node1)");
  }

  @Test
  void load_pkcs1Key_isRefusedWithTheConversionCommand() {
    Path rsa = pki.pkcs1RsaKey("old");

    assertThatThrownBy(() -> ClusterTls.load(node.ca(), node.cert(), rsa))
        .hasMessage("--tls-key: " + rsa + " holds a RSA PRIVATE KEY; convert it to an unencrypted PKCS#8 key: openssl pkcs8 -topk8 -nocrypt -in " + rsa + " -out " + rsa + ".pk8");
  }

  @Test
  void load_expiredCertificate_isRefusedWithItsDate() {
    Path expired = pki.expiredCert("old-node");

    assertThatThrownBy(() -> ClusterTls.load(node.ca(), expired, node.key()))
        .hasMessageStartingWith("--tls-cert: " + expired + " (CN=old-node) expired on ");
  }

  @Test
  void load_missingOrNonPemFiles_areRefusedNamingTheFlag() throws Exception {
    Path text = Files.writeString(dir.resolve("notes.txt"), "not a certificate\n");

    assertThatThrownBy(() -> ClusterTls.load(dir.resolve("none.pem"), node.cert(), node.key()))
        .hasMessage("--tls-ca-cert: cannot read " + dir.resolve("none.pem") + ": no such file");
    assertThatThrownBy(() -> ClusterTls.load(node.ca(), text, node.key()))
        .hasMessage("--tls-cert: " + text + " holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)");
    assertThatThrownBy(() -> ClusterTls.load(node.ca(), node.cert(), text))
        .hasMessage("--tls-key: " + text + " holds no PEM private key (expected -----BEGIN PRIVATE KEY-----)");
  }
}
