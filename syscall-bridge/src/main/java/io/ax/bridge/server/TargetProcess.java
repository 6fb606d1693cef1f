package io.ax.bridge.server;

import io.ax.bridge.sys.SysCallException;

/**
 * The trapped thread's process, as the call handlers reach it: its memory, its fds and its
 * privileges. The seam that lets handlers run against a fake target in tests; the real one is
 * {@link LibcTargetProcess}.
 *
 * <p>Contract: {@code tid} is the trapped thread's id from the notification. Memory is read and
 * written whole or not at all (a range that crosses into unmapped memory is EFAULT); what was
 * read may change in the target right after, so read once and act on the copy, after the
 * notifier's ID_VALID check. An instance is confined to the thread that made it.
 */
interface TargetProcess {

  /** {@code len} bytes at {@code address} in thread {@code tid}'s memory. */
  byte[] read(int tid, long address, int len) throws SysCallException;

  /** Writes {@code data} at {@code address} in thread {@code tid}'s memory. */
  void write(int tid, long address, byte[] data) throws SysCallException;

  /**
   * Our own copy of the thread's fd {@code targetFd}, sharing its open file description (close
   * it when done).
   *
   * @return the fd, or {@code -errno}: EBADF for a bad fd number, ESRCH when the thread is gone
   */
  int copyFd(int tid, int targetFd);

  /**
   * The soft RLIMIT_NOFILE of thread {@code tid}'s process: its fd numbers stay below it.
   * {@link Long#MAX_VALUE} when unlimited; {@code -errno} (ESRCH: the thread is gone).
   */
  long openFilesLimit(int tid);

  /** Whether thread {@code tid} holds CAP_NET_RAW now; false when that cannot be read. */
  boolean hasNetRaw(int tid);

  /** A little-endian 32-bit int (a {@code socklen_t}). */
  default int readInt(int tid, long address) throws SysCallException {
    byte[] b = read(tid, address, 4);
    return (b[0] & 0xff) | ((b[1] & 0xff) << 8) | ((b[2] & 0xff) << 16) | ((b[3] & 0xff) << 24);
  }

  default void writeInt(int tid, long address, int value) throws SysCallException {
    write(tid, address, new byte[] {(byte) value, (byte) (value >>> 8), (byte) (value >>> 16), (byte) (value >>> 24)});
  }
}
