package io.ax.xds.resource;

import java.util.Objects;

/** The path part of a route match. */
public sealed interface PathMatch {
  /** How notes name it: {@code prefix /static}, {@code path /login}, {@code regex ^/api/.*}. */
  String display();

  record Prefix(String prefix) implements PathMatch {
    public Prefix {
      Objects.requireNonNull(prefix, "prefix");
    }

    @Override
    public String display() {
      return "prefix " + prefix;
    }
  }

  /** An exact path ({@code path} in Envoy's RouteMatch). */
  record Exact(String path) implements PathMatch {
    public Exact {
      Objects.requireNonNull(path, "path");
    }

    @Override
    public String display() {
      return "path " + path;
    }
  }

  record Regex(String regex) implements PathMatch {
    public Regex {
      Objects.requireNonNull(regex, "regex");
    }

    @Override
    public String display() {
      return "regex " + regex;
    }
  }

  /** Another path specifier, by its field name (connect_matcher, path_separated_prefix, path_match_policy). */
  record Other(String kind) implements PathMatch {
    public Other {
      Objects.requireNonNull(kind, "kind");
    }

    @Override
    public String display() {
      return kind;
    }
  }
}
