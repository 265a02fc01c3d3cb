package dev.tracereplay.channel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * One end of an in-memory connection with SOCK_SEQPACKET semantics: packet boundaries kept, a
 * bounded queue in each direction (a full queue blocks the sender, as a full socket buffer does),
 * end of stream when the peer closes, oversized packets cut to the receive buffer, and a
 * zero-length packet read as end of stream. For unit tests that need no socket file; create
 * connected ends with {@link #pair()} or through an {@link InMemorySeqPacketListener}.
 *
 * <p>Thread-safe in the same way as a socket: one sender and one receiver at a time.
 */
public final class InMemorySeqPacketChannel implements SeqPacketChannel {

  /** The queue length of {@link #pair()}: packets each direction holds before a sender blocks. */
  public static final int DEFAULT_CAPACITY = 1024;

  private final PacketQueue incoming;
  private final PacketQueue outgoing;
  private final String peerAddress;
  private volatile long receiveTimeoutNanos;
  private volatile long sendTimeoutNanos;

  private InMemorySeqPacketChannel(PacketQueue incoming, PacketQueue outgoing, String peerAddress) {
    this.incoming = incoming;
    this.outgoing = outgoing;
    this.peerAddress = peerAddress;
  }

  /** Two connected ends. */
  public record Pair(InMemorySeqPacketChannel client, InMemorySeqPacketChannel server) {}

  /** Two connected ends, each direction holding {@link #DEFAULT_CAPACITY} packets. */
  public static Pair pair() {
    return pair(DEFAULT_CAPACITY, "in-memory");
  }

  /**
   * Two connected ends.
   *
   * @param capacity packets each direction holds before a sender blocks
   * @param name how each end describes its peer in messages
   */
  public static Pair pair(int capacity, String name) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
    }
    PacketQueue toServer = new PacketQueue(capacity);
    PacketQueue toClient = new PacketQueue(capacity);
    return new Pair(new InMemorySeqPacketChannel(toClient, toServer, name + " (server side)"),
        new InMemorySeqPacketChannel(toServer, toClient, name + " (client side)"));
  }

  @Override
  public void send(ByteBuffer packet) throws IOException {
    outgoing.put(packet, sendTimeoutNanos, peerAddress);
  }

  @Override
  public int receive(ByteBuffer dst) throws IOException {
    return incoming.take(dst, receiveTimeoutNanos);
  }

  @Override
  public void setReceiveTimeout(Duration timeout) {
    receiveTimeoutNanos = timeout.toNanos();
  }

  @Override
  public void setSendTimeout(Duration timeout) {
    sendTimeoutNanos = timeout.toNanos();
  }

  @Override
  public void shutdownInput() {
    incoming.shutdownReader();
  }

  @Override
  public String peerAddress() {
    return peerAddress;
  }

  @Override
  public void close() {
    outgoing.closeWriter();
    incoming.closeReader();
  }

  @Override
  public String toString() {
    return "InMemorySeqPacketChannel[peer=" + peerAddress + "]";
  }
}
