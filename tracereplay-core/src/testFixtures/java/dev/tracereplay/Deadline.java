package dev.tracereplay;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Waiting on a condition with a deadline, for tests: never a fixed sleep.
 *
 * <p>Test code shared by the modules' tests (this directory, {@code src/testFixtures/java}, is a
 * test source folder of tracereplay-core and of tracereplay-examples); never part of a jar.
 */
public final class Deadline {
  private Deadline() {}

  /** Polls {@code condition} until it is true; fails when {@code timeout} passes first. */
  public static void await(Duration timeout, Callable<Boolean> condition) throws Exception {
    await(timeout, "the condition", condition);
  }

  /**
   * Polls {@code condition} until it is true; fails, saying {@code what} was awaited, when
   * {@code timeout} passes first.
   */
  public static void await(Duration timeout, String what, Callable<Boolean> condition) throws Exception {
    long end = System.nanoTime() + timeout.toNanos();
    while (!condition.call()) {
      if (System.nanoTime() - end > 0) {
        throw new AssertionError("not within " + timeout + ": " + what);
      }
      Thread.sleep(5);
    }
  }
}
