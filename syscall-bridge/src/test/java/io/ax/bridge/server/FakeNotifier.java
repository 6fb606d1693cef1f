package io.ax.bridge.server;

import io.ax.bridge.seccomp.Notifier;
import java.util.ArrayList;
import java.util.List;

/**
 * Records every answer; {@link #valid} says whether the target still waits (false: the
 * notification died, as in the ID_VALID race). Its own {@link #anyThread}; synchronized, since
 * an answer may come from a test's stand-in for the event loop.
 */
final class FakeNotifier implements Notifier {
  /** One answer to one notification. */
  sealed interface Answer {
    long id();

    record Value(long id, long value) implements Answer {}

    record Failed(long id, int errno) implements Answer {}

    record Proceeded(long id) implements Answer {}

    record Installed(long id, int srcFd, OnExec onExec) implements Answer {}

    record InstalledAt(long id, int srcFd, int targetFd, OnExec onExec) implements Answer {}
  }

  private final List<Answer> answers = new ArrayList<>();
  volatile boolean valid = true;
  int validChecks;
  /** What installAndAnswer returns: the target's fd, or {@code -errno}. */
  int installResult = 5;

  synchronized List<Answer> answers() {
    return List.copyOf(answers);
  }

  @Override
  public synchronized boolean isValid(long id) {
    validChecks++;
    return valid;
  }

  @Override
  public synchronized boolean answer(long id, long value) {
    answers.add(new Answer.Value(id, value));
    return valid;
  }

  @Override
  public synchronized boolean fail(long id, int errno) {
    answers.add(new Answer.Failed(id, errno));
    return valid;
  }

  @Override
  public synchronized boolean proceed(long id) {
    answers.add(new Answer.Proceeded(id));
    return valid;
  }

  @Override
  public synchronized int installAndAnswer(long id, int srcFd, OnExec onExec) {
    answers.add(new Answer.Installed(id, srcFd, onExec));
    return installResult;
  }

  @Override
  public synchronized int installAtAndAnswer(long id, int srcFd, int targetFd, OnExec onExec) {
    answers.add(new Answer.InstalledAt(id, srcFd, targetFd, onExec));
    return installResult < 0 ? installResult : targetFd;
  }

  @Override
  public Notifier anyThread() {
    return this;
  }
}
