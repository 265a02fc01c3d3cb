package dev.tracereplay.replay;

import java.io.InterruptedIOException;
import java.util.concurrent.locks.LockSupport;

/** {@link ReplayClock#system()}: {@link System#nanoTime()}, parking to each deadline. */
enum SystemClock implements ReplayClock {
  INSTANCE;

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public void parkUntil(long deadline) throws InterruptedIOException {
    long left;
    // parkNanos may return early (spuriously, or on an unpark): park again for what is left.
    while ((left = deadline - System.nanoTime()) > 0) {
      LockSupport.parkNanos(left);
      if (Thread.currentThread().isInterrupted()) {
        throw new InterruptedIOException("interrupted while waiting for the next message's turn");
      }
    }
  }
}
