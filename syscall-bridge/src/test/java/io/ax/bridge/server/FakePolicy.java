package io.ax.bridge.server;

import io.ax.bridge.SocketPolicy;
import io.ax.bridge.net.Inet4Endpoint;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** A policy that answers what the test says and records what it was told. Not thread-safe. */
final class FakePolicy implements SocketPolicy {
  /** One service table entry the bridge published. */
  record Published(String appId, long inode, Transport transport, Inet4Endpoint virtual, Inet4Endpoint real, int backlog) {}

  ConnectDecision connectDecision = new ConnectDecision.Direct();
  final Deque<BindDecision> bindDecisions = new ArrayDeque<>();
  final List<Inet4Endpoint> connectQuestions = new ArrayList<>();
  final List<Published> published = new ArrayList<>();
  final List<Inet4Endpoint> busy = new ArrayList<>();
  final List<Inet4Endpoint> released = new ArrayList<>();

  @Override
  public AppGrant register(Registration registration) {
    return new AppGrant("0000000a", 0x0a000002);
  }

  @Override
  public void unregister(String appId) {}

  @Override
  public BindDecision bind(String appId, Transport transport, Inet4Endpoint requested) {
    return bindDecisions.isEmpty() ? new BindDecision.Refuse(99) : bindDecisions.poll();
  }

  @Override
  public void released(String appId, Transport transport, Inet4Endpoint real) {
    released.add(real);
  }

  @Override
  public void busy(String appId, Transport transport, Inet4Endpoint real) {
    busy.add(real);
  }

  @Override
  public void published(String appId, long inode, Transport transport, Inet4Endpoint virtual, Inet4Endpoint real, int backlog) {
    published.add(new Published(appId, inode, transport, virtual, real, backlog));
  }

  @Override
  public void withdrawn(String appId, long inode) {}

  @Override
  public ConnectDecision connect(String appId, Transport transport, Inet4Endpoint destination) {
    connectQuestions.add(destination);
    return connectDecision;
  }

  /** What connectingViaGateway was told: local, gateway, destination. */
  final List<List<Inet4Endpoint>> viaGateway = new ArrayList<>();

  @Override
  public void connectingViaGateway(String appId, Inet4Endpoint local, Inet4Endpoint gateway, Inet4Endpoint destination) {
    viaGateway.add(List.of(local, gateway, destination));
  }
}
