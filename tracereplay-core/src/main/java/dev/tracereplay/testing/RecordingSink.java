package dev.tracereplay.testing;

import dev.tracereplay.channel.InMemorySeqPacketListener;
import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.channel.UnixSeqPacketChannel;
import dev.tracereplay.points.TraceMessage;
import dev.tracereplay.points.TraceMessageHandler;
import dev.tracereplay.server.ClientInfo;
import dev.tracereplay.server.CloseReason;
import dev.tracereplay.server.LimitReachedException;
import dev.tracereplay.server.SinkServer;
import dev.tracereplay.internal.wire.Handshake;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * A sink for tests that records every message it receives: the far end for a replay, a relay or a
 * proxy under test, as MockWebServer is for HTTP clients. It runs on the project's sink server,
 * on a real socket or in memory, and needs no test framework: any test can use it, and
 * tracereplay-junit5's assertions check what it received.
 *
 * <pre>{@code
 * try (RecordingSink sink = new RecordingSink().start(endpoint)) {
 *   replayer.replayTo(endpoint);
 *   List<ReceivedMessage> received = sink.awaitMessages(444, Duration.ofSeconds(10));
 *   assertThat(received.get(0).type()).isEqualTo(MessageType.CONTAINER_START);
 * }
 *
 * try (RecordingSink sink = new RecordingSink().startInMemory();
 *     SeqPacketChannel channel = sink.connect()) {
 *   replayer.replayTo(channel);
 * }
 * }</pre>
 *
 * <p>Lifecycle: configure ({@link #handshakeVersion}, {@link #maxMessages}), then
 * {@link #start(Path)}, {@link #start(InMemorySeqPacketListener)} or {@link #startInMemory()} once,
 * then {@link #close()}. Every client is accepted and answered with the configured handshake version;
 * each message is decoded and copied as it arrives, with its connection and number (a
 * {@link ReceivedMessage}); a payload that does not decode is recorded with the reason, and a
 * connection that breaks the protocol is recorded with the reason it was closed
 * ({@link #connections()}): nothing received is silently lost.
 *
 * <p>Messages are kept in memory until {@link #reset()} or the end of the sink, at most
 * {@link #maxMessages(int) maxMessages} of them (100,000 by default; a decoded runsc point takes
 * about 1 KiB of heap), so that a long session cannot exhaust the heap: a message beyond the limit
 * is not recorded and closes its connection, with a {@link CloseReason.Kind#LIMIT_REACHED} reason
 * that says so, which a failed {@link #awaitMessages} shows.
 *
 * <p>Thread-safe: the sink's threads (named {@code tracereplay-recording-sink-...}) record while
 * the test reads. Misuse fails with an {@link IllegalStateException} that says which call to make.
 */
public final class RecordingSink implements AutoCloseable {
  /** How many messages a sink keeps unless {@link #maxMessages(int)} says otherwise. */
  public static final int DEFAULT_MAX_MESSAGES = 100_000;

  private static final Duration CLOSE_GRACE_PERIOD = Duration.ofSeconds(5);

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final List<ReceivedMessage> messages = new ArrayList<>();
  private final Map<Long, Connection> connections = new LinkedHashMap<>();
  private int handshakeVersion = Handshake.CURRENT_VERSION;
  private int maxMessages = DEFAULT_MAX_MESSAGES;
  private volatile long closeAfter = Long.MAX_VALUE;
  private SinkServer server;
  private Path endpoint;
  private InMemorySeqPacketListener inMemory;
  private boolean closed;

  /** A sink not started yet. */
  public RecordingSink() {}

  /**
   * The version the sink answers every client's handshake with (default 1, gVisor's current one).
   *
   * @throws IllegalArgumentException when {@code version} is 0
   * @throws IllegalStateException when the sink was already started
   */
  public RecordingSink handshakeVersion(int version) {
    Handshake.checkVersion("handshake version", version);
    return beforeStart("handshakeVersion(int)", () -> handshakeVersion = version);
  }

  /**
   * The most messages the sink keeps at once (default {@value #DEFAULT_MAX_MESSAGES}); a message
   * beyond it is not recorded and closes its connection (reason
   * {@link CloseReason.Kind#LIMIT_REACHED}). {@link #reset()} frees the room.
   *
   * @throws IllegalArgumentException when {@code messages} is below 1
   * @throws IllegalStateException when the sink was already started
   */
  public RecordingSink maxMessages(int messages) {
    if (messages < 1) {
      throw new IllegalArgumentException("maxMessages must be at least 1, was " + messages);
    }
    return beforeStart("maxMessages(int)", () -> maxMessages = messages);
  }

  /** Applies a setting, which is made before {@code start(...)}; {@code call} names its method. */
  private RecordingSink beforeStart(String call, Runnable setting) {
    lock.lock();
    try {
      if (server != null || closed) {
        throw new IllegalStateException("call " + call + " before start(...)");
      }
      setting.run();
      return this;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Makes the sink close each connection when message {@code messages + 1} arrives (that message
   * is not recorded), as a sink that gives up part-way would: to test a sender's handling of a sink
   * that goes away. Takes effect at once, also on open connections; {@link Long#MAX_VALUE} (the
   * default) never closes.
   */
  public RecordingSink closeConnectionsAfter(long messages) {
    if (messages < 0) {
      throw new IllegalArgumentException("messages must be 0 or more, was " + messages);
    }
    closeAfter = messages;
    return this;
  }

  /**
   * Listens on an AF_UNIX SOCK_SEQPACKET socket created at {@code endpoint} (e.g. a path from
   * tracereplay-junit5's {@code @TraceEndpoint}).
   *
   * @throws IOException when the socket cannot be created there (see
   *     {@link dev.tracereplay.channel.UnixSeqPacketListener#bind})
   * @throws IllegalStateException when the sink was already started or closed
   */
  public RecordingSink start(Path endpoint) throws IOException {
    return start(SinkServer.builder().endpoint(Objects.requireNonNull(endpoint, "endpoint")), endpoint, null);
  }

  /**
   * Accepts the clients that {@code listener.connect()} creates, in this JVM, with no socket file;
   * {@link #close()} closes the listener.
   *
   * @throws IllegalStateException when the sink was already started or closed
   */
  public RecordingSink start(InMemorySeqPacketListener listener) throws IOException {
    return start(SinkServer.builder().listener(Objects.requireNonNull(listener, "listener")), null, listener);
  }

  /** Starts on a new in-memory listener; {@link #connect()} connects to it. */
  public RecordingSink startInMemory() throws IOException {
    return start(new InMemorySeqPacketListener("in-memory recording sink"));
  }

  private RecordingSink start(SinkServer.Builder builder, Path socket, InMemorySeqPacketListener listener)
      throws IOException {
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("close() already called; use a new RecordingSink");
      }
      if (server != null) {
        throw new IllegalStateException("start(...) already called; this sink listens on " + server.address());
      }
      server = builder.handlers(TraceMessageHandler.perClient(this::newClient))
          .handshakeVersion(handshakeVersion)
          .closeGracePeriod(CLOSE_GRACE_PERIOD)
          .name("recording-sink")
          .start();
      endpoint = socket;
      inMemory = listener;
      return this;
    } finally {
      lock.unlock();
    }
  }

  /** Where clients connect: the socket path, or the in-memory listener's name. */
  public String address() {
    return started().address();
  }

  /**
   * The socket path the sink listens on.
   *
   * @throws IllegalStateException when the sink is in memory, or not started
   */
  public Path endpoint() {
    lock.lock();
    try {
      started();
      if (endpoint == null) {
        throw new IllegalStateException("this sink is in memory and has no endpoint; call connect() for a channel to it");
      }
      return endpoint;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Connects a new client to the sink, e.g. for {@code replayer.replayTo(sink.connect())}: over the
   * socket, or in memory. Closing the channel ends the client's session.
   */
  public SeqPacketChannel connect() throws IOException {
    Path socket;
    InMemorySeqPacketListener listener;
    lock.lock();
    try {
      started();
      if (closed) {
        throw new IllegalStateException("close() already called; connect before closing the sink");
      }
      socket = endpoint;
      listener = inMemory;
    } finally {
      lock.unlock();
    }
    return listener != null ? listener.connect() : UnixSeqPacketChannel.connect(socket);
  }

  /** Every message received since the start or the last {@link #reset()}, in arrival order. */
  public List<ReceivedMessage> messages() {
    lock.lock();
    try {
      return List.copyOf(messages);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until at least {@code count} messages were received (since the start or the last
   * {@link #reset()}) and returns all of them, in arrival order.
   *
   * @throws AssertionError when fewer arrived within {@code timeout}, or before the sink was closed:
   *     the message says how many did, and the state of every connection
   * @throws IllegalStateException when the sink was never started
   */
  public List<ReceivedMessage> awaitMessages(int count, Duration timeout) throws InterruptedException {
    return await(count, timeout, messages::size, () -> List.copyOf(messages), "messages", "arrived");
  }

  /** The connections accepted since the start (those ended before the last {@link #reset()} not counted). */
  public List<SinkConnection> connections() {
    lock.lock();
    try {
      return connections.entrySet().stream().map(entry -> entry.getValue().snapshot(entry.getKey())).toList();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until at least {@code count} connections have ended, e.g. after a replay closed its
   * channel, and returns the ended ones in accept order.
   *
   * @throws AssertionError when fewer ended within {@code timeout}, or before the sink was closed
   * @throws IllegalStateException when the sink was never started
   */
  public List<SinkConnection> awaitClosedConnections(int count, Duration timeout) throws InterruptedException {
    return await(count, timeout, () -> closedConnections().size(), this::closedConnections, "closed connections",
        "closed");
  }

  /**
   * Forgets every message received and every connection that has ended; open connections stay,
   * their message count set back to 0, and go on being recorded. Message numbers go on counting.
   */
  public void reset() {
    lock.lock();
    try {
      messages.clear();
      connections.values().removeIf(connection -> connection.closeReason != null);
      connections.values().forEach(connection -> connection.messages = 0);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops accepting, lets every client's queued messages be recorded, closes the connections and
   * waits for them (at most 5 s, then closes them hard and waits as long again). What was recorded
   * stays readable. Calling it again, or on a sink never started, does nothing.
   *
   * @throws IllegalStateException when connections are still open after that
   */
  @Override
  public void close() {
    SinkServer running;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      running = server;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (running != null) {
      running.close();
      if (running.activeClients() != 0) {
        throw new IllegalStateException(running.activeClients() + " connection(s) of the recording sink on "
            + running.address() + " still open " + 2 * CLOSE_GRACE_PERIOD.toSeconds() + " s after close()");
      }
    }
  }

  @Override
  public String toString() {
    lock.lock();
    try {
      return "RecordingSink[" + (server == null ? "not started" : server.address()) + (closed ? ", closed" : "")
          + ", " + messages.size() + " messages]";
    } finally {
      lock.unlock();
    }
  }

  private SinkServer started() {
    lock.lock();
    try {
      if (server == null) {
        throw new IllegalStateException(closed ? "close() already called; this sink never started"
            : "call start(endpoint), start(listener) or startInMemory() first");
      }
      return server;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until {@code size} (read under the lock) reaches {@code count}, the timeout passes or the
   * sink closes, and returns {@code result}.
   */
  private <T> List<T> await(int count, Duration timeout, IntSupplier size, Supplier<List<T>> result, String what,
      String happened) throws InterruptedException {
    lock.lock();
    try {
      started();
      long remaining = timeout.toNanos();
      while (size.getAsInt() < count && !closed && remaining > 0) {
        remaining = changed.awaitNanos(remaining);
      }
      if (size.getAsInt() >= count) {
        return result.get();
      }
      throw new AssertionError("expected at least " + count + " " + what + " within " + timeout.toMillis() + " ms but "
          + size.getAsInt() + " " + happened + (closed ? " before the sink was closed" : "") + "; connections: "
          + describeConnections());
    } finally {
      lock.unlock();
    }
  }

  private TraceMessageHandler newClient(ClientInfo client) {
    lock.lock();
    try {
      connections.put(client.id(), new Connection(client.version()));
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    return new TraceMessageHandler() {
      @Override
      public void onMessage(TraceMessage message) throws IOException {
        long limit = closeAfter;
        if (message.number() > limit) {
          throw new LimitReachedException("closing the connection after " + limit
              + " messages, as closeConnectionsAfter(" + limit + ") asks");
        }
        message.decode();
        // Decoded before copying, so the copy carries the result and is never decoded again.
        recorded(new ReceivedMessage(client.id(), message.copy()));
      }

      @Override
      public void onClose(CloseReason reason) {
        ended(client.id(), reason);
      }
    };
  }

  private void recorded(ReceivedMessage message) throws LimitReachedException {
    lock.lock();
    try {
      if (messages.size() >= maxMessages) {
        throw new LimitReachedException("the recording sink holds " + messages.size() + " messages, its limit;"
            + " call reset() to free them, or raise maxMessages(int)");
      }
      messages.add(message);
      connections.get(message.client()).messages++;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void ended(long client, CloseReason reason) {
    lock.lock();
    try {
      connections.get(client).closeReason = reason;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private List<SinkConnection> closedConnections() {
    return connections().stream().filter(connection -> !connection.isOpen()).toList();
  }

  private String describeConnections() {
    List<SinkConnection> all = connections();
    return all.isEmpty() ? "none" : all.stream().map(SinkConnection::toString).collect(Collectors.joining("; "));
  }

  /** What is known of one connection; guarded by the lock. */
  private static final class Connection {
    final int version;
    long messages;
    CloseReason closeReason;

    Connection(int version) {
      this.version = version;
    }

    SinkConnection snapshot(long client) {
      return new SinkConnection(client, version, messages, closeReason);
    }
  }
}
