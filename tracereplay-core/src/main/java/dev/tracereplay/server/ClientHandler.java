package dev.tracereplay.server;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * What a {@link SinkServer} does with one client's messages. The server creates one handler per
 * client, after a successful handshake, through a {@link ClientHandlerFactory}, and calls it only
 * from that client's receiver thread: a handler needs no locking of its own, and a slow handler
 * slows only its own client.
 */
public interface ClientHandler {

  /**
   * One message: the raw packet (header and payload) between the buffer's position and limit.
   * The server has already checked that the header is well formed (see
   * {@link dev.tracereplay.wire.MessageHeader#malformation}); read its fields with the
   * {@link dev.tracereplay.wire.MessageHeader} accessors. The buffer is a read-only view in
   * little-endian order (the wire protocol's), valid for this call only: the memory behind it
   * receives the next packets, so copy what must outlive the call.
   *
   * @throws IOException to close this client (the reason is logged and passed to
   *     {@link #onClose})
   */
  void onMessage(ByteBuffer packet) throws IOException;

  /**
   * The client has paused: the moment to flush buffered work, so that an
   * idle client's output is complete. Called from the receiver thread when the client has sent
   * nothing for a moment (about 20 ms), before it blocks until the next packet.
   */
  default void onIdle() throws IOException {}

  /** The client is gone, and why; the last call this handler receives. */
  void onClose(CloseReason reason);
}
