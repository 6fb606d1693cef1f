package io.ax.core.rest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * The REST API's trust model, the admin socket's: a request that changes the mesh (creates or
 * deletes a vservice) must carry {@code Authorization: Bearer TOKEN}, where TOKEN is the content of
 * {@code rest.token} in the run directory, a file only root and {@code --admin-group} can read
 * (the admin socket's mode). Reads stay open on loopback, as before. A new token is drawn at every
 * daemon start (256 random bits), so a token read once does not outlive the daemon.
 */
public final class RestToken {
  /** The file's name in the run directory. */
  public static final String FILE = "rest.token";

  private final Path file;
  private final byte[] expected;

  private RestToken(Path file, String token) {
    this.file = file;
    this.expected = ("Bearer " + token).getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Draws a token and writes it to {@code file} (atomically; mode 0600, or 0640 with the group).
   *
   * @throws IOException when the file cannot be written or the group does not exist
   */
  public static RestToken create(Path file, Optional<String> group) throws IOException {
    byte[] raw = new byte[32];
    new SecureRandom().nextBytes(raw);
    String token = HexFormat.of().formatHex(raw);
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(temp);
    Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      Files.writeString(temp, token + "\n");
      if (group.isPresent()) {
        Files.getFileAttributeView(temp, PosixFileAttributeView.class).setGroup(lookupGroup(group.get()));
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r-----"));
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    return new RestToken(file, token);
  }

  /** A token known in advance, for tests. */
  static RestToken of(String token) {
    return new RestToken(Path.of(FILE), Objects.requireNonNull(token, "token"));
  }

  /** Whether an {@code Authorization} header value carries the token (compared in constant time). */
  public boolean admits(String authorization) {
    if (authorization == null) {
      return false;
    }
    return MessageDigest.isEqual(expected, authorization.strip().getBytes(StandardCharsets.US_ASCII));
  }

  /** Where the token is, for the refusal's message. */
  public Path file() {
    return file;
  }

  private static GroupPrincipal lookupGroup(String group) throws IOException {
    try {
      return java.nio.file.FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
    } catch (UserPrincipalNotFoundException e) {
      throw new IOException("--admin-group: no group named '" + group + "'");
    }
  }
}
