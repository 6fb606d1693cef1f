package io.ax.xds.pilot;

import com.google.common.hash.HashCode;
import com.google.common.hash.Hashing;
import io.ax.xds.pilot.config.ConfigException;
import io.ax.xds.pilot.config.ConfigObject;
import io.ax.xds.pilot.config.ConfigParser;
import io.ax.xds.pilot.config.Note;
import io.ax.xds.pilot.config.Yaml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The config files of a directory and the objects they hold. Each file keeps its last good
 * content: a file that stops parsing is reported as one line {@code FILE:LINE: what is wrong} and
 * its previous objects stay, while other files still update. A deleted file's objects go.
 *
 * <p>Read are {@code *.yaml}, {@code *.yml} and {@code *.json}; dotfiles and editor leftovers
 * ({@code foo.yaml~}, {@code #foo.yaml#}, {@code .foo.yaml.swp}) are not. Not thread-safe: confined
 * to {@link PilotLite}'s serial executor.
 */
final class ConfigDirectory {
  private static final Logger log = LoggerFactory.getLogger(ConfigDirectory.class);
  /** Far above any hand-written config; a generated 10,000-service mesh is a few MB. */
  static final long MAX_FILE_BYTES = 64L << 20;
  /** A directory of more files than this is not a config directory. */
  static final int MAX_FILES = 10_000;

  private final Path dir;
  private final Map<Path, FileState> files = new HashMap<>();
  private final Set<String> reportedKinds = new HashSet<>();

  /** What is known of one file. {@code good} is empty while it has never parsed. */
  private record FileState(long mtime, long size, HashCode hash, Optional<ConfigParser.Parsed> good, Optional<String> error) {}

  ConfigDirectory(Path dir) {
    this.dir = dir;
  }

  /**
   * Reads what changed since the last scan.
   *
   * @param suspects files to read again even when their size and modification time are the same
   * @return true when the served objects may have changed
   */
  boolean scan(Suspects suspects) {
    Map<Path, BasicFileAttributes> present = list();
    boolean changed = files.keySet().removeIf(p -> {
      if (!present.containsKey(p)) {
        log.info("[pilot] {} removed: its config is no longer served", p);
        return true;
      }
      return false;
    });
    for (Map.Entry<Path, BasicFileAttributes> e : present.entrySet()) {
      changed |= read(e.getKey(), e.getValue(), suspects);
    }
    return changed;
  }

  private Map<Path, BasicFileAttributes> list() {
    Map<Path, BasicFileAttributes> out = new TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s.filter(ConfigDirectory::isConfigFile)::iterator) {
        try {
          BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
          if (a.isRegularFile()) {
            out.put(p, a);
          }
        } catch (NoSuchFileException gone) {
          // deleted between list and stat: the next scan sees it gone
        }
        if (out.size() > MAX_FILES) {
          log.warn("[pilot] {} holds more than {} config files; only the first {} are read", dir, MAX_FILES, MAX_FILES);
          break;
        }
      }
    } catch (IOException e) {
      log.warn("[pilot] cannot list {}: {}; serving the last good config", dir, e.toString());
      return files.keySet().stream().collect(TreeMap::new, (m, p) -> m.put(p, null), Map::putAll);
    }
    return out;
  }

  static boolean isConfigFile(Path p) {
    String name = p.getFileName().toString();
    String lower = name.toLowerCase(Locale.ROOT);
    return !name.startsWith(".") && !name.startsWith("#") && !name.endsWith("~")
        && (lower.endsWith(".yaml") || lower.endsWith(".yml") || lower.endsWith(".json"));
  }

  private boolean read(Path p, BasicFileAttributes attrs, Suspects suspects) {
    FileState old = files.get(p);
    if (attrs == null) {
      return false; // the listing failed: keep what we have
    }
    long mtime = attrs.lastModifiedTime().toMillis();
    if (!suspects.includes(p) && old != null && old.mtime == mtime && old.size == attrs.size()) {
      return false;
    }
    byte[] content;
    try {
      if (attrs.size() > MAX_FILE_BYTES) {
        return fail(p, old, mtime, attrs.size(), HashCode.fromInt(0), "0: larger than " + (MAX_FILE_BYTES >> 20) + " MiB");
      }
      content = Files.readAllBytes(p);
    } catch (NoSuchFileException gone) {
      return false;
    } catch (IOException e) {
      return fail(p, old, mtime, attrs.size(), HashCode.fromInt(0), "0: cannot read: " + e.getMessage());
    }
    HashCode hash = Hashing.sha256().hashBytes(content);
    if (old != null && old.hash.equals(hash)) {
      files.put(p, new FileState(mtime, attrs.size(), hash, old.good, old.error));
      return false;
    }
    Yaml.Format format = p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json") ? Yaml.Format.JSON : Yaml.Format.YAML;
    try {
      ConfigParser.Parsed parsed = ConfigParser.parse(p.getFileName().toString(), content, format);
      files.put(p, new FileState(mtime, attrs.size(), hash, Optional.of(parsed), Optional.empty()));
      log.info("[pilot] {}: {} object(s) loaded", p, parsed.objects().size());
      for (String kind : parsed.ignoredKinds()) {
        if (reportedKinds.add(kind)) {
          log.info("[pilot] ignoring kind {} (first seen in {}): pilot-lite serves Service, Endpoints, EndpointSlice, ServiceEntry, WorkloadEntry, DestinationRule,"
              + " VirtualService, HTTPRoute and DestinationPolicy", kind, p.getFileName());
        }
      }
      for (Note note : parsed.notes()) {
        switch (note.level()) {
          case WARN -> log.warn("[pilot] {}: {}", p.getFileName(), note);
          case INFO -> log.info("[pilot] {}: {}", p.getFileName(), note);
        }
      }
      return true;
    } catch (ConfigException e) {
      return fail(p, old, mtime, attrs.size(), hash, e.getMessage());
    }
  }

  private boolean fail(Path p, FileState old, long mtime, long size, HashCode hash, String lineAndReason) {
    String message = p + ":" + lineAndReason;
    Optional<ConfigParser.Parsed> good = old == null ? Optional.empty() : old.good;
    log.warn("[pilot] {}{}", message, good.isPresent() ? " (keeping its last good config)" : "");
    files.put(p, new FileState(mtime, size, hash, good, Optional.of(message)));
    return false;
  }

  /** The current error of each file that has one: {@code FILE:LINE: what is wrong}. */
  Map<Path, String> errors() {
    Map<Path, String> out = new TreeMap<>();
    files.forEach((p, s) -> s.error.ifPresent(e -> out.put(p, e)));
    return out;
  }

  /**
   * The objects to serve, in precedence order: the most recently modified file first (the last
   * one applied wins, as with kubectl apply), then by name; an object (kind, namespace, name)
   * defined again in a later position is left out, as Kubernetes would hold only one.
   */
  List<ConfigObject> objects(List<String> notes) {
    List<Map.Entry<Path, FileState>> ordered = new ArrayList<>(files.entrySet());
    ordered.sort(Comparator.<Map.Entry<Path, FileState>>comparingLong(e -> -e.getValue().mtime).thenComparing(Map.Entry::getKey));
    // Keyed by a record, not by meta().id(): that string, built for each of 100,000 objects on
    // every change, cost more than the rest of this method.
    Map<ObjectKey, ConfigObject> seen = new LinkedHashMap<>();
    for (Map.Entry<Path, FileState> e : ordered) {
      for (ConfigObject o : e.getValue().good.map(ConfigParser.Parsed::objects).orElse(List.of())) {
        ConfigObject first = seen.putIfAbsent(new ObjectKey(o.meta().kind(), o.meta().namespace(), o.meta().name()), o);
        if (first != null) {
          notes.add(o.meta().id() + " at " + o.meta().source() + " is also at " + first.meta().source() + ", which is newer and wins");
        }
      }
    }
    return List.copyOf(seen.values());
  }

  /** What Kubernetes holds one of. */
  private record ObjectKey(String kind, String namespace, String name) {}
}
