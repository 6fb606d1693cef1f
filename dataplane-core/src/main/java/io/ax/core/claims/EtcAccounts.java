package io.ax.core.claims;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Accounts} from {@code /etc/passwd} and {@code /etc/group} (passwd(5), group(5)), read at
 * each lookup so that a user added after the daemon started is known at once. Users and groups
 * that only a directory service (NSS: LDAP, SSSD) knows are not seen: a policy names them by
 * {@code uid:N} and {@code gid:N}. Stateless, so thread-safe.
 */
public final class EtcAccounts implements Accounts {
  private static final Logger log = LoggerFactory.getLogger(EtcAccounts.class);
  // The node's account files are root's, but still bounded: a lookup must stay cheap.
  private static final long MAX_BYTES = 16L * 1024 * 1024;

  private final Path passwd;
  private final Path group;

  public EtcAccounts() {
    this(Path.of("/etc/passwd"), Path.of("/etc/group"));
  }

  EtcAccounts(Path passwd, Path group) {
    this.passwd = Objects.requireNonNull(passwd, "passwd");
    this.group = Objects.requireNonNull(group, "group");
  }

  @Override
  public Optional<String> userName(int uid) {
    String id = Integer.toString(uid);
    // name:password:UID:GID:...
    return lines(passwd).stream().map(l -> l.split(":", -1)).filter(f -> f.length > 3 && f[2].equals(id)).map(f -> f[0]).findFirst();
  }

  @Override
  public OptionalInt groupId(String name) {
    // name:password:GID:members
    return lines(group).stream().map(l -> l.split(":", -1)).filter(f -> f.length > 2 && f[0].equals(name)).mapToInt(f -> parse(f[2])).filter(g -> g >= 0).findFirst();
  }

  private static int parse(String n) {
    try {
      return Integer.parseInt(n);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static List<String> lines(Path file) {
    try {
      if (Files.size(file) > MAX_BYTES) {
        log.warn("[claims] {} is larger than {} bytes; not read", file, MAX_BYTES);
        return List.of();
      }
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      log.warn("[claims] cannot read {}: {}", file, e.getMessage());
      return List.of();
    }
  }
}
