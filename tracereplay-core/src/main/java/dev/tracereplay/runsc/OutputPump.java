package dev.tracereplay.runsc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Reads one output stream of a process on a thread of its own, passes every byte on to where the
 * caller wants it (or nowhere), and keeps the last bytes for error messages. Reading never stops
 * before the end of the stream, so the process never blocks on a full pipe, even when the
 * destination fails (it is then left out). Thread-safe.
 */
final class OutputPump {
  private final byte[] kept;
  private final OutputStream destination;
  private final Thread thread;
  private long total;
  private boolean destinationFailed;

  private OutputPump(InputStream source, OutputStream destination, int keep, String name) {
    this.kept = new byte[keep];
    this.destination = destination;
    this.thread = new Thread(() -> pump(source), name);
    thread.setDaemon(true);
  }

  /**
   * Starts pumping {@code source} into {@code destination} (null: nowhere), keeping the last
   * {@code keep} bytes.
   */
  static OutputPump start(InputStream source, OutputStream destination, int keep, String name) {
    OutputPump pump = new OutputPump(source, destination, keep, name);
    pump.thread.start();
    return pump;
  }

  private void pump(InputStream source) {
    byte[] buffer = new byte[8192];
    try (source) {
      for (int n; (n = source.read(buffer)) >= 0; ) {
        keep(buffer, n);
        forward(buffer, n);
      }
    } catch (IOException closed) {
      // The process is gone and its pipe with it: what was read is kept.
    }
  }

  private synchronized void keep(byte[] buffer, int n) {
    int skipped = Math.max(0, n - kept.length); // would be overwritten at once
    total += skipped;
    for (int i = skipped; i < n; i++) {
      kept[(int) (total++ % kept.length)] = buffer[i];
    }
  }

  private void forward(byte[] buffer, int n) {
    if (destination == null || destinationFailed) {
      return;
    }
    try {
      destination.write(buffer, 0, n);
      destination.flush();
    } catch (IOException e) {
      destinationFailed = true;
    }
  }

  /** Waits for the end of the stream. @return false when it did not come within {@code timeout} */
  boolean await(Duration timeout) throws InterruptedException {
    thread.join(Math.max(1, timeout.toMillis()));
    return !thread.isAlive();
  }

  /** How many bytes were read. */
  synchronized long total() {
    return total;
  }

  /** The bytes kept, in order: all of them, or the last ones when there were more. */
  synchronized byte[] kept() {
    if (total <= kept.length) {
      return Arrays.copyOf(kept, (int) total);
    }
    int start = (int) (total % kept.length);
    byte[] ordered = new byte[kept.length];
    System.arraycopy(kept, start, ordered, 0, kept.length - start);
    System.arraycopy(kept, 0, ordered, kept.length - start, start);
    return ordered;
  }

  /** The last {@code count} non-blank lines of what was kept (a line cut by the limit is left out). */
  List<String> lastLines(int count) {
    boolean cut = total() > kept.length;
    List<String> lines = Arrays.stream(new String(kept(), StandardCharsets.UTF_8).split("\\R"))
        .skip(cut ? 1 : 0).map(String::strip).filter(line -> !line.isEmpty()).toList();
    return lines.subList(Math.max(0, lines.size() - count), lines.size());
  }
}
