package dev.tracereplay.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;

/** Runs {@code tracereplay} in this JVM, as main does, capturing its output. */
final class Cli {

  /** What one run printed and returned. */
  record Result(int exitCode, String out, String err) {}

  private Cli() {}

  /** Runs the command to its end. */
  static Result run(String... args) {
    Transcript out = new Transcript();
    Transcript err = new Transcript();
    int exitCode = commandLine(out, err).execute(args);
    return new Result(exitCode, out.text(), err.text());
  }

  /** Starts the command on a thread of its own, e.g. {@code save}, which runs until stopped. */
  static Background start(String... args) {
    return new Background(args);
  }

  private static CommandLine commandLine(Transcript out, Transcript err) {
    CommandLine command = new CommandLine(new Tracereplay());
    command.setOut(new PrintWriter(out, true));
    command.setErr(new PrintWriter(err, true));
    return command;
  }

  /**
   * A command running on a thread of its own. {@link #stop} interrupts it, which {@code save}
   * treats as it treats SIGINT (signals are for the process tests).
   */
  static final class Background implements AutoCloseable {
    final Transcript out = new Transcript();
    final Transcript err = new Transcript();
    private final AtomicInteger exitCode = new AtomicInteger(Integer.MIN_VALUE);
    private final Thread thread;

    private Background(String[] args) {
      CommandLine command = commandLine(out, err);
      thread = new Thread(() -> exitCode.set(command.execute(args)), "tracereplay-cli-test");
      thread.setDaemon(true);
      thread.start();
    }

    /** Asks the command to stop and returns its exit code. */
    int stop(Duration timeout) throws InterruptedException {
      thread.interrupt();
      return awaitExit(timeout);
    }

    /** Waits for the command to end by itself and returns its exit code. */
    int awaitExit(Duration timeout) throws InterruptedException {
      thread.join(timeout.toMillis());
      if (thread.isAlive()) {
        throw new AssertionError("the command is still running after " + timeout.toMillis() + " ms; err:\n"
            + err.text());
      }
      return exitCode.get();
    }

    @Override
    public void close() throws InterruptedException {
      if (thread.isAlive()) {
        thread.interrupt();
        thread.join(30_000);
      }
    }
  }
}
