package dev.tracereplay.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The output of a command that must never wait for it: a bounded queue of text in front of a
 * thread of its own that writes it, in order, to the stream (flushing as {@link Output#print}
 * does). A stream nobody reads (a pipe whose reader stalled) fills up and blocks its writer:
 * with {@code save}'s per-client lines printed on the client's thread before the handshake answer,
 * that used to stall every later client. Here {@link #print} never blocks: when the queue is full
 * the text is dropped and counted, and the first drop is announced once.
 *
 * <p>Thread-safe: any thread may print; the text of one call is written whole.
 */
final class OutputQueue {
  /** Lines queued at most; a line of {@code save} is about a hundred characters. */
  static final int CAPACITY = 1024;

  private final BlockingQueue<String> queue;
  private final PrintWriter writer;
  private final Runnable onFirstDrop;
  private final AtomicLong dropped = new AtomicLong();
  private final Thread thread;
  private long queued;
  private long written;

  /**
   * Starts the writing thread, named {@code tracereplay-<name>}.
   *
   * @param onFirstDrop run, once, on the printing thread, when the first text is dropped
   */
  OutputQueue(PrintWriter writer, String name, int capacity, Runnable onFirstDrop) {
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.writer = writer;
    this.onFirstDrop = onFirstDrop;
    this.thread = new Thread(this::writeQueued, "tracereplay-" + name);
    thread.setDaemon(true);   // a stream that never drains must not keep the JVM alive
    thread.start();
  }

  /** Queues {@code text} for writing, or drops it when the queue is full. Never blocks. */
  void print(String text) {
    synchronized (this) {
      if (queue.offer(text)) {
        queued++;
        return;
      }
    }
    if (dropped.getAndIncrement() == 0) {
      onFirstDrop.run();
    }
  }

  /**
   * Waits until everything queued so far is written, at most {@code timeout}.
   *
   * @return whether it was
   */
  boolean drain(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (this) {
      long target = queued;
      while (written < target) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      return true;
    }
  }

  /**
   * Lets what is queued be written for at most {@code timeout}, then stops the writing thread
   * (a thread blocked writing to a stream nobody reads stays blocked; it is a daemon).
   *
   * @return the texts lost: dropped, or still queued at the end
   */
  long close(Duration timeout) {
    boolean interrupted = false;
    try {
      drain(timeout);
    } catch (InterruptedException e) {
      interrupted = true;
    }
    thread.interrupt();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      return dropped.get() + Math.max(0, queued - written);
    }
  }

  private void writeQueued() {
    try {
      while (true) {
        String text = queue.take();
        int count = 1;
        writer.print(text);
        for (String more; (more = queue.poll()) != null; count++) {
          writer.print(more);
        }
        writer.flush();
        synchronized (this) {
          written += count;
          notifyAll();
        }
      }
    } catch (InterruptedException closed) {
      // close(): what was written is written.
    }
  }
}
