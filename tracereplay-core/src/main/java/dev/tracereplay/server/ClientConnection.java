package dev.tracereplay.server;

import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.wire.Handshake;
import dev.tracereplay.wire.HandshakeException;
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
 * allows (runsc drops points when it is not).
 */
final class ClientConnection implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(SinkServer.class);

  /**
   * How long a client sends nothing before its handler's {@code onIdle}. A pause is noticed by a
   * receive timeout rather than by polling for an empty queue: a receiver faster than its sender
   * finds the queue empty after nearly every packet, and paid there a non-blocking receive, the
   * switches to non-blocking mode and back and a flush for each one (over 7 us of CPU per
   * message at 50,000 msg/s, see bench/README.md); now a steady stream costs one blocking receive
   * per packet, and an idle client is flushed this long after its last packet.
   *
   * <p>20 ms rather than less: before JDK 22 a receive timeout and the end of stream both read as
   * -1, and the kernel may expire a timeout up to one clock tick (up to 10 ms) early, so only a
   * -1 in the first half of this delay is surely the end of stream (or an empty packet, which
   * runsc never sends); a later one costs a receive that does not wait.
   */
  static final Duration IDLE_DELAY = Duration.ofMillis(20);

  private final SinkServer server;
  private final SeqPacketChannel channel;
  private final long id;
  private volatile boolean stopRequested;
  private long messages;

  ClientConnection(SinkServer server, SeqPacketChannel channel, long id) {
    this.server = server;
    this.channel = channel;
    this.id = id;
  }

  long id() {
    return id;
  }

  @Override
  public void run() {
    try {
      ClientHandler handler = handshake();
      if (handler != null) {
        CloseReason reason = receiveLoop(handler);
        SinkServer.closeQuietly(channel);
        report(reason);
        closeHandler(handler, reason);
      }
    } finally {
      SinkServer.closeQuietly(channel);
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

  /** Reads the client's handshake, creates its handler and answers; null when the client is refused. */
  private ClientHandler handshake() {
    SinkServer.Limits limits = server.limits();
    ByteBuffer packet = ByteBuffer.allocate(limits.maxHandshakeSize() + 1);
    int version;
    try {
      channel.setReceiveTimeout(limits.handshakeTimeout());
      int length = channel.receive(packet);
      if (length < 0) {
        log.info("{}: the client closed the connection during the handshake (a version-0 handshake"
            + " is an empty packet and reads the same way)", this);
        return null;
      }
      if (length > limits.maxHandshakeSize()) {
        log.warn("{}: handshake message too big (over {} bytes); closing the client", this,
            limits.maxHandshakeSize());
        return null;
      }
      version = Handshake.decode(packet.flip());
      if (!Handshake.isSupported(version)) {
        log.warn("{}: the client has unsupported version {} (the minimum is {}); closing it", this,
            Integer.toUnsignedString(version), Handshake.MIN_SUPPORTED_VERSION);
        return null;
      }
      channel.setReceiveTimeout(IDLE_DELAY);
    } catch (HandshakeException e) {
      log.warn("{}: bad handshake: {}; closing the client", this, e.getMessage());
      return null;
    } catch (IOException e) {
      log.warn("{}: reading the handshake failed: {}; closing the client", this, e.toString());
      return null;
    }
    ClientHandler handler;
    try {
      handler = server.handlers().newClient(new ClientInfo(id, version, server.address()));
    } catch (IOException | RuntimeException e) {
      log.warn("{}: refused by its handler: {}", this, e.toString(), e instanceof RuntimeException ? e : null);
      return null;
    }
    try {
      channel.send(Handshake.encode(server.version()));
    } catch (IOException e) {
      CloseReason reason = new CloseReason(CloseReason.Kind.RECEIVE_FAILED,
          "sending the handshake answer failed: " + e, 0, e);
      report(reason);
      closeHandler(handler, reason);
      return null;
    }
    return handler;
  }

  private CloseReason receiveLoop(ClientHandler handler) {
    int limit = server.limits().maxMessageSize();
    ByteBuffer packet = ByteBuffer.allocateDirect(limit + 1);
    while (true) {
      int length;
      try {
        packet.clear();
        try {
          length = channel.receive(packet);
        } catch (SocketTimeoutException paused) {
          CloseReason failed = idle(handler);
          if (failed != null) {
            return failed;
          }
          channel.setReceiveTimeout(Duration.ZERO);
          packet.clear();
          length = channel.receive(packet);
          channel.setReceiveTimeout(IDLE_DELAY);
        }
      } catch (IOException e) {
        if (stopRequested || server.isClosing()) {
          return end(CloseReason.Kind.SERVER_CLOSED, "the server was closed", null);
        }
        return end(CloseReason.Kind.RECEIVE_FAILED, "receiving failed: " + e, e);
      }
      if (length < 0) {
        return stopRequested
            ? end(CloseReason.Kind.SERVER_CLOSED, "the server was closed", null)
            : end(CloseReason.Kind.PEER_CLOSED, "the client closed the connection", null);
      }
      if (length > limit) {
        return end(CloseReason.Kind.MALFORMED, "message " + (messages + 1) + " is over the "
            + limit + "-byte limit (maxMessageSize)", null);
      }
      packet.flip();
      String problem = MessageHeader.malformation(packet);
      if (problem != null) {
        return end(CloseReason.Kind.MALFORMED, "message " + (messages + 1) + " is malformed: " + problem, null);
      }
      messages++;
      try {
        handler.onMessage(packet);
      } catch (IOException | RuntimeException e) {
        return handlerFailed("handling message " + messages, e);
      }
    }
  }

  private CloseReason idle(ClientHandler handler) {
    try {
      handler.onIdle();
      return null;
    } catch (IOException | RuntimeException e) {
      return handlerFailed("flushing after message " + messages, e);
    }
  }

  private CloseReason handlerFailed(String what, Exception e) {
    if (e instanceof LimitReachedException) {
      return end(CloseReason.Kind.LIMIT_REACHED, e.getMessage(), e);
    }
    if (e instanceof RuntimeException) {
      log.error("{}: the handler threw while {}", this, what, e);
    }
    return end(CloseReason.Kind.HANDLER_FAILED, what + " failed: " + e, e);
  }

  private CloseReason end(CloseReason.Kind kind, String detail, Throwable error) {
    return new CloseReason(kind, detail, messages, error);
  }

  private void report(CloseReason reason) {
    switch (reason.kind()) {
      case PEER_CLOSED, SERVER_CLOSED -> log.debug("{}: {} after {} messages", this, reason.detail(), messages);
      default -> log.warn("{}: closing the client after {} messages: {}", this, reason.messages(), reason.detail());
    }
  }

  private void closeHandler(ClientHandler handler, CloseReason reason) {
    try {
      handler.onClose(reason);
    } catch (RuntimeException e) {
      log.error("{}: the handler threw in onClose", this, e);
    }
  }

  @Override
  public String toString() {
    return "client " + id + " on " + server.address();
  }
}
