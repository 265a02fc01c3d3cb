package dev.tracereplay.cli;

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

  private CliProcess(Process process) {
    this.process = process;
    this.outPump = pump(process.getInputStream(), out, "stdout");
    this.errPump = pump(process.getErrorStream(), err, "stderr");
  }

  /** Starts {@code tracereplay args...}. */
  static CliProcess start(String... args) throws IOException {
    String classPath = System.getProperty("java.class.path");
    if (!classPath.contains("junit-jupiter")) {
      throw new IllegalStateException("java.class.path is not the test class path (" + classPath + "): is"
          + " surefire's useManifestOnlyJar still false in tracereplay-core/pom.xml?");
    }
    // A build started in the background (a CI runner, nohup) hands its children SIGINT ignored,
    // and the JVM would keep ignoring it; env restores the default, as at a terminal.
    // C1 only and the serial collector: these processes are short and many; start-up is what counts.
    List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT,TERM,HUP", JAVA,
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
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
    return new CliProcess(new ProcessBuilder(command).start());
  }

  long pid() {
    return process.pid();
  }

  /** Sends a signal by name (INT, TERM, HUP) with the shell's kill. */
  void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("sh", "-c", "kill -s " + name + " " + process.pid()).inheritIO().start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new AssertionError("kill -s " + name + " " + process.pid() + " failed");
    }
  }

  /** Whether the process ignores {@code signal} (a number), e.g. SIGINT inherited as ignored. */
  boolean ignores(int signal) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
      if (line.startsWith("SigIgn:")) {
        return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & 1L << (signal - 1)) != 0;
      }
    }
    throw new AssertionError("no SigIgn line in /proc/" + process.pid() + "/status");
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
    outPump.join(timeout.toMillis());
    errPump.join(timeout.toMillis());
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
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
