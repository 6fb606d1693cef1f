package io.ax.xds.resource;

import java.util.Objects;

/**
 * A listener filter chain, reduced to what its last (terminal) network filter does.
 *
 * @param name the chain's name, often empty
 */
public record FilterChain(String name, ChainAction action) {
  public FilterChain {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(action, "action");
  }
}
