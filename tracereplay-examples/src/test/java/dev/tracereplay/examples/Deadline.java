package dev.tracereplay.examples;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Waiting on a condition with a deadline, for tests: never a fixed sleep. */
final class Deadline {
  private Deadline() {}

  /** Polls {@code condition} until it is true; fails, saying {@code what}, when {@code timeout} passes first. */
  static void await(Duration timeout, String what, Callable<Boolean> condition) throws Exception {
    long end = System.nanoTime() + timeout.toNanos();
    while (!condition.call()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within " + timeout + ": " + what);
      }
      Thread.sleep(5);
    }
  }
}
