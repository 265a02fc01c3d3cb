package dev.tracereplay.internal.server;

import dev.tracereplay.channel.PacketBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;

/**
 * Direct buffers (or {@link PacketBatch batches} of them) of one size, handed to each client for
 * as long as it is connected and taken back when it goes, so that the direct memory a server
 * holds follows the clients connected now, not the clients ever seen: a buffer left to the
 * garbage collector is freed only when a collection happens to run, and a flood of short
 * sessions reserved direct memory far faster than that.
 *
 * <p>A receive batch of the JDK 22+ path is a lazily used mapping rather than direct memory (see
 * {@link PacketBatch}); the pool still bounds how many are kept, and {@link PacketBatch#clear()}
 * on return gives back what large packets used.
 *
 * <p>At most {@code maxIdle} returned buffers are kept for reuse; one returned beyond that is let
 * go. A buffer that cannot be had (direct memory exhausted, {@code -XX:MaxDirectMemorySize}) is
 * an {@link IOException} saying so, for the one client that asked: the caller refuses that client
 * and others go on. Thread-safe.
 *
 * @param <T> {@link ByteBuffer} or {@link PacketBatch}
 */
public final class DirectBufferPool<T> {
  private final int bufferSize;
  private final int maxIdle;
  private final String what;
  private final IntFunction<T> allocator;
  private final ToIntFunction<T> sizeOf;
  private final Consumer<T> reset;
  private final ArrayDeque<T> idle = new ArrayDeque<>();
  private long allocated;
  private long lent;

  private DirectBufferPool(int bufferSize, int maxIdle, String what, IntFunction<T> allocator, ToIntFunction<T> sizeOf,
      Consumer<T> reset) {
    if (bufferSize < 1 || maxIdle < 0) {
      throw new IllegalArgumentException("bufferSize must be at least 1 and maxIdle at least 0, were "
          + bufferSize + " and " + maxIdle);
    }
    this.bufferSize = bufferSize;
    this.maxIdle = maxIdle;
    this.what = what;
    this.allocator = Objects.requireNonNull(allocator, "allocator");
    this.sizeOf = sizeOf;
    this.reset = reset;
  }

  /**
   * Little-endian direct buffers of {@code bufferSize} bytes.
   *
   * @param maxIdle how many returned buffers are kept for reuse
   */
  public static DirectBufferPool<ByteBuffer> ofBuffers(int bufferSize, int maxIdle) {
    return ofBuffers(bufferSize, maxIdle, ByteBuffer::allocateDirect);
  }

  /**
   * With another way to allocate the buffers (e.g. one that fails, for tests); an
   * {@link OutOfMemoryError} it throws is taken as "no direct memory left".
   */
  public static DirectBufferPool<ByteBuffer> ofBuffers(int bufferSize, int maxIdle, IntFunction<ByteBuffer> allocator) {
    return new DirectBufferPool<>(bufferSize, maxIdle, "a " + bufferSize + "-byte buffer",
        size -> allocator.apply(size).order(ByteOrder.LITTLE_ENDIAN), ByteBuffer::capacity,
        buffer -> buffer.clear().order(ByteOrder.LITTLE_ENDIAN));
  }

  /** Batches of {@code maxPackets} slots of {@code slotSize} bytes, to receive into. */
  public static DirectBufferPool<PacketBatch> ofBatches(int maxPackets, int slotSize, int maxIdle) {
    return ofBatches(maxPackets, slotSize, maxIdle, size -> new PacketBatch(maxPackets, size));
  }

  /** With another way to make the batches, given the slot size (e.g. one that fails, for tests). */
  public static DirectBufferPool<PacketBatch> ofBatches(int maxPackets, int slotSize, int maxIdle,
      IntFunction<PacketBatch> allocator) {
    return new DirectBufferPool<>(slotSize, maxIdle, "a batch of " + maxPackets + " slots of " + slotSize + " bytes",
        allocator, PacketBatch::slotSize, PacketBatch::clear);
  }

  /** Each buffer's capacity, or each batch's slot size. */
  public int bufferSize() {
    return bufferSize;
  }

  /**
   * A cleared buffer (little-endian) or batch, reused or new; give it back with {@link #give}.
   *
   * @throws IOException when no direct memory is left for a new one; the message says how much was
   *     asked and what to do
   */
  public T take() throws IOException {
    synchronized (this) {
      T reused = idle.pollFirst();
      if (reused != null) {
        lent++;
        return reused;
      }
    }
    T fresh;
    try {
      fresh = allocator.apply(bufferSize);
    } catch (OutOfMemoryError e) {
      throw new IOException("no direct memory left for " + what + " (" + e.getMessage()
          + "); allow more with -XX:MaxDirectMemorySize, or allow fewer clients at once", e);
    }
    synchronized (this) {
      allocated++;
      lent++;
    }
    return fresh;
  }

  /** Takes back a buffer from {@link #take}; the caller must not use it any more. */
  public void give(T buffer) {
    if (sizeOf.applyAsInt(buffer) != bufferSize) {
      throw new IllegalArgumentException(buffer + " is not one of this pool's (" + what + ")");
    }
    reset.accept(buffer);
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
