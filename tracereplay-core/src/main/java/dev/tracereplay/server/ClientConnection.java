package dev.tracereplay.server;

import dev.tracereplay.channel.PacketBatch;
import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.internal.server.DirectBufferPool;
import dev.tracereplay.internal.wire.Handshake;
import dev.tracereplay.internal.wire.HandshakeException;
import dev.tracereplay.wire.MessageHeader;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client of a {@link SinkServer}, served by a thread of its own: handshake, then a loop that
 * receives, checks and hands packets to the client's handler, and the close. The loop's only work
 * besides receiving is the header check, so that the socket is drained as fast as the handler
 * allows (runsc drops points when it is not). Where the channel batches receives (recvmmsg(2) on
 * the JDK 22+ fast path), one call takes every packet queued, up to the batch's slots: a client
 * that has fallen behind catches up with fewer calls, and so fewer wake-ups, per packet.
 *
 * <p>Whatever happens on this thread ends with the connection closed, its buffer given back and
 * the server told: an {@link Error} from the handler (a {@link StackOverflowError} on a hostile
 * payload, an {@link OutOfMemoryError}) closes this client with the reason logged and passed to
 * {@code onClose}, as an exception does; only an error that means the JVM itself is broken
 * ({@link #isVmDeath}) is passed on after that, to the thread's uncaught-exception handler.
 */
final class ClientConnection implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(SinkServer.class);

  /**
   * How long a client sends nothing before its handler's {@code onIdle}. A pause is noticed by a
   * receive timeout rather than by polling for an empty queue: a receiver faster than its sender
   * finds the queue empty after nearly every packet, and paid there a non-blocking receive, the
   * switches to non-blocking mode and back and a flush for each one (see bench/README.md); now a
   * steady stream costs one blocking receive per packet, or per batch of the packets queued, and
   * an idle client is flushed this long after its last packet.
   *
   * <p>20 ms rather than less: before JDK 22 a receive timeout and the end of stream both read as
   * -1, and the kernel may expire a timeout up to one clock tick (up to 10 ms) early, so only a
   * -1 in the first half of this delay is surely the end of stream (or an empty packet, which
   * runsc never sends); a later one costs a receive that does not wait.
   */
  static final Duration IDLE_DELAY = Duration.ofMillis(20);

  /** What a connection needs of its server: its settings, and where to report what it does. */
  interface Context {
    ServerConfig config();

    /** The server's address, for messages and {@link ClientInfo}. */
    String address();

    ClientHandlerFactory handlers();

    /** The receive batches, of slots of {@code maxMessageSize + 1} bytes. */
    DirectBufferPool<PacketBatch> receiveBuffers();

    boolean isClosing();

    /**
     * The client completed its handshake: counts it among the recording clients, or says why
     * not (the limit is reached) and counts it as refused.
     *
     * @return null when admitted
     */
    String startRecording(ClientConnection client);

    /** The client was refused before it was answered: counted, and its recording slot (if it took one) freed. */
    void refused(ClientConnection client, String why);

    /** The connection is closed and its thread about to end. */
    void removed(ClientConnection client);
  }

  private final Context server;
  private final SeqPacketChannel channel;
  private final long id;
  /** The server's message limit, read once: {@link #deliver} checks every packet against it. */
  private final int maxMessageSize;
  private volatile boolean stopRequested;
  /** Messages handed to the handler and taken by it (a refused one is not counted). */
  private long messages;
  /** Set by the server under its lock once this client counts among the recording ones. */
  boolean recording;

  ClientConnection(Context server, SeqPacketChannel channel, long id) {
    this.server = server;
    this.channel = channel;
    this.id = id;
    this.maxMessageSize = server.config().maxMessageSize();
  }

  long id() {
    return id;
  }

  @Override
  public void run() {
    PacketBatch packets = null;
    ClientHandler handler = null;
    try {
      int version = handshake();
      if (version == 0) {
        return;
      }
      packets = receiveBuffer();
      if (packets == null) {
        return;
      }
      handler = newHandler(version);
      if (handler == null || !answer(handler)) {
        return;
      }
      CloseReason reason = receiveLoop(handler, packets);
      SinkServer.closeQuietly(channel);
      report(reason);
      ClientHandler closing = handler;
      handler = null;
      closeHandler(closing, reason);
    } catch (Throwable e) {
      // The JVM failing (isVmDeath), or a bug here: close what can be closed and say so, never end silently.
      SinkServer.closeQuietly(channel);
      log.error("{}: serving the client failed; closing it", this, e);
      if (handler != null) {
        CloseReason reason = end(CloseReason.Kind.HANDLER_FAILED, "serving the client failed: " + e, e);
        closeHandler(handler, reason);
      }
      if (isVmDeath(e)) {
        throw e;
      }
    } finally {
      SinkServer.closeQuietly(channel);
      if (packets != null) {
        server.receiveBuffers().give(packets);
      }
      server.removed(this);
    }
  }

  /** Asks the loop to end once the packets already queued are received. */
  void stopReceiving() {
    stopRequested = true;
    try {
      channel.shutdownInput();
    } catch (IOException e) {
      forceClose();
    }
  }

  void forceClose() {
    stopRequested = true;
    SinkServer.closeQuietly(channel);
  }

  /**
   * Reads the client's handshake; returns its version, or 0 when the client was refused (version
   * 0 is never served).
   */
  private int handshake() {
    ServerConfig config = server.config();
    ByteBuffer packet = ByteBuffer.allocate(config.maxHandshakeSize() + 1);
    try {
      channel.setReceiveTimeout(config.handshakeTimeout());
      int length = channel.receive(packet);
      if (length < 0) {
        return refuse("it closed the connection during the handshake (a version-0 handshake is an empty packet"
            + " and reads the same way)");
      }
      if (length > config.maxHandshakeSize()) {
        return refuse("its handshake is over the " + config.maxHandshakeSize() + "-byte limit (maxHandshakeSize)");
      }
      int version = Handshake.decode(packet.flip());
      if (!Handshake.isSupported(version)) {
        return refuse("it has the unsupported version " + Integer.toUnsignedString(version) + " (the minimum is "
            + Handshake.MIN_SUPPORTED_VERSION + ")");
      }
      channel.setReceiveTimeout(IDLE_DELAY);
      return version;
    } catch (SocketTimeoutException e) {
      return refuse("it sent no handshake within " + config.handshakeTimeout().toMillis() + " ms (handshakeTimeout)");
    } catch (HandshakeException e) {
      return refuse("bad handshake: " + e.getMessage());
    } catch (IOException e) {
      return refuse("reading its handshake failed: " + e);
    }
  }

  /**
   * The batch packets are received into, taken before the client is counted or its handler
   * created: a client that cannot have one leaves nothing behind (no file, no descriptor).
   */
  private PacketBatch receiveBuffer() {
    String full = server.startRecording(this);
    if (full != null) {
      refuse(full);
      return null;
    }
    try {
      return server.receiveBuffers().take();
    } catch (IOException e) {
      refuse("no receive buffer: " + e.getMessage());
      return null;
    }
  }

  /** The client's handler from the factory, or null when the factory refused the client. */
  private ClientHandler newHandler(int version) {
    try {
      return server.handlers().newClient(new ClientInfo(id, version, server.address()));
    } catch (Throwable e) {
      passOnVmDeath(e);
      if (e instanceof RuntimeException || e instanceof Error) {
        log.error("{}: the handler factory threw", this, e);
      }
      refuse("its handler could not be created: " + e);
      return null;
    }
  }

  /** Sends the handshake answer; false (the handler closed) when that failed. */
  private boolean answer(ClientHandler handler) {
    try {
      channel.send(Handshake.encode(server.config().handshakeVersion()));
      return true;
    } catch (IOException e) {
      CloseReason reason = new CloseReason(CloseReason.Kind.RECEIVE_FAILED,
          "sending the handshake answer failed: " + e, 0, e);
      report(reason);
      closeHandler(handler, reason);
      return false;
    }
  }

  private int refuse(String why) {
    // Counted and its recording slot freed before the client can see the close: a client that
    // connects as soon as this one is refused must find the slot free.
    server.refused(this, why);
    SinkServer.closeQuietly(channel);
    return 0;
  }

  private CloseReason receiveLoop(ClientHandler handler, PacketBatch packets) {
    CloseReason closed;
    do {
      closed = receiveOnce(handler, packets);
    } while (closed == null);
    return closed;
  }

  /**
   * One receive, its packets handed to the handler in order; returns why the connection ends, or
   * null to receive again.
   *
   * <p>The work is here and in {@link #deliver}, not in the loop, for the JIT: the loop is entered
   * once per client, so a body of its own would be compiled only when its back-edge count reached
   * the on-stack-replacement threshold. In the runsc load test (JIT log) that took most of a
   * session of a few seconds, and runsc dropped points meanwhile. These methods are called once
   * per receive, so they are compiled as soon as packets flow.
   */
  private CloseReason receiveOnce(ClientHandler handler, PacketBatch packets) {
    int count;
    try {
      try {
        count = channel.receive(packets);
      } catch (SocketTimeoutException paused) {
        CloseReason failed = idle(handler);
        if (failed != null) {
          return failed;
        }
        channel.setReceiveTimeout(Duration.ZERO);
        count = channel.receive(packets);
        channel.setReceiveTimeout(IDLE_DELAY);
      }
    } catch (IOException e) {
      if (stopRequested || server.isClosing()) {
        return end(CloseReason.Kind.SERVER_CLOSED, "the server was closed", null);
      }
      return end(CloseReason.Kind.RECEIVE_FAILED, "receiving failed: " + e, e);
    }
    return deliver(handler, packets, count);
  }

  /** Hands one receive's packets to the handler in order; returns why the connection ends, or null. */
  private CloseReason deliver(ClientHandler handler, PacketBatch packets, int count) {
    for (int i = 0; i < count; i++) {
      int length = packets.length(i);
      if (length < 0) {
        // Packets after it: it was an empty packet, not the end (which is always last).
        return i + 1 < count ? emptyPacket() : endOfStream(packets);
      }
      if (length > maxMessageSize) {
        return end(CloseReason.Kind.MALFORMED, "message " + (messages + 1) + " is over the "
            + maxMessageSize + "-byte limit (maxMessageSize)", null);
      }
      ByteBuffer packet = packets.packet(i);
      String problem = MessageHeader.malformation(packet);
      if (problem != null) {
        return end(CloseReason.Kind.MALFORMED, "message " + (messages + 1) + " is malformed: " + problem, null);
      }
      try {
        handler.onMessage(packet);
      } catch (Throwable e) {
        return handlerFailed("handling message " + (messages + 1), e);
      }
      messages++;
    }
    return null;
  }

  /**
   * A receive read the end of stream, which is also how an empty packet reads: the client closed,
   * unless it is still there. A closed peer reads as the end again at once; a client that sent an
   * empty packet (no runsc does) is still connected, and its next receive waits.
   */
  private CloseReason endOfStream(PacketBatch packets) {
    if (stopRequested) {
      return end(CloseReason.Kind.SERVER_CLOSED, "the server was closed", null);
    }
    boolean stillConnected;
    try {
      channel.setReceiveTimeout(IDLE_DELAY);
      stillConnected = channel.receive(packets) > 1 || packets.length(0) >= 0;
    } catch (SocketTimeoutException waiting) {
      stillConnected = true;
    } catch (IOException gone) {
      stillConnected = false;
    }
    if (stillConnected && !stopRequested) {
      return emptyPacket();
    }
    return stopRequested
        ? end(CloseReason.Kind.SERVER_CLOSED, "the server was closed", null)
        : end(CloseReason.Kind.PEER_CLOSED, "the client closed the connection", null);
  }

  private CloseReason emptyPacket() {
    return end(CloseReason.Kind.MALFORMED, "message " + (messages + 1) + " is an empty packet (0 bytes), which"
        + " is no message", null);
  }

  private CloseReason idle(ClientHandler handler) {
    try {
      handler.onIdle();
      return null;
    } catch (Throwable e) {
      return handlerFailed("flushing after message " + messages, e);
    }
  }

  private CloseReason handlerFailed(String what, Throwable e) {
    passOnVmDeath(e);
    if (e instanceof LimitReachedException) {
      return end(CloseReason.Kind.LIMIT_REACHED, e.getMessage(), e);
    }
    if (!(e instanceof IOException)) {
      // A bug or a hostile input got the better of the handler (e.g. a StackOverflowError): say where.
      log.error("{}: the handler threw while {}", this, what, e);
    }
    return end(CloseReason.Kind.HANDLER_FAILED, what + " failed: " + e, e);
  }

  /**
   * Whether an error means the JVM itself is broken ({@link InternalError}, {@link UnknownError}),
   * rather than one client's work failing: a {@link StackOverflowError} unwinds only that client's
   * stack, and an {@link OutOfMemoryError} frees what that client held once it is closed.
   */
  static boolean isVmDeath(Throwable e) {
    return e instanceof VirtualMachineError && !(e instanceof StackOverflowError) && !(e instanceof OutOfMemoryError);
  }

  private static void passOnVmDeath(Throwable e) {
    if (isVmDeath(e)) {
      throw (VirtualMachineError) e;
    }
  }

  private CloseReason end(CloseReason.Kind kind, String detail, Throwable error) {
    return new CloseReason(kind, detail, messages, error);
  }

  private void report(CloseReason reason) {
    switch (reason.kind()) {
      case PEER_CLOSED, SERVER_CLOSED -> log.debug("{}: {} after {} messages", this, reason.detail(), reason.messages());
      default -> log.warn("{}: closing the client after {} messages: {}", this, reason.messages(), reason.detail());
    }
  }

  private void closeHandler(ClientHandler handler, CloseReason reason) {
    try {
      handler.onClose(reason);
    } catch (Throwable e) {
      passOnVmDeath(e);
      log.error("{}: the handler threw in onClose", this, e);
    }
  }

  @Override
  public String toString() {
    return "client " + id + " on " + server.address();
  }
}
