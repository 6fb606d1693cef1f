package io.ax.bridge.server;

import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;

/**
 * What the bridge remembers of one app socket, keyed by its inode: the virtual addresses the app
 * sees (getsockname/getpeername) and the real one it is bound to. Fields are guarded by the
 * object's monitor: a socket's calls may come from several threads of the app at once.
 */
final class SocketState {
  final String appId;
  final long inode;
  final int family;
  final Transport transport;
  /**
   * The kernel's socket type (SOCK_STREAM...) when the bridge made the socket itself, so that
   * later calls on it need not ask the kernel what it is; 0 when unknown (then {@link #family}
   * may be a stand-in too, as for entries restored from the saved state).
   */
  final int type;
  final long createdNanos;
  private Inet4Endpoint virtualLocal;
  private Inet4Endpoint realLocal;
  private Inet4Endpoint virtualPeer;
  private boolean published;
  private long publishedNanos;

  SocketState(String appId, long inode, int family, Transport transport, long createdNanos) {
    this(appId, inode, family, transport, 0, createdNanos);
  }

  SocketState(String appId, long inode, int family, Transport transport, int type, long createdNanos) {
    this.appId = appId;
    this.inode = inode;
    this.family = family;
    this.transport = transport;
    this.type = type;
    this.createdNanos = createdNanos;
  }

  synchronized void bound(Inet4Endpoint virtual, Inet4Endpoint real) {
    this.virtualLocal = virtual;
    this.realLocal = real;
  }

  synchronized Inet4Endpoint virtualLocal() {
    return virtualLocal;
  }

  synchronized Inet4Endpoint realLocal() {
    return realLocal;
  }

  synchronized void connectedTo(Inet4Endpoint virtual) {
    this.virtualPeer = virtual;
  }

  synchronized Inet4Endpoint virtualPeer() {
    return virtualPeer;
  }

  /** Marks the socket published; true only the first time. */
  synchronized boolean publish(long nowNanos) {
    if (published) {
      return false;
    }
    published = true;
    publishedNanos = nowNanos;
    return true;
  }

  synchronized long publishedNanos() {
    return publishedNanos;
  }

  synchronized boolean published() {
    return published;
  }
}
