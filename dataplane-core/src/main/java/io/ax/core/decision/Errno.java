package io.ax.core.decision;

/** The Linux errno values a connect decision may answer with. */
public enum Errno {
  EACCES(13),
  ECONNREFUSED(111),
  ENETUNREACH(101);

  private final int value;

  Errno(int value) {
    this.value = value;
  }

  /** The number the kernel uses (x86_64 and arm64 agree on these). */
  public int value() {
    return value;
  }
}
