package io.ax.xds.translate;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The notes of one translation: lines about single vservices (in name order), then one summary
 * line per kind of thing left out, naming at most {@link #SHOWN} examples so that a mesh of
 * thousands of services does not flood the output. Confined to one translation call.
 */
final class Notes {
  /** Enough examples to recognise the kind; the count says how many there are. */
  static final int SHOWN = 5;
  /** Up to this many, a kind reported per item gets a line per item; beyond, one summary line. */
  static final int EACH_UP_TO = 20;

  /** Things reported once for the whole snapshot; each line ends with the examples. */
  enum Summary {
    NO_VIP("cluster(s) have no vIP (no VIP_PORT listener, no IP domain in RDS), so no vservice: ",
        "has no vIP (no VIP_PORT listener, no IP domain in RDS), so no vservice"),
    ORIGINAL_DST("ORIGINAL_DST (passthrough) cluster(s) make no vservice; those connections go direct: ",
        "is ORIGINAL_DST (passthrough): no vservice; those connections go direct"),
    INBOUND("inbound cluster(s) serve this proxy's own workload, not outbound traffic: ignored: "),
    PLUMBING("cluster(s) without Istio's outbound|PORT|SUBSET|HOST name (blackhole, agent, stats, SDS...): ignored: "),
    UNROUTED_SUBSET("subset cluster(s) that no catch-all route of their host selects: unused: "),
    NO_ENDPOINTS("cluster(s) have no endpoints yet (no EDS resource); their vservices have no backends: "),
    UNUSED_ENDPOINTS("EDS resource(s) that no cluster uses: ignored: "),
    RETRIES("vservice(s) have routes with retry policies, which ax does not apply (it tries the next backend when a connect is refused): "),
    SKIPPED("resource(s) were refused: ");

    private final String text;
    /** The line for one item when there are few, or null for kinds always summarised. */
    private final String each;

    Summary(String text) {
      this(text, null);
    }

    Summary(String text, String each) {
      this.text = text;
      this.each = each;
    }
  }

  private final TreeMap<String, List<String>> byService = new TreeMap<>();
  private final Map<Summary, TreeSet<String>> summaries = new EnumMap<>(Summary.class);

  private final List<String> general = new ArrayList<>();

  /** A line about the snapshot as a whole; these come first. */
  void general(String text) {
    general.add(text);
  }

  void service(String vservice, String text) {
    byService.computeIfAbsent(vservice, k -> new ArrayList<>()).add(vservice + ": " + text);
  }

  void summary(Summary kind, String example) {
    summaries.computeIfAbsent(kind, k -> new TreeSet<>()).add(example);
  }

  List<String> render() {
    List<String> out = new ArrayList<>(general);
    byService.values().forEach(out::addAll);
    summaries.forEach((kind, examples) -> {
      int n = examples.size();
      if (kind.each != null && n <= EACH_UP_TO) {
        examples.forEach(e -> out.add(e + " " + kind.each));
        return;
      }
      StringBuilder line = new StringBuilder().append(n).append(' ').append(kind.text);
      int shown = 0;
      for (String e : examples) {
        if (shown == SHOWN) {
          break;
        }
        line.append(shown == 0 ? "" : ", ").append(e);
        shown++;
      }
      if (n > shown) {
        line.append(" and ").append(n - shown).append(" more");
      }
      out.add(line.toString());
    });
    return out;
  }
}
