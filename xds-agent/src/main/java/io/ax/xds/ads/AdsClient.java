package io.ax.xds.ads;

import io.ax.xds.resource.ResourceType;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.CallCredentials;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A state-of-the-world ADS client ({@code AggregatedDiscoveryService.StreamAggregatedResources})
 * that keeps the accepted CDS, LDS, EDS and RDS resources and hands them, whole, to a
 * {@link SnapshotListener} after every response that changed them. The protocol rules are in
 * {@link AdsState}.
 *
 * <p>Threading: all client state is confined to the {@link SerialScheduler} given to it; gRPC's
 * callbacks only hop onto it. Inbound flow control is manual, one response at a time, so at most
 * one response waits on the executor whatever the server sends. Public methods may be called
 * from any thread.
 *
 * <p>Failures: a stream that fails or ends is reopened after {@link AdsConfig#reconnect()} backoff
 * (reset once a stream has received a response) and resubscribes with the last accepted versions;
 * meanwhile the listener's last snapshot stays valid: nothing is dropped while the control plane
 * is away. The client does not own the channel, the scheduler or the listener.
 */
public final class AdsClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AdsClient.class);

  private final AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceStub stub;
  private final String target;
  private final AdsConfig config;
  private final SnapshotListener listener;
  private final SerialScheduler scheduler;
  private final RandomGenerator random;
  private final Counters counters = new Counters();

  // Confined to the scheduler.
  private final AdsState state;
  private final Map<ResourceType, SerialScheduler.Cancellable> delayedNacks = new EnumMap<>(ResourceType.class);
  private Optional<Stream> stream = Optional.empty();
  private Optional<SerialScheduler.Cancellable> reconnectTimer = Optional.empty();
  private long streamIds;
  private int reconnectAttempt;
  private boolean started;
  private boolean closed;

  public AdsClient(
      Channel channel,
      Optional<CallCredentials> credentials,
      AdsConfig config,
      ResourceDecoder decoder,
      SnapshotListener listener,
      SerialScheduler scheduler,
      RandomGenerator random) {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(credentials, "credentials");
    this.config = Objects.requireNonNull(config, "config");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.random = Objects.requireNonNull(random, "random");
    AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceStub s = AggregatedDiscoveryServiceGrpc.newStub(channel)
        .withMaxInboundMessageSize(config.maxInboundMessageBytes());
    this.stub = credentials.isPresent() ? s.withCallCredentials(credentials.get()) : s;
    this.target = channel.authority();
    this.state = new AdsState(config.node(), Objects.requireNonNull(decoder, "decoder"), config.maxResourcesPerResponse());
  }

  /** Opens the stream. Calling it again, or after {@link #close()}, does nothing. */
  public void start() {
    scheduler.execute(() -> {
      if (!started && !closed) {
        started = true;
        connect();
      }
    });
  }

  /** What the client has done so far; counters only grow. Any thread. */
  public AdsStats stats() {
    return counters.snapshot();
  }

  /**
   * Cancels the stream and every timer, and waits (up to 5 s) for that to happen on the
   * scheduler. Idempotent. The last snapshot the listener got stays valid.
   */
  @Override
  public void close() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    scheduler.execute(() -> {
      if (!closed) {
        closed = true;
        reconnectTimer.ifPresent(SerialScheduler.Cancellable::cancel);
        delayedNacks.values().forEach(SerialScheduler.Cancellable::cancel);
        delayedNacks.clear();
        stream.ifPresent(s -> s.cancel("the agent is stopping"));
        stream = Optional.empty();
        log.info("[ads] closed the stream to {}", target);
      }
      done.complete(null);
    });
    try {
      done.get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("[ads] the client's executor did not confirm the close within 5 s (it may be stopped already)");
    }
  }

  private void connect() {
    reconnectTimer = Optional.empty();
    if (closed || stream.isPresent()) {
      return;
    }
    Stream s = new Stream(++streamIds);
    stream = Optional.of(s);
    counters.streams.incrementAndGet();
    log.info("[ads {}] connecting to {} as {}", s.id, target, config.node().getId());
    stub.streamAggregatedResources(s);
    for (DiscoveryRequest request : state.onStreamStart()) {
      send(s, request);
    }
  }

  private void onResponse(Stream s, DiscoveryResponse response) {
    if (stream.orElse(null) != s) {
      return; // a late message of a stream we already gave up
    }
    if (!s.receivedAny) {
      s.receivedAny = true;
      // The stream works: the next failure starts the backoff again from the beginning.
      reconnectAttempt = 0;
      log.info("[ads {}] connected to {}", s.id, target);
    }
    counters.responses.incrementAndGet();
    log.debug("[ads {}] response {} version '{}' nonce '{}' with {} resources", s.id, response.getTypeUrl(), response.getVersionInfo(),
        response.getNonce(), response.getResourcesCount());
    Optional<AdsState.Outcome> maybe = state.onResponse(response);
    if (maybe.isEmpty()) {
      long dropped = counters.droppedResponses.incrementAndGet();
      log.warn("[ads {}] dropped a response of type '{}' that the agent does not subscribe to ({} dropped so far)", s.id, response.getTypeUrl(), dropped);
      s.requestNext();
      return;
    }
    AdsState.Outcome outcome = maybe.get();
    if (outcome.ignored() > 0) {
      counters.ignoredResources.addAndGet(outcome.ignored());
      log.debug("[ads {}] ignored {} {} resources not subscribed to", s.id, outcome.ignored(), outcome.type().shortName());
    }
    cancelDelayedNack(outcome.type());
    if (outcome.nack()) {
      counters.nacks.incrementAndGet();
      String kept = state.acceptedVersion(outcome.type());
      if (outcome.repeatedNacks() == 0) {
        log.warn("[ads {}] NACK {} version '{}' (keeping version '{}' and the last good value of each rejected resource; {} accepted): {}", s.id,
            outcome.type().shortName(), outcome.version(), kept, outcome.accepted(), outcome.reply().getErrorDetail().getMessage());
        send(s, outcome.reply());
      } else {
        Duration delay = config.repeatedNack().delay(outcome.repeatedNacks() - 1, random);
        log.warn("[ads {}] NACK {} version '{}' again ({} times), answering in {} ms", s.id, outcome.type().shortName(), outcome.version(),
            outcome.repeatedNacks() + 1, delay.toMillis());
        delayedNacks.put(outcome.type(), scheduler.schedule(() -> {
          delayedNacks.remove(outcome.type());
          if (stream.orElse(null) == s) {
            send(s, outcome.reply());
          }
        }, delay));
      }
    } else {
      counters.acks.incrementAndGet();
      log.info("[ads {}] accepted {} version '{}': {} resources, {} removed", s.id, outcome.type().shortName(), outcome.version(),
          outcome.accepted(), outcome.removed());
      send(s, outcome.reply());
    }
    for (DiscoveryRequest update : outcome.subscriptionUpdates()) {
      log.info("[ads {}] subscribing {} to {} names", s.id, ResourceType.ofTypeUrl(update.getTypeUrl()).map(ResourceType::shortName).orElse("?"),
          update.getResourceNamesCount());
      cancelDelayedNack(ResourceType.ofTypeUrl(update.getTypeUrl()).orElseThrow());
      send(s, update);
    }
    if (outcome.changed() || !outcome.nack()) {
      try {
        listener.onSnapshot(state.snapshot());
      } catch (RuntimeException e) {
        log.error("[ads {}] the snapshot listener failed; the client goes on", s.id, e);
      }
    }
    s.requestNext();
  }

  private void onClosed(Stream s, Status status) {
    if (stream.orElse(null) != s) {
      return;
    }
    stream = Optional.empty();
    delayedNacks.values().forEach(SerialScheduler.Cancellable::cancel);
    delayedNacks.clear();
    if (closed) {
      return;
    }
    if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED) {
      counters.oversizedResponses.incrementAndGet();
    }
    Duration delay = config.reconnect().delay(reconnectAttempt, random);
    reconnectAttempt = Math.min(reconnectAttempt + 1, 64);
    log.warn("[ads {}] stream to {} ended: {}{}; reconnecting in {} ms, serving the last accepted state meanwhile (CDS '{}', LDS '{}')", s.id, target,
        status.getCode(), status.getDescription() == null ? "" : " " + status.getDescription(), delay.toMillis(),
        state.acceptedVersion(ResourceType.CLUSTER), state.acceptedVersion(ResourceType.LISTENER));
    reconnectTimer = Optional.of(scheduler.schedule(this::connect, delay));
  }

  private void cancelDelayedNack(ResourceType type) {
    SerialScheduler.Cancellable pending = delayedNacks.remove(type);
    if (pending != null) {
      pending.cancel();
    }
  }

  private void send(Stream s, DiscoveryRequest request) {
    log.debug("[ads {}] request {} version '{}' nonce '{}' names {}{}", s.id, request.getTypeUrl(), request.getVersionInfo(), request.getResponseNonce(),
        request.getResourceNamesCount(), request.hasErrorDetail() ? " (NACK)" : "");
    s.send(request);
  }

  /** One attempt at the stream; its callbacks hop onto the scheduler. */
  private final class Stream implements ClientResponseObserver<DiscoveryRequest, DiscoveryResponse> {
    final long id;
    boolean receivedAny;
    private ClientCallStreamObserver<DiscoveryRequest> requests;

    Stream(long id) {
      this.id = id;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<DiscoveryRequest> requestStream) {
      this.requests = requestStream;
      // One response at a time: the next is asked for once this one has been handled.
      requestStream.disableAutoRequestWithInitial(1);
    }

    @Override
    public void onNext(DiscoveryResponse response) {
      scheduler.execute(() -> onResponse(this, response));
    }

    @Override
    public void onError(Throwable t) {
      Status status = Status.fromThrowable(t);
      scheduler.execute(() -> onClosed(this, status));
    }

    @Override
    public void onCompleted() {
      scheduler.execute(() -> onClosed(this, Status.UNAVAILABLE.withDescription("the server ended the stream")));
    }

    void send(DiscoveryRequest request) {
      try {
        requests.onNext(request);
      } catch (RuntimeException e) {
        // The call is already closed or cancelled; its onError brings the reconnect.
        log.debug("[ads {}] could not send a request: {}", id, e.toString());
      }
    }

    void requestNext() {
      requests.request(1);
    }

    void cancel(String why) {
      requests.cancel(why, null);
    }
  }

  /** Thread-safe counters behind {@link #stats()}. */
  private static final class Counters {
    final AtomicLong streams = new AtomicLong();
    final AtomicLong responses = new AtomicLong();
    final AtomicLong acks = new AtomicLong();
    final AtomicLong nacks = new AtomicLong();
    final AtomicLong droppedResponses = new AtomicLong();
    final AtomicLong ignoredResources = new AtomicLong();
    final AtomicLong oversizedResponses = new AtomicLong();

    AdsStats snapshot() {
      return new AdsStats(streams.get(), responses.get(), acks.get(), nacks.get(), droppedResponses.get(), ignoredResources.get(), oversizedResponses.get());
    }
  }
}
