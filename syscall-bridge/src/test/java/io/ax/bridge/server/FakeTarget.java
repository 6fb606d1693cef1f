package io.ax.bridge.server;

import io.ax.bridge.sys.Errno;
import io.ax.bridge.sys.SysCallException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A trapped process in memory: mapped regions that reads must fall inside whole (else EFAULT, as
 * process_vm_readv's partial read is), the fd copy it hands out, its CAP_NET_RAW. Records writes.
 * Not thread-safe: one test thread.
 */
final class FakeTarget implements TargetProcess {
  /** One write into the target's memory. */
  record Write(long address, byte[] data) {}

  private final TreeMap<Long, byte[]> memory = new TreeMap<>();
  final List<Write> writes = new ArrayList<>();
  /** What copyFd answers: our copy's number, or {@code -errno}. */
  int fdCopy = 100;
  /** When not empty, the only numbers the target holds: copyFd of any other answers EBADF. */
  final java.util.Set<Integer> held = new java.util.TreeSet<>();
  /** What openFilesLimit answers. */
  long openFilesLimit = 1024;
  boolean netRaw;
  int reads;

  /** Maps {@code bytes} at {@code address}. */
  FakeTarget map(long address, byte[] bytes) {
    memory.put(address, bytes.clone());
    return this;
  }

  @Override
  public byte[] read(int tid, long address, int len) throws SysCallException {
    reads++;
    if (len == 0) {
      return new byte[0];
    }
    Map.Entry<Long, byte[]> region = memory.floorEntry(address);
    if (region == null || address + len > region.getKey() + region.getValue().length) {
      throw new SysCallException("process_vm_readv", Errno.EFAULT);
    }
    int from = (int) (address - region.getKey());
    return Arrays.copyOfRange(region.getValue(), from, from + len);
  }

  @Override
  public void write(int tid, long address, byte[] data) throws SysCallException {
    Map.Entry<Long, byte[]> region = memory.floorEntry(address);
    if (region == null || address + data.length > region.getKey() + region.getValue().length) {
      throw new SysCallException("process_vm_writev", Errno.EFAULT);
    }
    System.arraycopy(data, 0, region.getValue(), (int) (address - region.getKey()), data.length);
    writes.add(new Write(address, data.clone()));
  }

  @Override
  public int copyFd(int tid, int targetFd) {
    return held.isEmpty() || held.contains(targetFd) ? fdCopy : -Errno.EBADF;
  }

  @Override
  public long openFilesLimit(int tid) {
    return openFilesLimit;
  }

  @Override
  public boolean hasNetRaw(int tid) {
    return netRaw;
  }
}
