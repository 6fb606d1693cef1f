package io.ax.core.state;

import java.io.IOException;

/**
 * Where committed states go so that a restarted daemon gets them back. {@link #save} is called
 * before a change becomes visible; when it throws, the change is refused and nothing is lost.
 */
public interface StatePersistence {
  void save(DataplaneState state) throws IOException;

  /** Keeps nothing: for tests and for {@code --state=false} style callers. */
  StatePersistence NONE = state -> {};
}
