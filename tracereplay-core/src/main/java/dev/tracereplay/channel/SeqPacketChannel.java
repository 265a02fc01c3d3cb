package dev.tracereplay.channel;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * A connected, message-oriented transport with the semantics of an AF_UNIX SOCK_SEQPACKET socket:
 * every {@link #send} is one packet and every {@link #receive} returns exactly one, boundaries
 * kept. The real implementation is {@link UnixSeqPacketChannel}; {@link InMemorySeqPacketChannel}
 * behaves the same way inside one JVM, for tests without socket files.
 *
 * <p>Two kernel behaviours shape the contract and both implementations follow them:
 *
 * <ul>
 *   <li>A packet longer than the space offered to {@link #receive} is cut to that space, silently.
 *       To enforce a limit, offer one byte more than the largest packet accepted and treat a full
 *       buffer as "too big".
 *   <li>A zero-length packet cannot be told apart from the peer closing: both read as end of
 *       stream ({@code -1}).
 * </ul>
 *
 * <p>One thread may send while another receives; two threads must not both send, or both receive,
 * at once. {@link #close()} may be called from any thread and makes a blocked call in another
 * thread fail.
 */
public interface SeqPacketChannel extends Closeable {

  /**
   * Sends the bytes between the buffer's position and limit as one packet and moves its position
   * to its limit. Blocks while the peer's queue is full, up to the send timeout.
   *
   * @throws PeerClosedException when the peer has closed its end or stopped receiving
   * @throws java.net.SocketTimeoutException when the send timeout passes
   * @throws IOException on any other failure, or when this channel is closed
   */
  void send(ByteBuffer packet) throws IOException;

  /**
   * Receives one packet into {@code dst} at its position, advancing the position past it. Blocks
   * until a packet arrives, up to the receive timeout.
   *
   * @return the number of bytes stored (a longer packet is cut to {@code dst.remaining()}), or -1
   *     at end of stream: the peer closed, or sent a zero-length packet
   * @throws java.net.SocketTimeoutException when the receive timeout passes
   * @throws IOException on any other failure, or when this channel is closed
   */
  int receive(ByteBuffer dst) throws IOException;

  /**
   * Receives one packet if one is queued, without blocking: the receive loop of a recorder uses it
   * to learn that the sender has paused, and flushes then.
   *
   * @return as {@link #receive}, or 0 when no packet is queued; an implementation may also return
   *     0 at end of stream, so after a 0 call {@link #receive} to tell the two apart
   */
  int tryReceive(ByteBuffer dst) throws IOException;

  /** Limits how long {@link #receive} blocks; {@link Duration#ZERO} (the default) waits forever. */
  void setReceiveTimeout(Duration timeout) throws IOException;

  /** Limits how long {@link #send} blocks; {@link Duration#ZERO} (the default) waits forever. */
  void setSendTimeout(Duration timeout) throws IOException;

  /**
   * Stops receiving gracefully: packets already queued can still be received, then
   * {@link #receive} returns -1 and the peer's sends fail with {@link PeerClosedException}.
   */
  void shutdownInput() throws IOException;

  /** What this channel is connected to, for messages: a socket path, or a description. */
  String peerAddress();

  /** Closes the channel; calling it again does nothing. */
  @Override
  void close() throws IOException;
}
