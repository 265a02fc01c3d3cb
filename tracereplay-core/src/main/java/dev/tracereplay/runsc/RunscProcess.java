package dev.tracereplay.runsc;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One run of runsc: in {@code /}, with a clean environment (nothing of this process's environment
 * reaches the sandbox, whose recording may hold it), stdin closed or inherited, stdout inherited,
 * passed on or discarded, and stderr always read here (so that its last lines can explain a
 * failure) and passed on or discarded.
 */
final class RunscProcess {
  /** The sandbox's whole environment: that of the project's fixtures. */
  static final Map<String, String> ENVIRONMENT = Map.of("PATH", "/usr/local/bin:/usr/bin:/bin", "HOME", "/root",
      "LANG", "C.UTF-8");
  /** How long runsc may take to stop its sandbox after SIGTERM before it and its children are killed. */
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);
  /** How long the output may still flow after runsc exits (its children hold the pipes until they end). */
  private static final Duration DRAIN = Duration.ofSeconds(10);
  private static final int STDERR_KEPT = 16 * 1024;

  /**
   * How a run ended.
   *
   * @param exitCode runsc's exit code (the sandboxed command's, or 128 when runsc failed), -1 when stopped
   * @param timedOut whether it ran past its timeout and was stopped
   */
  record Outcome(int exitCode, boolean timedOut) {}

  private final Process process;
  private final OutputPump stdout;
  private final OutputPump stderr;

  private RunscProcess(Process process, OutputPump stdout, OutputPump stderr) {
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /**
   * Starts {@code command}.
   *
   * @param inherit whether stdin and stdout are this process's own (then {@code stdout} is ignored)
   * @param stdout where stdout goes when not inherited, or null for nowhere
   * @param keepStdout how many bytes of stdout to keep when it is not inherited (0: none)
   * @param stderr where stderr goes, or null for nowhere
   */
  static RunscProcess start(List<String> command, boolean inherit, OutputStream stdout, int keepStdout,
      OutputStream stderr) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(new File("/"));
    builder.environment().clear();
    builder.environment().putAll(ENVIRONMENT);
    builder.redirectError(ProcessBuilder.Redirect.PIPE);
    if (inherit) {
      builder.redirectInput(ProcessBuilder.Redirect.INHERIT).redirectOutput(ProcessBuilder.Redirect.INHERIT);
    } else if (stdout == null && keepStdout == 0) {
      builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    }
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new RunscException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
    }
    if (!inherit) {
      process.getOutputStream().close();
    }
    String name = "runsc-" + process.pid();
    OutputPump out = inherit || (stdout == null && keepStdout == 0) ? null
        : OutputPump.start(process.getInputStream(), stdout, Math.max(1, keepStdout), name + "-stdout");
    OutputPump err = OutputPump.start(process.getErrorStream(), stderr, STDERR_KEPT, name + "-stderr");
    return new RunscProcess(process, out, err);
  }

  /**
   * Waits for runsc to end, at most {@code timeout}; past it, or when interrupted, stops runsc
   * (SIGTERM, which it passes on to the sandbox) and after a grace period kills it and its children.
   *
   * @throws InterruptedException when interrupted; runsc has been stopped
   */
  Outcome await(Duration timeout) throws InterruptedException {
    boolean ended;
    try {
      ended = process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      stop();
      throw e;
    }
    if (!ended) {
      stop();
    }
    drain();
    return new Outcome(ended ? process.exitValue() : -1, !ended);
  }

  private void stop() throws InterruptedException {
    // Taken first: once runsc is gone, its children belong to init and are no longer its descendants.
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    boolean stopped = false;
    try {
      stopped = process.waitFor(STOP_GRACE.toNanos(), TimeUnit.NANOSECONDS);
    } finally {
      if (!stopped) {
        children.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
    }
  }

  private void drain() throws InterruptedException {
    if (stdout != null) {
      stdout.await(DRAIN);
    }
    stderr.await(DRAIN);
  }

  /** The stdout kept (see {@link #start}), or null. */
  OutputPump stdout() {
    return stdout;
  }

  /** The last {@code count} lines runsc and the sandbox wrote on stderr. */
  List<String> stderrLines(int count) {
    return stderr.lastLines(count);
  }
}
