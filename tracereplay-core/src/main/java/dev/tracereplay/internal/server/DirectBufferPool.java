package dev.tracereplay.internal.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.function.IntFunction;

/**
 * Direct buffers of one size, handed to each client for as long as it is connected and taken back
 * when it goes, so that the direct memory a server holds follows the clients connected now, not
 * the clients ever seen: a buffer left to the garbage collector is freed only when a collection
 * happens to run, and a flood of short sessions reserved direct memory far faster than that.
 *
 * <p>At most {@code maxIdle} returned buffers are kept for reuse; one returned beyond that is let
 * go. A buffer that cannot be had (direct memory exhausted, {@code -XX:MaxDirectMemorySize}) is
 * an {@link IOException} saying so, for the one client that asked: the caller refuses that client
 * and others go on. Thread-safe.
 */
public final class DirectBufferPool {
  private final int bufferSize;
  private final int maxIdle;
  private final IntFunction<ByteBuffer> allocator;
  private final ArrayDeque<ByteBuffer> idle = new ArrayDeque<>();
  private long allocated;
  private long lent;

  /**
   * @param bufferSize each buffer's capacity, in bytes
   * @param maxIdle how many returned buffers are kept for reuse
   */
  public DirectBufferPool(int bufferSize, int maxIdle) {
    this(bufferSize, maxIdle, ByteBuffer::allocateDirect);
  }

  /**
   * With another way to allocate the buffers (e.g. from an arena, or one that fails, for tests);
   * an {@link OutOfMemoryError} it throws is taken as "no direct memory left".
   */
  public DirectBufferPool(int bufferSize, int maxIdle, IntFunction<ByteBuffer> allocator) {
    if (bufferSize < 1 || maxIdle < 0) {
      throw new IllegalArgumentException("bufferSize must be at least 1 and maxIdle at least 0, were "
          + bufferSize + " and " + maxIdle);
    }
    this.bufferSize = bufferSize;
    this.maxIdle = maxIdle;
    this.allocator = java.util.Objects.requireNonNull(allocator, "allocator");
  }

  /** Each buffer's capacity. */
  public int bufferSize() {
    return bufferSize;
  }

  /**
   * A cleared little-endian buffer of {@link #bufferSize()} bytes, reused or new; give it back with
   * {@link #give}.
   *
   * @throws IOException when no direct memory is left for a new one; the message says how much was
   *     asked and what to do
   */
  public ByteBuffer take() throws IOException {
    synchronized (this) {
      ByteBuffer reused = idle.pollFirst();
      if (reused != null) {
        lent++;
        return reused;
      }
    }
    ByteBuffer fresh;
    try {
      fresh = allocator.apply(bufferSize);
    } catch (OutOfMemoryError e) {
      throw new IOException("no direct memory left for a " + bufferSize + "-byte buffer (" + e.getMessage()
          + "); allow more with -XX:MaxDirectMemorySize, or allow fewer clients at once", e);
    }
    synchronized (this) {
      allocated++;
      lent++;
    }
    return fresh.order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Takes back a buffer from {@link #take}; the caller must not use it any more. */
  public void give(ByteBuffer buffer) {
    if (buffer.capacity() != bufferSize) {
      throw new IllegalArgumentException("a " + buffer.capacity() + "-byte buffer is not one of this pool's ("
          + bufferSize + " bytes)");
    }
    buffer.clear().order(ByteOrder.LITTLE_ENDIAN);
    synchronized (this) {
      lent--;
      if (idle.size() < maxIdle) {
        idle.addFirst(buffer);   // the most recently used first: its pages are the likeliest resident
      }
    }
  }

  /** Buffers kept for reuse now. */
  public synchronized int idle() {
    return idle.size();
  }

  /** Buffers taken and not given back. */
  public synchronized long lent() {
    return lent;
  }

  /** Buffers allocated since the pool was made (reuses not counted). */
  public synchronized long allocated() {
    return allocated;
  }
}
