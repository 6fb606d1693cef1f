package io.ax.core.state;

/**
 * Told of every committed change, in commit order, on the writer's thread while the store's
 * write lock is held: keep it short and never call back into the store's writers.
 */
@FunctionalInterface
public interface StateListener {
  void onCommit(DataplaneState before, DataplaneState after);
}
