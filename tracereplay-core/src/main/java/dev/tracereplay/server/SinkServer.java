package dev.tracereplay.server;

import dev.tracereplay.channel.PacketBatch;
import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.channel.SeqPacketListener;
import dev.tracereplay.channel.UnixSeqPacketChannel;
import dev.tracereplay.channel.UnixSeqPacketListener;
import dev.tracereplay.internal.server.DirectBufferPool;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
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
 * affected. A client counts toward {@link ServerConfig#maxClients} once its handshake is read;
 * until then toward {@link ServerConfig#maxPendingHandshakes}, for at most the handshake timeout,
 * so that connections that never send a handshake cannot lock recording clients out. Clients beyond
 * either limit are refused at once; refusals are counted and logged at most once per interval.
 *
 * <p>A client that cannot be admitted (no thread can be started for it, no buffer had, its
 * handler not created) is refused, and the server goes on. A server that can no longer accept at
 * all (its listener closed under it, accept failing persistently) says so, stops listening and
 * reports it through {@link #failure()} and {@link Builder#onFailure}: it never listens without
 * serving.
 *
 * <p>Thread-safe. {@link #close()} stops accepting, lets every client's queued packets be
 * received, then closes the connections and waits for the handlers' {@code onClose}.
 */
public final class SinkServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SinkServer.class);

  /** Returned receive buffers kept for reuse, beyond which they are let go. */
  static final int IDLE_BUFFERS = 16;

  /**
   * The most packets one receive takes where receives are batched: enough that the cost of a call
   * is shared among many of runsc's small packets, few enough that a batch is handled while the
   * next packets queue.
   */
  static final int MAX_RECEIVE_SLOTS = 64;

  /** The address space a client's receive batch may reserve (its memory is used only as packets land). */
  private static final long RECEIVE_RESERVATION = 256L << 20;

  private final SeqPacketListener listener;
  private final Path endpoint;
  private final ClientHandlerFactory handlers;
  private final ServerConfig config;
  private final ThreadFactory threads;
  private final DirectBufferPool<PacketBatch> receiveBuffers;
  private final AcceptRetry acceptRetry;
  private final Consumer<Throwable> onFailure;
  private final RefusalLog refusals;
  private final Thread acceptThread;
  private final Context context = new Context();

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition clientsChanged = lock.newCondition();
  private final Set<ClientConnection> clients = new LinkedHashSet<>();
  private int recordingClients;
  private final AtomicLong ids = new AtomicLong();
  private final AtomicLong acceptedClients = new AtomicLong();
  private volatile boolean closing;
  private volatile Throwable failure;
  private boolean closed;

  private SinkServer(Builder builder, SeqPacketListener listener) {
    this.listener = listener;
    this.endpoint = builder.listener == null ? builder.endpoint : null;
    this.handlers = builder.handlers;
    this.config = builder.config;
    this.threads = builder.threads;
    this.receiveBuffers = builder.receiveBuffers != null ? builder.receiveBuffers
        : DirectBufferPool.ofBatches(receiveSlots(config.maxMessageSize() + 1), config.maxMessageSize() + 1,
            IDLE_BUFFERS);
    this.acceptRetry = builder.acceptRetry;
    this.onFailure = builder.onFailure;
    this.refusals = new RefusalLog(log, listener.address(), builder.refusalLogInterval, System::nanoTime);
    this.acceptThread = new Thread(this::acceptLoop, "tracereplay-" + config.name() + "-accept");
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

  /** Where clients connect, for messages: the socket path, or the in-memory listener's name. */
  public String address() {
    return listener.address();
  }

  /** The socket path clients connect to; empty for a server on a listener given by {@link Builder#listener}. */
  public Optional<Path> endpoint() {
    return Optional.ofNullable(endpoint);
  }

  /** The settings the server runs with. */
  public ServerConfig config() {
    return config;
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

  /** The number of clients connected now that are past their handshake. */
  public int recordingClients() {
    lock.lock();
    try {
      return recordingClients;
    } finally {
      lock.unlock();
    }
  }

  /** The number of clients accepted since the start (refused ones not counted). */
  public long acceptedClients() {
    return acceptedClients.get();
  }

  /**
   * The number of clients refused since the start: over a limit, failing their handshake, or not
   * admitted (no thread, no buffer, refused by the handler factory).
   */
  public long refusedClients() {
    return refusals.total();
  }

  /**
   * Why the server stopped accepting by itself, or empty while it accepts (or was closed). Once
   * set, the server no longer listens; clients connected before are still served until closed.
   */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
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
      clientsChanged.signalAll();
    } finally {
      lock.unlock();
    }
    closeListener();
    for (ClientConnection client : open) {
      client.stopReceiving();
    }
    Duration grace = config.closeGracePeriod();
    try {
      if (!awaitNoClients(grace)) {
        log.warn("{} client(s) still connected {} ms after close(); closing them now",
            activeClients(), grace.toMillis());
        for (ClientConnection client : open) {
          client.forceClose();
        }
        awaitNoClients(grace);
      }
      acceptThread.join(Math.max(1, grace.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    refusals.flush();
  }

  private void closeListener() {
    try {
      listener.close();
    } catch (IOException e) {
      log.warn("Closing the listener on {} failed: {}", address(), e.toString());
    }
  }

  /** Lines the refusal log has written, for tests. */
  long refusalLogLines() {
    return refusals.lines();
  }

  DirectBufferPool<PacketBatch> receiveBuffers() {
    return receiveBuffers;
  }

  /**
   * The slots of a client's receive batch, each of {@code slotSize} bytes: one where receives are
   * not batched (the JDK's calls take one packet each), else up to {@link #MAX_RECEIVE_SLOTS}
   * within {@link #RECEIVE_RESERVATION}.
   */
  static int receiveSlots(int slotSize) {
    if (!UnixSeqPacketChannel.usesForeignCalls()) {
      return 1;
    }
    return (int) Math.max(1, Math.min(MAX_RECEIVE_SLOTS, RECEIVE_RESERVATION / slotSize));
  }

  private void acceptLoop() {
    int failures = 0;
    try {
      while (!closing) {
        SeqPacketChannel channel;
        try {
          channel = listener.accept();
        } catch (ClosedChannelException e) {
          if (!closing) {
            stopAccepting("its listening socket was closed under it", e);
          }
          return;
        } catch (Throwable e) {
          // E.g. no file descriptor left (it comes back as clients close), or an Error in accept.
          if (closing) {
            return;
          }
          if (ClientConnection.isVmDeath(e)) {
            throw (VirtualMachineError) e;
          }
          failures++;
          if (failures >= acceptRetry.limit()) {
            stopAccepting("accepting failed " + failures + " times in a row, "
                + acceptRetry.pause().toMillis() + " ms apart, the last time with " + e, e);
            return;
          }
          if (failures == 1 || Long.bitCount(failures) == 1) {   // 1, 2, 4, 8, ...: a persisting failure is not a flood
            log.warn("Accepting a client on {} failed ({} time(s) in a row; after {} the server stops): {}",
                address(), failures, acceptRetry.limit(), e.toString());
          }
          pauseAfterAcceptFailure();
          continue;
        }
        failures = 0;
        admit(channel);
      }
    } catch (Throwable e) {
      stopAccepting("its accept loop failed with " + e, e);
      if (ClientConnection.isVmDeath(e)) {
        throw e;
      }
    }
  }

  /** The server cannot accept any more: says so once, stops listening, and tells who asked to know. */
  private void stopAccepting(String why, Throwable cause) {
    IOException stopped = new IOException("the server on " + address() + " stopped accepting clients: " + why
        + "; it no longer listens (clients connected before are still served until it is closed)", cause);
    failure = stopped;
    log.error("{}", stopped.getMessage(), cause);
    closeListener();
    lock.lock();
    try {
      clientsChanged.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      onFailure.accept(stopped);
    } catch (RuntimeException e) {
      log.error("The server's failure listener threw", e);
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
        clientsChanged.await(acceptRetry.pause().toNanos(), TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
  }

  /** Starts serving a new connection, or refuses it; never throws. */
  private void admit(SeqPacketChannel channel) {
    ClientConnection client;
    lock.lock();
    try {
      int pending = clients.size() - recordingClients;
      String full = closing ? "the server is closing"
          : pending >= config.maxPendingHandshakes() ? pending + " clients are in their handshake, the limit"
              + " (maxPendingHandshakes) is " + config.maxPendingHandshakes()
          : null;
      client = new ClientConnection(context, channel, ids.incrementAndGet());
      if (full != null) {
        closeQuietly(channel);
        refusals.refused(client.toString(), full);
        return;
      }
      clients.add(client);
      clientsChanged.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      Thread thread = threads.newThread(client);
      thread.setName("tracereplay-" + config.name() + "-client-" + client.id());
      thread.setDaemon(true);
      thread.start();
      acceptedClients.incrementAndGet();
    } catch (Throwable e) {
      // E.g. "OutOfMemoryError: unable to create native thread" under a task limit: this client only.
      closeQuietly(channel);
      context.removed(client);
      refusals.refused(client.toString(), "no thread could be started to serve it: " + e);
      if (ClientConnection.isVmDeath(e)) {
        throw e;
      }
    }
  }

  static void closeQuietly(SeqPacketChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      log.debug("Closing {} failed", channel.peerAddress(), e);
    }
  }

  /** What each connection sees of the server. */
  private final class Context implements ClientConnection.Context {
    @Override
    public ServerConfig config() {
      return config;
    }

    @Override
    public String address() {
      return SinkServer.this.address();
    }

    @Override
    public ClientHandlerFactory handlers() {
      return handlers;
    }

    @Override
    public DirectBufferPool<PacketBatch> receiveBuffers() {
      return receiveBuffers;
    }

    @Override
    public boolean isClosing() {
      return closing;
    }

    @Override
    public String startRecording(ClientConnection client) {
      lock.lock();
      try {
        if (closing) {
          return "the server is closing";
        }
        if (recordingClients >= config.maxClients()) {
          return recordingClients + " clients are being recorded, the limit (maxClients) is " + config.maxClients();
        }
        recordingClients++;
        client.recording = true;
        return null;
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void refused(ClientConnection client, String why) {
      lock.lock();
      try {
        if (client.recording) {
          client.recording = false;
          recordingClients--;
        }
      } finally {
        lock.unlock();
      }
      refusals.refused(client.toString(), why);
    }

    @Override
    public void removed(ClientConnection client) {
      lock.lock();
      try {
        if (clients.remove(client) && client.recording) {
          recordingClients--;
        }
        clientsChanged.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  /** How often accepting may fail in a row, and how long to wait after each failure. */
  record AcceptRetry(int limit, Duration pause) {
    /** About a minute of failures in a row: longer than a descriptor shortage under a flood lasts. */
    static final AcceptRetry DEFAULT = new AcceptRetry(600, Duration.ofMillis(100));
  }

  /** Configures and starts a {@link SinkServer}; every setting has a default (see {@link ServerConfig#defaults()}). */
  public static final class Builder {
    private ClientHandlerFactory handlers;
    private Path endpoint;
    private SeqPacketListener listener;
    private UnixSeqPacketListener.Options socketOptions = UnixSeqPacketListener.Options.defaults();
    private ServerConfig config = ServerConfig.defaults();
    private Consumer<Throwable> onFailure = failure -> { };
    private ThreadFactory threads = Thread::new;
    private DirectBufferPool<PacketBatch> receiveBuffers;
    private AcceptRetry acceptRetry = AcceptRetry.DEFAULT;
    private Duration refusalLogInterval = RefusalLog.INTERVAL;

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

    /** Replaces every setting at once. */
    public Builder config(ServerConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /** The version announced in the server's handshake (default 1); see {@link ServerConfig#withHandshakeVersion}. */
    public Builder handshakeVersion(int version) {
      config = config.withHandshakeVersion(version);
      return this;
    }

    /** The largest message accepted, in bytes (default 1 MiB); a larger one closes its client. */
    public Builder maxMessageSize(int bytes) {
      config = config.withMaxMessageSize(bytes);
      return this;
    }

    /** The largest handshake accepted, in bytes (default and most 10,239, as gVisor's 10,240-byte buffer). */
    public Builder maxHandshakeSize(int bytes) {
      config = config.withMaxHandshakeSize(bytes);
      return this;
    }

    /** How many clients may be recorded at once, past their handshake (default 256); more are refused. */
    public Builder maxClients(int clients) {
      config = config.withMaxClients(clients);
      return this;
    }

    /** How many clients may be in their handshake at once (default 128); more are refused at once. */
    public Builder maxPendingHandshakes(int clients) {
      config = config.withMaxPendingHandshakes(clients);
      return this;
    }

    /** How long a new client may take to send its handshake (default 5 s). */
    public Builder handshakeTimeout(Duration timeout) {
      config = config.withHandshakeTimeout(timeout);
      return this;
    }

    /** How long {@link SinkServer#close()} lets clients drain before closing them (default 10 s). */
    public Builder closeGracePeriod(Duration period) {
      config = config.withCloseGracePeriod(period);
      return this;
    }

    /** A short name for thread names and logs (default {@code sink}). */
    public Builder name(String name) {
      config = config.withName(name);
      return this;
    }

    /**
     * Called, once, on the server's accept thread when the server stops accepting by itself
     * (see {@link SinkServer#failure()}), e.g. to stop the program that runs it.
     */
    public Builder onFailure(Consumer<Throwable> onFailure) {
      this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
      return this;
    }

    /** Where client threads come from: a test's seam for threads that cannot be started. */
    Builder threads(ThreadFactory threads) {
      this.threads = Objects.requireNonNull(threads, "threads");
      return this;
    }

    /** The receive buffers: a test's seam for buffers that cannot be had. */
    Builder receiveBuffers(DirectBufferPool<PacketBatch> buffers) {
      this.receiveBuffers = Objects.requireNonNull(buffers, "buffers");
      return this;
    }

    /** How accept failures are retried: a test's seam for a quick give-up. */
    Builder acceptRetry(int limit, Duration pause) {
      this.acceptRetry = new AcceptRetry(limit, pause);
      return this;
    }

    /** How often refusals are logged: a test's seam. */
    Builder refusalLogInterval(Duration interval) {
      this.refusalLogInterval = Objects.requireNonNull(interval, "interval");
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
      if (receiveBuffers != null && receiveBuffers.bufferSize() != config.maxMessageSize() + 1) {
        throw new IllegalStateException("the receive batches' slots must be maxMessageSize + 1 = "
            + (config.maxMessageSize() + 1) + " bytes, are " + receiveBuffers.bufferSize());
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
  }
}
