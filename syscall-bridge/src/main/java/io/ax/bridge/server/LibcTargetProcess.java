package io.ax.bridge.server;

import io.ax.bridge.sys.PidfdCache;
import io.ax.bridge.sys.Scratch;
import io.ax.bridge.sys.SysCallException;
import io.ax.bridge.sys.Target;
import java.util.Optional;

/**
 * The real {@link TargetProcess}: process_vm_readv/writev and pidfd_getfd through {@link Target},
 * capabilities from /proc. Confined to the thread that owns its scratch and pidfd cache.
 */
final class LibcTargetProcess implements TargetProcess {
  private final Scratch scratch;
  private final Optional<PidfdCache> pidfds;

  /**
   * @param pidfds the owning thread's cache of pidfds (a receiver's), or empty to open one per
   *     fd copy (a short-lived task)
   */
  LibcTargetProcess(Scratch scratch, Optional<PidfdCache> pidfds) {
    this.scratch = scratch;
    this.pidfds = pidfds;
  }

  @Override
  public byte[] read(int tid, long address, int len) throws SysCallException {
    return Target.read(scratch, tid, address, len);
  }

  @Override
  public void write(int tid, long address, byte[] data) throws SysCallException {
    Target.write(tid, address, data);
  }

  @Override
  public int copyFd(int tid, int targetFd) {
    return pidfds.isPresent() ? Target.copyFd(pidfds.get(), tid, targetFd) : Target.copyFd(tid, targetFd);
  }

  @Override
  public long openFilesLimit(int tid) {
    return io.ax.bridge.sys.Libc.openFilesSoftLimit(tid);
  }

  @Override
  public boolean hasNetRaw(int tid) {
    return Capabilities.hasNetRaw(tid);
  }
}
