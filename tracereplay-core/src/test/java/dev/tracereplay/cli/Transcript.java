package dev.tracereplay.cli;

import java.io.Writer;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Text written by a command (in this JVM or a child process), which a test can wait on: each
 * write wakes the waiters, so nothing polls or sleeps. Thread-safe.
 */
final class Transcript extends Writer {
  private final StringBuilder text = new StringBuilder();

  @Override
  public synchronized void write(char[] chars, int offset, int length) {
    text.append(chars, offset, length);
    notifyAll();
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}

  /** Everything written so far. */
  synchronized String text() {
    return text.toString();
  }

  /** Waits until the text contains {@code expected}; fails, showing the text, at the deadline. */
  void awaitContains(String expected, Duration timeout) throws InterruptedException {
    awaitMatch(Pattern.compile(Pattern.quote(expected)), timeout);
  }

  /** Waits until the text matches {@code pattern} somewhere and returns the match. */
  synchronized Matcher awaitMatch(Pattern pattern, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Matcher matcher = pattern.matcher(text);
      if (matcher.find()) {
        return matcher;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("Expecting the output to contain " + pattern + " within " + timeout.toMillis()
            + " ms, but it is:\n" + text);
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }
}
