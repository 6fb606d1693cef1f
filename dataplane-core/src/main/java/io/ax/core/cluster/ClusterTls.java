package io.ax.core.cluster;

import io.ax.core.field.InvalidFieldException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Mutual TLS between daemons ({@code --tls}) from PEM files, as operators get them from openssl,
 * cert-manager or a Kubernetes secret: the CA's certificates, this node's certificate (optionally
 * followed by its chain) and its PKCS#8 key. Only the given CA is trusted, never the JDK's
 * defaults: a certificate from any public CA must not let a node into the cluster. Everything is
 * checked when the daemon starts, each problem in one line naming the flag, because a TLS failure
 * found later shows only as peers that never join.
 */
public final class ClusterTls {
  private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]+)-----END \\1-----");
  private static final char[] NO_PASSWORD = new char[0];

  private ClusterTls() {}

  /**
   * A TLS 1.3 context that presents {@code cert} with {@code key} and trusts exactly the
   * certificates in {@code caCert}.
   *
   * @throws InvalidFieldException naming {@code --tls-ca-cert}, {@code --tls-cert} or
   *     {@code --tls-key}, with what is wrong
   */
  public static SSLContext load(Path caCert, Path cert, Path key) {
    List<X509Certificate> cas = certificates("--tls-ca-cert", caCert);
    List<X509Certificate> chain = certificates("--tls-cert", cert);
    X509Certificate leaf = chain.getFirst();
    checkValid("--tls-cert", cert, leaf);
    for (X509Certificate ca : cas) {
      checkValid("--tls-ca-cert", caCert, ca);
    }
    if (!signedByAny(chain, cas)) {
      throw new InvalidFieldException("--tls-cert", cert + " (" + leaf.getSubjectX500Principal().getName() + ") is not signed by a CA in --tls-ca-cert " + caCert);
    }
    PrivateKey privateKey = privateKey(key);
    checkPair(key, privateKey, leaf);
    try {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("node", privateKey, NO_PASSWORD, chain.toArray(Certificate[]::new));
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, NO_PASSWORD);
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      for (int i = 0; i < cas.size(); i++) {
        trust.setCertificateEntry("ca-" + i, cas.get(i));
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ctx = SSLContext.getInstance("TLSv1.3");
      ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      throw new InvalidFieldException("--tls-key", "cannot use " + key + " with " + cert + ": " + e.getMessage());
    }
  }

  private static String read(String flag, Path file) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new InvalidFieldException(flag, "cannot read " + file + ": " + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()));
    }
  }

  private static List<X509Certificate> certificates(String flag, Path file) {
    String text = read(flag, file);
    if (!text.contains("-----BEGIN CERTIFICATE-----")) {
      throw new InvalidFieldException(flag, file + " holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)");
    }
    try {
      Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)));
      List<X509Certificate> out = new ArrayList<>();
      certs.forEach(c -> out.add((X509Certificate) c));
      if (out.isEmpty()) {
        throw new InvalidFieldException(flag, file + " holds no PEM certificate");
      }
      return out;
    } catch (CertificateException e) {
      throw new InvalidFieldException(flag, file + " holds a certificate that cannot be read: " + e.getMessage());
    }
  }

  private static void checkValid(String flag, Path file, X509Certificate c) {
    try {
      c.checkValidity();
    } catch (CertificateExpiredException e) {
      throw new InvalidFieldException(flag, file + " (" + c.getSubjectX500Principal().getName() + ") expired on " + c.getNotAfter().toInstant());
    } catch (CertificateNotYetValidException e) {
      throw new InvalidFieldException(flag, file + " (" + c.getSubjectX500Principal().getName() + ") is not valid before " + c.getNotBefore().toInstant());
    }
  }

  /** Whether the chain ends at one of the CAs: each certificate signed by the next, the last by a CA. */
  private static boolean signedByAny(List<X509Certificate> chain, List<X509Certificate> cas) {
    for (int i = 0; i + 1 < chain.size(); i++) {
      if (!verifies(chain.get(i), chain.get(i + 1))) {
        return false;
      }
    }
    X509Certificate last = chain.getLast();
    for (X509Certificate ca : cas) {
      if (last.equals(ca) || verifies(last, ca)) {
        return true;
      }
    }
    return false;
  }

  private static boolean verifies(X509Certificate c, X509Certificate issuer) {
    try {
      c.verify(issuer.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static PrivateKey privateKey(Path file) {
    String text = read("--tls-key", file);
    Matcher m = PEM.matcher(text);
    while (m.find()) {
      String type = m.group(1);
      switch (type) {
        case "PRIVATE KEY" -> {
          byte[] der;
          try {
            der = Base64.getMimeDecoder().decode(m.group(2).strip());
          } catch (IllegalArgumentException e) {
            throw new InvalidFieldException("--tls-key", file + " holds a PRIVATE KEY block that is not base64");
          }
          for (String algorithm : List.of("EC", "RSA", "Ed25519", "RSASSA-PSS")) {
            try {
              return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException e) {
              // the next algorithm
            }
          }
          throw new InvalidFieldException("--tls-key", file + " holds a PKCS#8 key of an unsupported algorithm (expected EC, RSA or Ed25519)");
        }
        case "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY" -> throw new InvalidFieldException(
            "--tls-key", file + " holds a " + type + "; convert it to an unencrypted PKCS#8 key: openssl pkcs8 -topk8 -nocrypt -in " + file + " -out " + file + ".pk8");
        default -> {
          // not a key (an EC PARAMETERS block, a certificate): look further
        }
      }
    }
    throw new InvalidFieldException("--tls-key", file + " holds no PEM private key (expected -----BEGIN PRIVATE KEY-----)");
  }

  /** Whether the key belongs to the certificate: sign with one, verify with the other. */
  private static void checkPair(Path file, PrivateKey key, X509Certificate cert) {
    String algorithm = switch (key.getAlgorithm()) {
      case "EC" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> null;
    };
    if (algorithm == null) {
      return;
    }
    byte[] challenge = "ax cluster key check".getBytes(StandardCharsets.US_ASCII);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(cert.getPublicKey());
      verifier.update(challenge);
      if (verifier.verify(signature)) {
        return;
      }
    } catch (GeneralSecurityException e) {
      // a key of another kind than the certificate's: reported below
    }
    throw new InvalidFieldException("--tls-key", file + " is not the key of --tls-cert (" + cert.getSubjectX500Principal().getName() + ")");
  }
}
