package dev.tracereplay.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * {@code tracereplay save} as a process of its own, on this JVM's class path and with the JVM
 * options given, for the flood and soak benchmarks: they measure the saver's resident memory and
 * descriptors from /proc while clients come and go. Its stdout is read (and counted) so that it
 * never stalls; its stderr goes to this process's.
 */
final class SaverProcess implements AutoCloseable {
  private final Process process;
  private final AtomicLong stdoutLines = new AtomicLong();

  private SaverProcess(Process process) {
    this.process = process;
  }

  /** Starts the saver and waits until it listens. */
  static SaverProcess start(List<String> jvmOptions, Path endpoint, Path out) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.tracereplay.cli.Tracereplay", "save",
        "--endpoint=" + endpoint, "--out=" + out));
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    SaverProcess saver = new SaverProcess(process);
    CountDownLatch listening = new CountDownLatch(1);
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = lines.readLine()) != null; ) {
          if (line.startsWith("Listening on")) {
            listening.countDown();
          }
          saver.stdoutLines.incrementAndGet();
        }
      } catch (IOException e) {
        // The saver ended.
      }
    }, "saver-stdout");
    reader.setDaemon(true);
    reader.start();
    if (!listening.await(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException("the saver did not start listening on " + endpoint + " within 60 s");
    }
    return saver;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  long stdoutLines() {
    return stdoutLines.get();
  }

  /** The saver's resident set, in KiB (VmRSS), or -1 once it is gone. */
  long rssKib() {
    return statusField("VmRSS:");
  }

  /** The saver's peak resident set, in KiB (VmHWM). */
  long peakRssKib() {
    return statusField("VmHWM:");
  }

  /** Threads the saver runs. */
  long threads() {
    return statusField("Threads:");
  }

  /** Descriptors the saver has open, or -1 once it is gone. */
  long openDescriptors() {
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(process.pid()), "fd"))) {
      return fds.count();
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private long statusField(String name) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
        if (line.startsWith(name)) {
          return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // Gone.
    }
    return -1;
  }

  /** Stops the saver with SIGTERM and returns its exit code. */
  int stop(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      process.waitFor();
    }
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      stop(Duration.ofSeconds(30));
    }
  }
}
