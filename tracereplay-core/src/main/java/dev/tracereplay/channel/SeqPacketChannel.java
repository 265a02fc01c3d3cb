package dev.tracereplay.channel;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * A connected, message-oriented transport with the semantics of an AF_UNIX SOCK_SEQPACKET socket:
 * every {@link #send(ByteBuffer)} is one packet and every {@link #receive(ByteBuffer)} returns
 * exactly one, boundaries kept. The real implementation is {@link UnixSeqPacketChannel}; {@link InMemorySeqPacketChannel}
 * behaves the same way inside one JVM, for tests without socket files.
 *
 * <p>Three kernel behaviours shape the contract, and every implementation follows them:
 *
 * <ul>
 *   <li>A packet longer than the space offered to {@link #receive(ByteBuffer)} is cut to that space, silently.
 *       To enforce a limit, offer one byte more than the largest packet accepted and treat a full
 *       buffer as "too big".
 *   <li>A zero-length packet cannot be told apart from the peer closing: both read as end of
 *       stream ({@code -1}).
 *   <li>Packets queued before the peer closed are received before the end of stream, also when
 *       the peer closed with packets of ours unread (which the kernel reports once, as a reset).
 * </ul>
 *
 * <p>One thread may send while another receives, each under its own timeout; two threads must
 * not both send, or both receive, at once. {@link #close()} may be called from any thread and
 * makes a blocked call in another thread fail.
 *
 * <p>{@link #send(PacketBatch)} and {@link #receive(PacketBatch)} move many packets per call
 * where the transport can (one system call for many packets), with the same semantics as calling
 * {@link #send(ByteBuffer)} or {@link #receive(ByteBuffer)} for each; their defaults do exactly
 * that, so an implementation needs only the one-packet methods.
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
   * Sends the batch's packets from its {@link PacketBatch#position() position} on, in order, each
   * as its own packet, and moves the position past each one sent. Blocks as {@link #send(ByteBuffer)}
   * does; the send timeout bounds each wait for room in the peer's queue, not the whole batch.
   *
   * <p>Where the system offers it (sendmmsg(2) on the JDK 22+ fast path of
   * {@link UnixSeqPacketChannel}) one system call hands many packets to the kernel; the default
   * sends them one at a time.
   *
   * @throws PeerClosedException when the peer has closed its end or stopped receiving; the
   *     batch's position says how many packets went before
   * @throws java.net.SocketTimeoutException when the send timeout passes; the position says how
   *     many packets went before
   * @throws IOException on any other failure, or when this channel is closed
   */
  default void send(PacketBatch batch) throws IOException {
    for (int i = batch.position(); i < batch.size(); i++) {
      send(batch.packetToSend(i));
      batch.position(i + 1);
    }
  }

  /**
   * Receives at least one packet into the batch, blocking until one arrives (up to the receive
   * timeout), and then as many more as are already queued, up to the batch's
   * {@link PacketBatch#maxPackets()}, without waiting for more. Packet {@code i} is stored in slot
   * {@code i}, cut to {@link PacketBatch#slotSize()}, and {@link PacketBatch#length(int)} gives
   * for each what {@link #receive(ByteBuffer)} would have returned for it in turn: the bytes
   * stored, or -1 for the end of stream (after which the batch holds more only when that -1 was a
   * zero-length packet with packets after it).
   *
   * <p>Where the system offers it (recvmmsg(2) on the JDK 22+ fast path of
   * {@link UnixSeqPacketChannel}) one system call takes what is queued; the default receives one
   * packet per call.
   *
   * @return the number of packets in the batch, at least 1
   * @throws java.net.SocketTimeoutException when the receive timeout passes with nothing received
   *     (the batch is then empty)
   * @throws IOException on any other failure, or when this channel is closed
   */
  default int receive(PacketBatch batch) throws IOException {
    batch.startReceive();
    batch.received(receive(batch.slot(0)));
    return 1;
  }

  /**
   * Limits how long a receive blocks; {@link Duration#ZERO} (the default) waits forever. Applies to
   * receives only, never to sends, and to receives that start after it.
   */
  void setReceiveTimeout(Duration timeout) throws IOException;

  /**
   * Limits how long a send blocks; {@link Duration#ZERO} (the default) waits forever. Applies to
   * sends only, never to receives, and to sends that start after it.
   */
  void setSendTimeout(Duration timeout) throws IOException;

  /**
   * Stops receiving gracefully: packets already queued can still be received, then
   * {@link #receive(ByteBuffer)} returns -1 and the peer's sends fail with {@link PeerClosedException}.
   */
  void shutdownInput() throws IOException;

  /** What this channel is connected to, for messages: a socket path, or a description. */
  String peerAddress();

  /** Closes the channel; calling it again does nothing. */
  @Override
  void close() throws IOException;
}
