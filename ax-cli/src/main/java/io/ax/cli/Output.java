package io.ax.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The {@code -o} formats of {@code ax get}. JSON and YAML are the admin API's messages. */
enum Output {
  TABLE,
  WIDE,
  JSON,
  YAML;

  private static final JsonFormat.Printer JSON_PRINTER = JsonFormat.printer().preservingProtoFieldNames();
  // Strings stay quoted: an app id like 12345678 or a name like 1e5 must read back as a string.
  private static final ObjectMapper YAML_MAPPER = new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));

  /** Parses {@code -o}: wide, json or yaml. */
  static Output parse(String text) {
    return switch (text.toLowerCase(java.util.Locale.ROOT)) {
      case "wide" -> WIDE;
      case "json" -> JSON;
      case "yaml" -> YAML;
      default -> throw new CliException("-o: unknown output format '" + text + "' (expected wide, json or yaml)");
    };
  }

  static String json(MessageOrBuilder message) {
    try {
      return JSON_PRINTER.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  static String yaml(MessageOrBuilder message) {
    try {
      JsonNode tree = new ObjectMapper().readTree(json(message));
      return YAML_MAPPER.writeValueAsString(tree);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
