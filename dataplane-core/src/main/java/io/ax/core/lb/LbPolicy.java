package io.ax.core.lb;

import io.ax.core.model.InvalidFieldException;
import java.util.List;
import java.util.Locale;

/**
 * How a vservice orders its eligible backends for one connection. The first element is the
 * pick; the rest is the order in which the bridge tries the others when a backend refuses.
 *
 * <p>A sealed family so that every place that shows or persists a policy is checked by the
 * compiler when a policy is added (least connections, weighted, consistent hash come with the
 * xDS agent). Policies are pure functions of the candidates and the {@link PickContext}.
 */
public sealed interface LbPolicy permits LbPolicy.Random, LbPolicy.RoundRobin {

  /** The name users type and tables show: {@code Random}, {@code RoundRobin}. */
  String displayName();

  /** Orders the candidates; returns a new list, never the argument. */
  <T> List<T> order(List<T> candidates, PickContext context);

  /** Uniform choice; the rest follow in a random order. The default of {@code create vservice}. */
  record Random() implements LbPolicy {
    @Override
    public String displayName() {
      return "Random";
    }

    @Override
    public <T> List<T> order(List<T> candidates, PickContext context) {
      return Orderings.shuffled(candidates, context.random());
    }
  }

  /** Each connection starts one further along the (stably sorted) candidates. */
  record RoundRobin() implements LbPolicy {
    @Override
    public String displayName() {
      return "RoundRobin";
    }

    @Override
    public <T> List<T> order(List<T> candidates, PickContext context) {
      if (candidates.isEmpty()) {
        return List.of();
      }
      long ticket = context.state().nextTicket(context.key());
      return Orderings.rotated(candidates, (int) Math.floorMod(ticket, (long) candidates.size()));
    }
  }

  LbPolicy RANDOM = new Random();
  LbPolicy ROUND_ROBIN = new RoundRobin();

  /** Parses a policy name, ignoring case: {@code Random}, {@code RoundRobin}. */
  static LbPolicy parse(String field, String name) {
    return switch (name == null ? "" : name.strip().toLowerCase(Locale.ROOT)) {
      case "random" -> RANDOM;
      case "roundrobin", "round_robin" -> ROUND_ROBIN;
      default -> throw new InvalidFieldException(field, "unknown load balancer type '" + name + "' (expected Random or RoundRobin)");
    };
  }
}
