package io.ax.bridge.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * {@code struct nlmsgerr} (linux/netlink.h): the payload of an NLMSG_ERROR, a negative errno (0
 * for an acknowledgement) followed by the header of the request that failed; 20 bytes. Only the
 * error is read. Stateless: the segments are the caller's.
 */
final class NlMsgErrStruct {
  static final StructLayout LAYOUT = MemoryLayout.structLayout(
      JAVA_INT.withName("error"),
      NlMsgHdrStruct.LAYOUT.withName("msg"));
  static final int SIZE = (int) LAYOUT.byteSize();
  /** A payload this long holds the error; the rest is the echoed request. */
  static final int ERROR_END = (int) (LAYOUT.byteOffset(groupElement("error")) + JAVA_INT.byteSize());
  // An offset rather than a var handle: a short error message need not hold the whole struct.
  private static final long ERROR = LAYOUT.byteOffset(groupElement("error"));

  private NlMsgErrStruct() {}

  /** The error of a payload at least {@link #ERROR_END} bytes long: {@code -errno}, or 0. */
  static int error(MemorySegment payload) {
    return payload.get(JAVA_INT, ERROR);
  }
}
