package io.ax.bridge.server;

import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.net.SockAddr;
import io.ax.bridge.net.SockAddrCodec;
import io.ax.bridge.sys.Errno;
import io.ax.bridge.sys.Sys;
import io.ax.bridge.sys.Target;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The daemon's sockets, scripted: each connect to an address answers the next value queued for
 * it (0 once the queue is empty), SO_ERROR answers the next queued error. Records what was done.
 * Not thread-safe: one test thread (which also plays the event loop).
 */
final class FakeHostSockets implements HostSockets {
  /** The address a connect or bind went to: an IPv4 endpoint, or AF_UNSPEC. */
  sealed interface Address {
    record Inet(Inet4Endpoint endpoint) implements Address {}

    record Unspec() implements Address {}
  }

  /** One sendmsg. */
  record Sent(byte[] data, byte[] to, byte[] control, int flags) {}

  private final Map<Inet4Endpoint, Deque<Integer>> connectAnswers = new HashMap<>();
  final Deque<Integer> soErrors = new ArrayDeque<>();
  final Deque<Integer> bindAnswers = new ArrayDeque<>();
  final List<Address> connects = new ArrayList<>();
  final List<Address> binds = new ArrayList<>();
  /** The sockaddrs of the binds, as encoded. */
  final List<byte[]> bindSockaddrs = new ArrayList<>();
  final List<Integer> listens = new ArrayList<>();
  final List<Integer> flagChanges = new ArrayList<>();
  final List<Integer> closed = new ArrayList<>();
  final List<Sent> sent = new ArrayList<>();
  final Map<Integer, Integer> options = new HashMap<>();
  int family = Sys.AF_INET;
  /** IPV6_V6ONLY of the socket (1: IPv6 only), or -errno. */
  int ipv6Only = 0;
  int type = Sys.SOCK_STREAM;
  long inode = 7;
  int flags = 0x2; // O_RDWR: a blocking socket
  boolean hasPeer = true;
  int nextSocket = 200;
  int describes;

  /** Queues the answers of the next connects to {@code target}, in order. */
  FakeHostSockets answer(Inet4Endpoint target, int... results) {
    Deque<Integer> q = connectAnswers.computeIfAbsent(target, t -> new ArrayDeque<>());
    for (int r : results) {
      q.add(r);
    }
    return this;
  }

  /** The connects made to IPv4 endpoints, in order. */
  List<Inet4Endpoint> connectedEndpoints() {
    return connects.stream().filter(a -> a instanceof Address.Inet).map(a -> ((Address.Inet) a).endpoint()).toList();
  }

  @Override
  public int socket(int domain, int socketType, int protocol) {
    return nextSocket++;
  }

  @Override
  public long inode(int fd) {
    return inode;
  }

  @Override
  public Target.SocketInfo describe(int fd, long socketInode) {
    describes++;
    return new Target.SocketInfo(family, type, socketInode);
  }

  @Override
  public int connect(int fd, byte[] sockaddr) {
    Address to = decode(sockaddr);
    connects.add(to);
    if (to instanceof Address.Inet inet) {
      Deque<Integer> q = connectAnswers.get(inet.endpoint());
      return q == null || q.isEmpty() ? 0 : q.poll();
    }
    return 0;
  }

  @Override
  public int bind(int fd, byte[] sockaddr) {
    binds.add(decode(sockaddr));
    bindSockaddrs.add(sockaddr.clone());
    return bindAnswers.isEmpty() ? 0 : bindAnswers.poll();
  }

  @Override
  public int listen(int fd, int backlog) {
    listens.add(backlog);
    return 0;
  }

  @Override
  public int fileFlags(int fd) {
    return flags;
  }

  @Override
  public int setFileFlags(int fd, int newFlags) {
    flags = newFlags;
    flagChanges.add(newFlags);
    return 0;
  }

  @Override
  public int intOption(int fd, int name) {
    if (name == Sys.SO_ERROR) {
      return soErrors.isEmpty() ? 0 : soErrors.poll();
    }
    return options.getOrDefault(name, 0);
  }

  @Override
  public int ipv6Only(int fd) {
    return ipv6Only;
  }

  @Override
  public int setIntOption(int fd, int name, int value) {
    options.put(name, value);
    return 0;
  }

  @Override
  public boolean hasPeer(int fd) {
    return hasPeer;
  }

  /** What getsockname answers: the node's address with a made-up ephemeral port. */
  java.util.Optional<io.ax.bridge.net.Inet4Endpoint> localAddress = java.util.Optional.of(new io.ax.bridge.net.Inet4Endpoint(0xc000020a, 51000));

  @Override
  public java.util.Optional<io.ax.bridge.net.Inet4Endpoint> localAddress(int fd) {
    return localAddress;
  }

  @Override
  public long sendmsg(int fd, byte[] data, byte[] to, byte[] control, int sendFlags) {
    sent.add(new Sent(data.clone(), to.clone(), control.clone(), sendFlags));
    return data.length;
  }

  @Override
  public void close(int fd) {
    closed.add(fd);
  }

  private Address decode(byte[] sockaddr) {
    try {
      SockAddr a = SockAddrCodec.decode(sockaddr, sockaddr.length, Sys.AF_INET6);
      return a.inet4().<Address>map(Address.Inet::new).orElse(new Address.Unspec());
    } catch (SockAddrCodec.BadAddressException e) {
      throw new AssertionError("the bridge encoded a bad sockaddr: " + e.getMessage() + " (" + Errno.describe(e.errno()) + ")");
    }
  }
}
