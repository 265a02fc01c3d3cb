package dev.tracereplay.cli;

import dev.tracereplay.Deadline;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code tracereplay} in a JVM of its own, as a user runs it: {@code java -cp <the test class
 * path> dev.tracereplay.cli.Tracereplay ...}. The class path is this JVM's {@code java.class.path},
 * which holds the real test class path because tracereplay-core's surefire configuration sets
 * {@code useManifestOnlyJar=false}. Its stdout and stderr are captured in {@link Transcript}s.
 * {@link #close()} kills the process if it still runs.
 */
final class CliProcess implements AutoCloseable {
  private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

  final Transcript out = new Transcript();
  final Transcript err = new Transcript();
  private final Process process;
  private final Thread outPump;
  private final Thread errPump;

  private CliProcess(Process process, boolean readStdout) {
    this.process = process;
    this.outPump = readStdout ? pump(process.getInputStream(), out, "stdout") : null;
    this.errPump = pump(process.getErrorStream(), err, "stderr");
  }

  /** Starts {@code tracereplay args...}. */
  static CliProcess start(String... args) throws IOException {
    // A build started in the background (a CI runner, nohup) hands its children SIGINT ignored,
    // and the JVM would keep ignoring it; env restores the default, as at a terminal.
    List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT,TERM,HUP"));
    command.addAll(command(args));
    return new CliProcess(new ProcessBuilder(command).start(), true);
  }

  /**
   * Starts {@code tracereplay args...} with a stdout that nobody reads: a pipe that fills up and
   * then blocks whatever writes to it.
   */
  static CliProcess startWithUnreadStdout(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT,TERM,HUP"));
    command.addAll(command(args));
    return new CliProcess(new ProcessBuilder(command).start(), false);
  }

  /**
   * Runs {@code <shell> -c script} (sh, or bash for {@code <(...)}) with {@code tracereplay args...}
   * as the script's {@code "$@"}, e.g.
   * {@code umask 000 && exec "$@"}, or {@code "$@" & wait} (a background job, which a
   * non-interactive shell starts with SIGINT ignored). SIGINT is not reset here.
   */
  static CliProcess startInShell(String shell, String script, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(shell, "-c", script, shell));
    command.addAll(command(args));
    return new CliProcess(new ProcessBuilder(command).start(), true);
  }

  /** The command line of {@code tracereplay args...} on the test class path, in this JVM's java. */
  private static List<String> command(String... args) {
    String classPath = System.getProperty("java.class.path");
    if (!classPath.contains("junit-jupiter")) {
      throw new IllegalStateException("java.class.path is not the test class path (" + classPath + "): is"
          + " surefire's useManifestOnlyJar still false in tracereplay-core/pom.xml?");
    }
    // C1 only and the serial collector: these processes are short and many; start-up is what counts.
    List<String> command = new ArrayList<>(List.of(JAVA, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
    // What bin/tracereplay gives newer JVMs (its launcher jar's manifest grants native access), so
    // that stderr holds only the command's lines: no warning for junixsocket's library or the FFM
    // downcalls (Java 22+), nor for protobuf 3.25's sun.misc.Unsafe (Java 24+; the option is 23's).
    if (Runtime.version().feature() >= 22) {
      command.add("--enable-native-access=ALL-UNNAMED");
    }
    if (Runtime.version().feature() >= 23) {
      command.add("--sun-misc-unsafe-memory-access=allow");
    }
    command.addAll(List.of("-cp", classPath, Tracereplay.class.getName()));
    command.addAll(List.of(args));
    return command;
  }

  long pid() {
    return process.pid();
  }

  /**
   * The process that runs tracereplay: this one, or for {@link #startInShell} the shell's child
   * (waiting up to the timeout for the shell to start it).
   */
  long tracereplayPid(Duration timeout) throws Exception {
    long[] pid = {-1};
    Deadline.await(timeout, () -> {
      pid[0] = Stream.concat(Stream.of(process.toHandle()), process.toHandle().descendants())
          .filter(handle -> handle.info().command().map(c -> c.endsWith("/java")).orElse(false))
          .mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
      return pid[0] > 0;
    });
    return pid[0];
  }

  /** Sends a signal by name (INT, TERM, HUP) with the shell's kill. */
  void signal(String name) throws IOException, InterruptedException {
    signal(name, process.pid());
  }

  /** Sends a signal by name to the process {@code pid}, e.g. {@link #tracereplayPid}. */
  static void signal(String name, long pid) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("sh", "-c", "kill -s " + name + " " + pid).inheritIO().start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new AssertionError("kill -s " + name + " " + pid + " failed");
    }
  }

  /** Whether the process ignores {@code signal} (a number), e.g. SIGINT inherited as ignored. */
  boolean ignores(int signal) throws IOException {
    return ignores(signal, process.pid());
  }

  /** Whether the process {@code pid} ignores {@code signal} (a number). */
  static boolean ignores(int signal, long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("SigIgn:")) {
        return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & 1L << (signal - 1)) != 0;
      }
    }
    throw new AssertionError("no SigIgn line in /proc/" + pid + "/status");
  }

  /** SIGKILL, as a crash: nothing in the process runs any more. Does not wait. */
  void kill() {
    process.destroyForcibly();
  }

  /** Waits for the process to end and for its output to be read; returns its exit code. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("tracereplay (pid " + process.pid() + ") still runs after " + timeout.toMillis()
          + " ms\nstdout:\n" + out.text() + "\nstderr:\n" + err.text());
    }
    if (outPump != null) {
      outPump.join(timeout.toMillis());
    }
    errPump.join(timeout.toMillis());
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static Thread pump(InputStream stream, Transcript to, String name) {
    Thread thread = new Thread(() -> {
      try (Reader reader = new InputStreamReader(stream, StandardCharsets.UTF_8)) {
        char[] chars = new char[8192];
        for (int n; (n = reader.read(chars)) >= 0; ) {
          to.write(chars, 0, n);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, "tracereplay-process-" + name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }
}
