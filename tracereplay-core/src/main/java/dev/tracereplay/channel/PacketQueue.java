package dev.tracereplay.channel;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One direction of an in-memory SOCK_SEQPACKET connection: a bounded queue of packets with the
 * socket's end-of-stream rules. The writer closing lets the reader drain what is queued and then
 * see end of stream; the reader closing (or shutting down input) makes the writer's sends fail.
 */
final class PacketQueue {

  private final int capacity;
  private final ArrayDeque<byte[]> packets = new ArrayDeque<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Condition notFull = lock.newCondition();
  private boolean writerClosed;
  private boolean readerShut;
  private boolean readerClosed;

  PacketQueue(int capacity) {
    this.capacity = capacity;
  }

  void put(ByteBuffer packet, long timeoutNanos, String peer) throws IOException {
    byte[] copy = new byte[packet.remaining()];
    lock.lock();
    try {
      long remaining = timeoutNanos;
      while (true) {
        if (writerClosed) {
          throw new ClosedChannelException();
        }
        if (readerShut || readerClosed) {
          throw new PeerClosedException("the peer " + peer + " has closed the connection");
        }
        if (packets.size() < capacity) {
          break;
        }
        remaining = await(notFull, timeoutNanos, remaining, "send");
      }
      packet.get(copy);
      packets.add(copy);
      notEmpty.signal();
    } finally {
      lock.unlock();
    }
  }

  /** Takes a packet, waiting up to the timeout (0: forever). */
  int take(ByteBuffer dst, long timeoutNanos) throws IOException {
    lock.lock();
    try {
      long remaining = timeoutNanos;
      while (true) {
        if (readerClosed) {
          throw new ClosedChannelException();
        }
        byte[] packet = packets.poll();
        if (packet != null) {
          notFull.signal();
          if (packet.length == 0) {
            return -1;
          }
          int length = Math.min(packet.length, dst.remaining());
          dst.put(packet, 0, length);
          return length;
        }
        if (writerClosed || readerShut) {
          return -1;
        }
        remaining = await(notEmpty, timeoutNanos, remaining, "receive");
      }
    } finally {
      lock.unlock();
    }
  }

  void closeWriter() {
    signalAll(() -> writerClosed = true);
  }

  void shutdownReader() {
    signalAll(() -> readerShut = true);
  }

  void closeReader() {
    signalAll(() -> {
      readerClosed = true;
      packets.clear();
    });
  }

  private void signalAll(Runnable change) {
    lock.lock();
    try {
      change.run();
      notEmpty.signalAll();
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Waits on the condition; a zero timeout waits forever. Returns the nanoseconds left. */
  private long await(Condition condition, long timeoutNanos, long remaining, String what)
      throws IOException {
    try {
      if (timeoutNanos == 0) {
        condition.await();
        return 0;
      }
      if (remaining <= 0) {
        throw new SocketTimeoutException(what + " timed out after "
            + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
      }
      return condition.awaitNanos(remaining);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException(what + " interrupted");
    }
  }

}
