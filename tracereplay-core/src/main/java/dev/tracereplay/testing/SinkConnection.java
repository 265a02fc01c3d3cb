package dev.tracereplay.testing;

import dev.tracereplay.server.CloseReason;

/**
 * A connection a {@link RecordingSink} accepted, as it was when asked: the client's handshake
 * version, how many messages it delivered and, once it ended, why. A connection that broke the
 * protocol (a malformed or oversized packet) ends with {@link CloseReason.Kind#MALFORMED} and the
 * reason, so that what a sink refused is recorded too. Immutable.
 *
 * @param client the connection's number on the sink, from 1, in accept order
 * @param clientVersion the version the client announced in its handshake (unsigned)
 * @param messages the messages received and recorded on this connection
 * @param closeReason why the connection ended, or {@code null} while it is open
 */
public record SinkConnection(long client, int clientVersion, long messages, CloseReason closeReason) {

  /** Whether the connection is still open. */
  public boolean isOpen() {
    return closeReason == null;
  }

  /** E.g. {@code client 1 (version 1): 444 messages, closed: PEER_CLOSED: the client closed the connection}. */
  @Override
  public String toString() {
    return "client " + client + " (version " + Integer.toUnsignedString(clientVersion) + "): " + messages
        + " messages, " + (closeReason == null ? "open" : "closed: " + closeReason);
  }
}
