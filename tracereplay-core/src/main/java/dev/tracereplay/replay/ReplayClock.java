package dev.tracereplay.replay;

import java.io.InterruptedIOException;

/**
 * The time a paced or stalled replay waits by. The {@linkplain #system() system clock} is the
 * default; a test injects its own to check a schedule exactly, without waiting. Waits are to a
 * deadline on the clock, never for a duration, so the schedule does not drift.
 */
public interface ReplayClock {

  /** Now, in nanoseconds from an arbitrary origin, as {@link System#nanoTime()}. */
  long nanoTime();

  /**
   * Returns once {@link #nanoTime()} has reached {@code deadline}.
   *
   * @throws InterruptedIOException when the waiting thread is interrupted (its interrupt status is kept)
   */
  void parkUntil(long deadline) throws InterruptedIOException;

  /** {@link System#nanoTime()}, waiting with {@link java.util.concurrent.locks.LockSupport#parkNanos(long)}. */
  static ReplayClock system() {
    return SystemClock.INSTANCE;
  }
}
