package dev.tracereplay;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Waiting on a condition with a deadline, for tests: never a fixed sleep. */
public final class Deadline {
  private Deadline() {}

  /** Polls {@code condition} until it is true; fails when {@code timeout} passes first. */
  public static void await(Duration timeout, Callable<Boolean> condition) throws Exception {
    long end = System.nanoTime() + timeout.toNanos();
    while (!condition.call()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not met within " + timeout);
      }
      Thread.sleep(5);
    }
  }
}
