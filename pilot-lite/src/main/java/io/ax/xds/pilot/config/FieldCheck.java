package io.ax.xds.pilot.config;

import java.util.List;
import java.util.Map;

/**
 * Walks a document against its kind's {@link Shape}: refuses the first field Istio's API does not
 * have (kubectl's strict validation: {@code subest: v1} would otherwise be read as no subset and
 * send traffic elsewhere), and notes every field ax does not apply or approximates, once per
 * place it is written. Null values set nothing and get no note. Stateless.
 */
final class FieldCheck {
  /** Names closer than this to an unknown field are offered as what was meant. */
  private static final int TYPO_DISTANCE = 2;
  /** Istio's longest field name is about 40 characters; a longer key is not a typo of one. */
  private static final int MAX_SUGGESTED = 64;

  private FieldCheck() {}

  /**
   * @param object the object as messages name it ({@code Kind namespace/name})
   * @param path the node's path ({@code spec}), empty at the document's root
   * @throws ConfigException at an unknown field or a value of the wrong shape
   */
  static void check(Node node, Shape shape, String path, String object, List<Note> notes) throws ConfigException {
    check(node, shape, path, object, notes, false);
  }

  /** {@code muted}: inside a field already noted as not applied, whose parts need no note of their own. */
  private static void check(Node node, Shape shape, String path, String object, List<Note> notes, boolean muted) throws ConfigException {
    switch (shape) {
      case Shape.Any a -> {}
      case Shape.Scalar s -> {
        if (!(node instanceof Node.Scalar)) {
          throw new ConfigException(node.line(), object + ": " + path + ": expected a value, got " + At.describe(node));
        }
      }
      case Shape.ListOf l -> {
        if (!(node instanceof Node.Seq seq)) {
          throw new ConfigException(node.line(), object + ": " + path + ": expected a list, got " + At.describe(node));
        }
        for (int i = 0; i < seq.items().size(); i++) {
          Node item = seq.items().get(i);
          if (!isNull(item)) {
            check(item, l.item(), path + "[" + i + "]", object, notes, muted);
          }
        }
      }
      case Shape.MapOf m -> {
        Node.Obj obj = mapping(node, path, object);
        for (Map.Entry<String, Node> e : obj.fields().entrySet()) {
          if (!isNull(e.getValue())) {
            check(e.getValue(), m.value(), path + "." + e.getKey(), object, notes, muted);
          }
        }
      }
      case Shape.Fields f -> {
        Node.Obj obj = mapping(node, path, object);
        for (Map.Entry<String, Node> e : obj.fields().entrySet()) {
          String key = e.getKey();
          String at = path.isEmpty() ? key : path + "." + key;
          Shape.Field field = f.fields().get(key);
          if (field == null) {
            throw new ConfigException(obj.keyLine(key), object + ": unknown field " + at + " (" + expected(key, f) + ")");
          }
          if (isNull(e.getValue())) {
            continue;
          }
          if (!muted) {
            note(field.use(), e.getValue(), at, object, notes);
          }
          check(e.getValue(), field.shape(), at, object, notes, muted || field.use() instanceof Shape.Use.NotApplied);
        }
      }
    }
  }

  private static void note(Shape.Use use, Node value, String at, String object, List<Note> notes) {
    switch (use) {
      case Shape.Use.Applied a -> {}
      case Shape.Use.Bookkeeping b -> {}
      case Shape.Use.Approximated a -> notes.add(Note.info(object, at + " is approximated: " + a.how()));
      case Shape.Use.NotApplied n -> {
        if (!isQuiet(value, n.quiet())) {
          notes.add(Note.warn(object, at + " is not applied: " + n.instead()));
        }
      }
    }
  }

  /** A quiet value, or a list of only quiet values ({@code ipFamilies: [IPv4]}). */
  private static boolean isQuiet(Node value, java.util.Set<String> quiet) {
    return switch (value) {
      case Node.Scalar s -> quiet.contains(s.text());
      case Node.Seq seq -> !quiet.isEmpty() && seq.items().stream().allMatch(i -> i instanceof Node.Scalar s && quiet.contains(s.text()));
      case Node.Obj o -> false;
    };
  }

  private static Node.Obj mapping(Node node, String path, String object) throws ConfigException {
    if (node instanceof Node.Obj o) {
      return o;
    }
    throw new ConfigException(node.line(), object + ": " + (path.isEmpty() ? "" : path + ": ") + "expected a mapping, got " + At.describe(node));
  }

  private static boolean isNull(Node n) {
    return n instanceof Node.Scalar s && s.kind() == Node.Kind.NULL;
  }

  /** What was meant ("did you mean subset?"), else the fields there are. */
  private static String expected(String key, Shape.Fields f) {
    String best = null;
    if (key.length() > MAX_SUGGESTED) {
      return "expected one of " + String.join(", ", f.fields().keySet());
    }
    int bestDistance = TYPO_DISTANCE + 1;
    for (String name : f.fields().keySet()) {
      int d = distance(key.toLowerCase(java.util.Locale.ROOT), name.toLowerCase(java.util.Locale.ROOT));
      if (d < bestDistance) {
        best = name;
        bestDistance = d;
      }
    }
    if (best != null) {
      return "did you mean " + best + "?";
    }
    return "expected one of " + String.join(", ", f.fields().keySet());
  }

  /** Levenshtein distance, with a transposition as one edit (Damerau's "simpel"/"simple"). */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
