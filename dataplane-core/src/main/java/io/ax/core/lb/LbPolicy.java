package io.ax.core.lb;

import io.ax.core.field.InvalidFieldException;
import java.util.List;
import java.util.Locale;

/**
 * How a vservice orders its eligible backends for one connection. The first element is the
 * pick; the rest is the order in which the bridge tries the others when a backend refuses.
 *
 * <p>A sealed family so that every place that shows or persists a policy is checked by the
 * compiler when a policy is added. Policies are pure functions of the candidates and the
 * {@link PickContext} (whose {@link LbState} holds what they remember). Weights are honoured by
 * {@link Random}, {@link RoundRobin} and {@link ConsistentHash}; {@link LeastConn} balances by
 * live counts instead.
 */
public sealed interface LbPolicy permits LbPolicy.Random, LbPolicy.RoundRobin, LbPolicy.LeastConn, LbPolicy.ConsistentHash {

  /** The name users type and tables show: {@code Random}, {@code RoundRobin}... */
  String displayName();

  /** Orders the candidates' items; returns a new list, never the argument. */
  <T> List<T> order(List<Candidate<T>> candidates, PickContext context);

  /**
   * Weighted random: each candidate is first with probability weight/total; the rest follow in
   * a weighted random order. The default of {@code create vservice}.
   */
  record Random() implements LbPolicy {
    @Override
    public String displayName() {
      return "Random";
    }

    @Override
    public <T> List<T> order(List<Candidate<T>> candidates, PickContext context) {
      return Candidate.equalWeights(candidates)
          ? Orderings.shuffled(Candidate.items(candidates), context.random())
          : Orderings.weightedShuffle(candidates, context.random());
    }
  }

  /**
   * Round robin: with equal weights each connection starts one further along the (stably
   * sorted) candidates; with weights, nginx's smooth weighted round robin picks the first. The
   * rest follow in candidate order from the pick.
   */
  record RoundRobin() implements LbPolicy {
    @Override
    public String displayName() {
      return "RoundRobin";
    }

    @Override
    public <T> List<T> order(List<Candidate<T>> candidates, PickContext context) {
      if (candidates.isEmpty()) {
        return List.of();
      }
      List<T> items = Candidate.items(candidates);
      if (Candidate.equalWeights(candidates)) {
        long ticket = context.state().nextTicket(context.key());
        return Orderings.rotated(items, (int) Math.floorMod(ticket, (long) candidates.size()));
      }
      int[] weights = candidates.stream().mapToInt(Candidate::weight).toArray();
      int pick = context.state().smoothWeighted(context.key()).next(candidates.stream().map(Candidate::address).toList(), weights);
      return Orderings.rotated(items, pick);
    }
  }

  /**
   * Least connections by the power of two choices (Mitzenmacher; Envoy's LEAST_REQUEST): two
   * distinct candidates drawn at random, the one with fewer open connections first (the first
   * drawn on a tie), then the others by their counts. With two candidates that is always the
   * less loaded one. Weights are not used. The pick is counted as a connection at once, so a
   * burst of connects spreads before the kernel's count catches up.
   */
  record LeastConn() implements LbPolicy {
    @Override
    public String displayName() {
      return "LeastConn";
    }

    @Override
    public <T> List<T> order(List<Candidate<T>> candidates, PickContext context) {
      if (candidates.isEmpty()) {
        return List.of();
      }
      ConnectionCounts counts = context.state().connections();
      int[] open = candidates.stream().mapToInt(c -> counts.openTo(c.address())).toArray();
      int first = Orderings.twoChoices(open, context.random());
      List<T> ordered = Orderings.byCountAfter(Candidate.items(candidates), open, first);
      counts.connecting(candidates.get(first).address());
      return ordered;
    }
  }

  /**
   * A consistent hash of the client app's IP on a {@link HashRing} of the candidates' addresses
   * (weighted): a client keeps its backend while the candidates hold, and a new backend takes
   * about 1/n of the clients. The rest follow in ring order.
   */
  record ConsistentHash() implements LbPolicy {
    @Override
    public String displayName() {
      return "ConsistentHash";
    }

    @Override
    public <T> List<T> order(List<Candidate<T>> candidates, PickContext context) {
      if (candidates.isEmpty()) {
        return List.of();
      }
      HashRing ring = context.state().ring(new HashRing.Shape(
          candidates.stream().map(c -> c.address().toString()).toList(), candidates.stream().map(Candidate::weight).toList()));
      int[] order = ring.order(HashRing.mix(0x5bd1e995L ^ context.client().bits()));
      return java.util.Arrays.stream(order).mapToObj(i -> candidates.get(i).item()).toList();
    }
  }

  LbPolicy RANDOM = new Random();
  LbPolicy ROUND_ROBIN = new RoundRobin();
  LbPolicy LEAST_CONN = new LeastConn();
  LbPolicy CONSISTENT_HASH = new ConsistentHash();

  /**
   * Parses a policy name, ignoring case and '_' or '-': {@code Random}, {@code RoundRobin},
   * {@code LeastConn}, {@code ConsistentHash}.
   */
  static LbPolicy parse(String field, String name) {
    return switch (name == null ? "" : name.strip().toLowerCase(Locale.ROOT).replace("_", "").replace("-", "")) {
      case "random" -> RANDOM;
      case "roundrobin" -> ROUND_ROBIN;
      case "leastconn" -> LEAST_CONN;
      case "consistenthash" -> CONSISTENT_HASH;
      default -> throw new InvalidFieldException(field, "unknown load balancer type '" + name + "' (expected Random, RoundRobin, LeastConn or ConsistentHash)");
    };
  }
}
