package dev.tracereplay.channel;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory stand-in for a listening socket: {@link #connect()} returns the client end of a
 * new {@link InMemorySeqPacketChannel} pair and queues the server end for {@link #accept()}. Lets
 * a sink server and a replayer meet inside one JVM with no socket file. Thread-safe.
 */
public final class InMemorySeqPacketListener implements SeqPacketListener {

  private final String name;
  private final int capacity;
  private final LinkedBlockingQueue<Object> pending = new LinkedBlockingQueue<>();
  private final AtomicInteger connections = new AtomicInteger();
  private volatile boolean closed;

  /** A listener whose connections queue {@link InMemorySeqPacketChannel#DEFAULT_CAPACITY} packets. */
  public InMemorySeqPacketListener(String name) {
    this(name, InMemorySeqPacketChannel.DEFAULT_CAPACITY);
  }

  /** A listener whose connections queue {@code capacity} packets in each direction. */
  public InMemorySeqPacketListener(String name, int capacity) {
    this.name = name;
    this.capacity = capacity;
  }

  /**
   * Connects a new client.
   *
   * @throws ClosedChannelException when the listener is closed (as "connection refused" would)
   */
  public SeqPacketChannel connect() throws IOException {
    if (closed) {
      throw new ClosedChannelException();
    }
    InMemorySeqPacketChannel.Pair pair =
        InMemorySeqPacketChannel.pair(capacity, name + " #" + connections.incrementAndGet());
    pending.add(pair.server());
    if (closed) {
      pair.client().close();
      throw new ClosedChannelException();
    }
    return pair.client();
  }

  @Override
  public SeqPacketChannel accept() throws IOException {
    if (closed) {
      throw new ClosedChannelException();
    }
    try {
      Object next = pending.take();
      if (next instanceof InMemorySeqPacketChannel channel) {
        return channel;
      }
      pending.add(next);
      throw new ClosedChannelException();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("accept interrupted");
    }
  }

  @Override
  public String address() {
    return name;
  }

  @Override
  public void close() {
    closed = true;
    pending.add(Boolean.FALSE);
    for (Object stale : pending.toArray()) {
      if (stale instanceof InMemorySeqPacketChannel channel) {
        pending.remove(stale);
        channel.close();
      }
    }
  }
}
