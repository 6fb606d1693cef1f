package io.ax.xds.pilot.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads multi-document YAML (or JSON) into {@link Node} trees that remember the line of every
 * value, so that errors can name it. Jackson's streaming parser is used instead of a tree model
 * because the tree model drops locations.
 *
 * <p>Bounded: the caller caps the input size; here the nesting depth and the number of documents
 * are capped, so a hostile file is a {@link ConfigException}, never a stack overflow.
 */
public final class Yaml {
  /** Deeper than any Istio resource (a VirtualService nests about 10 levels). */
  static final int MAX_DEPTH = 64;
  /** A generated file with every service of a large mesh stays well under this. */
  static final int MAX_DOCUMENTS = 1_000_000;
  /** pilot-lite reads files of up to 64 MiB (ConfigDirectory); one document may be all of it. */
  static final int MAX_CODE_POINTS = 64 << 20;

  // SnakeYAML caps one document at 3 MiB by default; a `kind: List` from `kubectl get -o yaml` of
  // a large cluster is one document, so the cap is the directory's file limit instead.
  // The builder does not start from the factory's default parser features: an empty document
  // must still read as null, not as an empty string.
  private static final YAMLFactory YAML = YAMLFactory.builder()
      .loaderOptions(loaderOptions())
      .enable(com.fasterxml.jackson.dataformat.yaml.YAMLParser.Feature.EMPTY_STRING_AS_NULL)
      .build();
  private static final JsonFactory JSON = new JsonFactory();

  private Yaml() {}

  private static org.yaml.snakeyaml.LoaderOptions loaderOptions() {
    org.yaml.snakeyaml.LoaderOptions o = new org.yaml.snakeyaml.LoaderOptions();
    o.setCodePointLimit(MAX_CODE_POINTS);
    return o;
  }

  /** The format of a file, from its name. */
  public enum Format {
    YAML,
    JSON
  }

  /**
   * Parses every document of {@code content}; empty documents (a trailing {@code ---}, comments
   * only) are skipped.
   *
   * @throws ConfigException on a syntax error, with its line
   */
  public static List<Node> documents(byte[] content, Format format) throws ConfigException {
    List<Node> docs = new ArrayList<>();
    try (JsonParser p = (format == Format.JSON ? JSON : YAML).createParser(content)) {
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        if (docs.size() >= MAX_DOCUMENTS) {
          throw new ConfigException(line(p), "more than " + MAX_DOCUMENTS + " documents in one file");
        }
        Node n = read(p, t, 0);
        if (!(n instanceof Node.Scalar s && s.kind() == Node.Kind.NULL)) {
          docs.add(n);
        }
      }
    } catch (JsonProcessingException e) {
      int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      String why = firstLine(e.getOriginalMessage());
      if (e.getCause() instanceof MarkedYAMLException m && m.getProblem() != null) {
        // SnakeYAML says what it was parsing and what went wrong, on several lines: keep both, on one.
        String from = m.getContextMark() == null ? "" : " (from line " + (m.getContextMark().getLine() + 1) + ")";
        why = (m.getContext() == null ? "" : m.getContext() + from + ": ") + m.getProblem();
        if (m.getProblemMark() != null) {
          line = m.getProblemMark().getLine() + 1;
        }
      }
      throw new ConfigException(line, "invalid " + format.name() + ": " + why);
    } catch (IOException e) {
      throw new ConfigException(0, "cannot read: " + firstLine(e.getMessage()));
    }
    return docs;
  }

  private static Node read(JsonParser p, JsonToken t, int depth) throws IOException, ConfigException {
    int line = line(p);
    if (depth > MAX_DEPTH) {
      throw new ConfigException(line, "nested deeper than " + MAX_DEPTH + " levels");
    }
    switch (t) {
      case START_OBJECT -> {
        Map<String, Node> fields = new LinkedHashMap<>();
        Map<String, Integer> keyLines = new LinkedHashMap<>();
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          int keyLine = line(p);
          Node value = read(p, p.nextToken(), depth + 1);
          if (fields.containsKey(key)) {
            throw new ConfigException(keyLine, "duplicate key '" + key + "' (first at line " + keyLines.get(key) + ")");
          }
          fields.put(key, value);
          keyLines.put(key, keyLine);
        }
        return new Node.Obj(line, fields, keyLines);
      }
      case START_ARRAY -> {
        List<Node> items = new ArrayList<>();
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
          items.add(read(p, t, depth + 1));
        }
        return new Node.Seq(line, items);
      }
      case VALUE_STRING -> {
        return new Node.Scalar(line, p.getText(), Node.Kind.STRING);
      }
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
        return new Node.Scalar(line, p.getText(), Node.Kind.NUMBER);
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        return new Node.Scalar(line, p.getText(), Node.Kind.BOOLEAN);
      }
      case VALUE_NULL -> {
        return new Node.Scalar(line, "", Node.Kind.NULL);
      }
      default -> throw new ConfigException(line, "unexpected " + t);
    }
  }

  private static int line(JsonParser p) {
    return p.currentTokenLocation().getLineNr();
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unknown error";
    }
    String trimmed = s.strip();
    int nl = trimmed.indexOf('\n');
    return nl < 0 ? trimmed : trimmed.substring(0, nl).strip();
  }
}
