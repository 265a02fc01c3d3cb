package dev.tracereplay.server;

import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.channel.SeqPacketListener;
import dev.tracereplay.channel.UnixSeqPacketListener;
import dev.tracereplay.file.TraceFormat;
import dev.tracereplay.wire.Handshake;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of the runsc remote-sink protocol, for anything that receives trace sessions:
 * it accepts clients (runsc sandboxes, or replays), does the handshake, checks every packet
 * against the limits and hands each client's messages to that client's {@link ClientHandler}.
 * {@link dev.tracereplay.TraceRecorder} is one such handler; a monitor is another.
 *
 * <pre>{@code
 * try (SinkServer server = SinkServer.builder(client -> new MyHandler(client))
 *     .endpoint(Path.of("/tmp/gvisor_events.sock"))
 *     .start()) {
 *   ...
 * }
 * }</pre>
 *
 * <p>Each client is served by a thread of its own, so one slow or stuck client never delays
 * another. A client that breaks the protocol (a malformed or oversized packet, a bad handshake) is
 * closed with a logged reason; its handler keeps what it received before, and no other client is
 * affected. Clients beyond {@link Builder#maxClients} are refused at once with a log line.
 *
 * <p>Thread-safe. {@link #close()} stops accepting, lets every client's queued packets be
 * received, then closes the connections and waits for the handlers' {@code onClose}.
 */
public final class SinkServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SinkServer.class);

  private final SeqPacketListener listener;
  private final ClientHandlerFactory handlers;
  private final Limits limits;
  private final int version;
  private final String name;
  private final Duration closeGracePeriod;
  private final Thread acceptThread;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition clientsChanged = lock.newCondition();
  private final List<ClientConnection> clients = new ArrayList<>();
  private final AtomicLong acceptedClients = new AtomicLong();
  private volatile boolean closing;
  private boolean closed;

  private SinkServer(Builder builder, SeqPacketListener listener) {
    this.listener = listener;
    this.handlers = builder.handlers;
    this.limits = new Limits(builder.maxMessageSize, builder.maxHandshakeSize, builder.maxClients,
        builder.handshakeTimeout);
    this.version = builder.version;
    this.name = builder.name;
    this.closeGracePeriod = builder.closeGracePeriod;
    this.acceptThread = new Thread(this::acceptLoop, "tracereplay-" + name + "-accept");
    this.acceptThread.setDaemon(true);
  }

  /** Starts building a server whose clients are served by handlers from {@code handlers}. */
  public static Builder builder(ClientHandlerFactory handlers) {
    return new Builder().handlers(handlers);
  }

  /** Starts building a server; give it {@link Builder#handlers} before starting it. */
  public static Builder builder() {
    return new Builder();
  }

  /** Where clients connect: the socket path, or the in-memory listener's name. */
  public String address() {
    return listener.address();
  }

  /** The number of clients connected now (including those still in their handshake). */
  public int activeClients() {
    lock.lock();
    try {
      return clients.size();
    } finally {
      lock.unlock();
    }
  }

  /** The number of clients accepted since the start (refused ones not counted). */
  public long acceptedClients() {
    return acceptedClients.get();
  }

  /**
   * Waits until no client is connected, e.g. after the sandboxes being recorded have exited.
   *
   * @return true when no client is connected, false when the timeout passed first
   */
  public boolean awaitNoClients(Duration timeout) throws InterruptedException {
    long remaining = timeout.toNanos();
    lock.lock();
    try {
      while (!clients.isEmpty()) {
        if (remaining <= 0) {
          return false;
        }
        remaining = clientsChanged.awaitNanos(remaining);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops accepting, lets each connected client's queued packets reach its handler, closes the
   * connections and waits (bounded by the grace period) for every handler's {@code onClose}.
   * Calling it again does nothing.
   */
  @Override
  public void close() {
    List<ClientConnection> open;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      closing = true;
      open = new ArrayList<>(clients);
    } finally {
      lock.unlock();
    }
    try {
      listener.close();
    } catch (IOException e) {
      log.warn("Closing the listener on {} failed: {}", address(), e.toString());
    }
    for (ClientConnection client : open) {
      client.stopReceiving();
    }
    try {
      if (!awaitNoClients(closeGracePeriod)) {
        log.warn("{} client(s) still connected {} ms after close(); closing them now",
            activeClients(), closeGracePeriod.toMillis());
        for (ClientConnection client : open) {
          client.forceClose();
        }
        awaitNoClients(closeGracePeriod);
      }
      acceptThread.join(closeGracePeriod.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  boolean isClosing() {
    return closing;
  }

  int version() {
    return version;
  }

  Limits limits() {
    return limits;
  }

  ClientHandlerFactory handlers() {
    return handlers;
  }

  private void acceptLoop() {
    while (!closing) {
      SeqPacketChannel channel;
      try {
        channel = listener.accept();
      } catch (ClosedChannelException e) {
        break;
      } catch (IOException e) {
        if (closing) {
          break;
        }
        log.warn("Accepting a client on {} failed: {}", address(), e.toString());
        pauseAfterAcceptFailure();
        continue;
      }
      admit(channel);
    }
  }

  /**
   * Waits a little before accepting again: a failure such as running out of file descriptors
   * repeats at once, and retrying in a tight loop would flood the log and burn a core.
   */
  private void pauseAfterAcceptFailure() {
    lock.lock();
    try {
      if (!closing) {
        clientsChanged.await(100, java.util.concurrent.TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
  }

  private void admit(SeqPacketChannel channel) {
    ClientConnection client;
    lock.lock();
    try {
      if (closing || clients.size() >= limits.maxClients()) {
        refuse(channel, closing ? "the server is closing"
            : clients.size() + " clients are connected, the limit (maxClients) is " + limits.maxClients());
        return;
      }
      client = new ClientConnection(this, channel, acceptedClients.incrementAndGet());
      clients.add(client);
      clientsChanged.signalAll();
    } finally {
      lock.unlock();
    }
    Thread thread = new Thread(client, "tracereplay-" + name + "-client-" + client.id());
    thread.setDaemon(true);
    thread.start();
  }

  private void refuse(SeqPacketChannel channel, String why) {
    log.warn("Refused a client on {}: {}", address(), why);
    closeQuietly(channel);
  }

  void removed(ClientConnection client) {
    lock.lock();
    try {
      clients.remove(client);
      clientsChanged.signalAll();
    } finally {
      lock.unlock();
    }
  }

  static void closeQuietly(SeqPacketChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      log.debug("Closing {} failed", channel.peerAddress(), e);
    }
  }

  /** The limits every client is held to. */
  record Limits(int maxMessageSize, int maxHandshakeSize, int maxClients, Duration handshakeTimeout) {}

  /** Configures and starts a {@link SinkServer}; every setting has a default. */
  public static final class Builder {
    private ClientHandlerFactory handlers;
    private Path endpoint;
    private SeqPacketListener listener;
    private UnixSeqPacketListener.Options socketOptions = UnixSeqPacketListener.Options.defaults();
    private int version = Handshake.CURRENT_VERSION;
    private int maxMessageSize = TraceFormat.DEFAULT_MAX_RECORD_SIZE;
    private int maxHandshakeSize = Handshake.MAX_SIZE;
    private int maxClients = 256;
    private Duration handshakeTimeout = Duration.ofSeconds(30);
    private Duration closeGracePeriod = Duration.ofSeconds(10);
    private String name = "sink";

    private Builder() {}

    /** Replaces the factory of client handlers. */
    public Builder handlers(ClientHandlerFactory handlers) {
      this.handlers = Objects.requireNonNull(handlers, "handlers");
      return this;
    }

    /** Listen on an AF_UNIX SOCK_SEQPACKET socket at this path. */
    public Builder endpoint(Path endpoint) {
      this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
      this.listener = null;
      return this;
    }

    /** How the socket at {@link #endpoint} is created (permissions, stale sockets). */
    public Builder socketOptions(UnixSeqPacketListener.Options options) {
      this.socketOptions = Objects.requireNonNull(options, "options");
      return this;
    }

    /** Accept clients from this listener instead, e.g. an in-memory one; the server closes it. */
    public Builder listener(SeqPacketListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      this.endpoint = null;
      return this;
    }

    /** The version announced in the server's handshake (default 1). */
    public Builder handshakeVersion(int version) {
      if (!Handshake.isSupported(version)) {
        throw new IllegalArgumentException("handshake version must be at least 1, was " + version);
      }
      this.version = version;
      return this;
    }

    /** The largest message accepted, in bytes (default 1 MiB); a larger one closes its client. */
    public Builder maxMessageSize(int bytes) {
      this.maxMessageSize = positive(bytes, "maxMessageSize");
      return this;
    }

    /** The largest handshake accepted, in bytes (default 10,239, as gVisor's 10,240-byte buffer). */
    public Builder maxHandshakeSize(int bytes) {
      this.maxHandshakeSize = positive(bytes, "maxHandshakeSize");
      return this;
    }

    /** How many clients may be connected at once (default 256); more are refused at once. */
    public Builder maxClients(int clients) {
      this.maxClients = positive(clients, "maxClients");
      return this;
    }

    /** How long a new client may take to send its handshake (default 30 s). */
    public Builder handshakeTimeout(Duration timeout) {
      this.handshakeTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** How long {@link SinkServer#close()} lets clients drain before closing them (default 10 s). */
    public Builder closeGracePeriod(Duration period) {
      this.closeGracePeriod = Objects.requireNonNull(period, "period");
      return this;
    }

    /** A short name for thread names and logs (default {@code sink}). */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Binds (for an endpoint) and starts accepting.
     *
     * @throws IOException when the socket cannot be bound; see {@link UnixSeqPacketListener#bind}
     * @throws IllegalStateException when the handlers, or both endpoint and listener, are missing
     */
    public SinkServer start() throws IOException {
      if (handlers == null) {
        throw new IllegalStateException("call handlers(factory) before start()");
      }
      SeqPacketListener source = listener;
      if (source == null) {
        if (endpoint == null) {
          throw new IllegalStateException("call endpoint(path) or listener(listener) before start()");
        }
        source = UnixSeqPacketListener.bind(endpoint, socketOptions);
      }
      SinkServer server = new SinkServer(this, source);
      server.acceptThread.start();
      log.debug("Listening on {}", server.address());
      return server;
    }

    private static int positive(int value, String what) {
      if (value < 1) {
        throw new IllegalArgumentException(what + " must be at least 1, was " + value);
      }
      return value;
    }
  }
}
