package io.ax.core.state;

/**
 * Told of every committed batch, in commit order, on the writing thread while the store's write
 * lock is held: keep it short and never call back into the store's writers. Changes committed
 * together (see {@link DataplaneStore}) come as one call whose {@code before} and {@code after}
 * span them all, so compare the two states rather than count calls.
 */
@FunctionalInterface
public interface StateListener {
  void onCommit(DataplaneState before, DataplaneState after);
}
