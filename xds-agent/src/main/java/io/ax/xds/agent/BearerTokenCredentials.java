package io.ax.xds.agent;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.SecurityLevel;
import io.grpc.Status;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Sends a Kubernetes ServiceAccount token as {@code authorization: Bearer TOKEN}, read from its
 * file again for every call: the ADS stream is one call, so each (re)connect picks up the token
 * kubelet rotated meanwhile. A missing, empty or oversized file fails the call with
 * UNAUTHENTICATED naming the file; the token never goes over a connection without privacy.
 * Thread-safe (no state besides the path).
 */
public final class BearerTokenCredentials extends CallCredentials {
  /** Projected ServiceAccount tokens are JWTs of about 1 KB; 64 KiB bounds a wrong file. */
  static final int MAX_TOKEN_BYTES = 64 * 1024;

  private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final Path tokenFile;

  public BearerTokenCredentials(Path tokenFile) {
    this.tokenFile = Objects.requireNonNull(tokenFile, "tokenFile");
  }

  /**
   * Reads the token now.
   *
   * @throws IllegalArgumentException naming the file and what is wrong with it
   */
  public static String readToken(Path tokenFile) {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(tokenFile)) {
      bytes = in.readNBytes(MAX_TOKEN_BYTES + 1);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the token file " + tokenFile + ": " + reason(e));
    }
    if (bytes.length > MAX_TOKEN_BYTES) {
      throw new IllegalArgumentException("the token file " + tokenFile + " is larger than " + MAX_TOKEN_BYTES + " bytes (expected a ServiceAccount token)");
    }
    String token = new String(bytes, StandardCharsets.US_ASCII).strip();
    if (token.isEmpty()) {
      throw new IllegalArgumentException("the token file " + tokenFile + " is empty (expected a ServiceAccount token)");
    }
    if (!token.chars().allMatch(c -> c > ' ' && c < 127)) {
      throw new IllegalArgumentException("the token file " + tokenFile + " holds characters a token cannot have (expected a ServiceAccount token)");
    }
    return token;
  }

  @Override
  public void applyRequestMetadata(RequestInfo info, Executor appExecutor, MetadataApplier applier) {
    if (info.getSecurityLevel() != SecurityLevel.PRIVACY_AND_INTEGRITY) {
      applier.fail(Status.UNAUTHENTICATED.withDescription("refusing to send the token of " + tokenFile + " over a connection without TLS"));
      return;
    }
    // File I/O off the transport thread.
    appExecutor.execute(() -> {
      try {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + readToken(tokenFile));
        applier.apply(headers);
      } catch (IllegalArgumentException e) {
        applier.fail(Status.UNAUTHENTICATED.withDescription(e.getMessage()));
      }
    });
  }

  private static String reason(IOException e) {
    return e instanceof java.nio.file.NoSuchFileException ? "no such file"
        : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
        : String.valueOf(e.getMessage());
  }
}
