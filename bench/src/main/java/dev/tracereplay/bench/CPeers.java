package dev.tracereplay.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The C reference peers (one send() or recv() per message: {@code seqsend}, {@code seqsink},
 * {@code seqsave}, {@code mktrace}; and the batching limit, many packets per sendmmsg() or
 * recvmmsg(): {@code seqsendmm}, {@code seqsinkmm}), run as separate processes from a directory where they were
 * built, so that the Java figures can be set beside them in the same run. Their figures are the
 * ones they print themselves, plus the CPU time (user + system) each used, from /proc: a peer that
 * exits is run under {@code sh}, which prints its own stat line after the peer, where the
 * children's times are; a peer that keeps running is read directly before it is stopped.
 */
final class CPeers {
  private static final List<String> PROGRAMS =
      List.of("seqsend", "seqsink", "seqsave", "mktrace", "seqsendmm", "seqsinkmm");
  private static final Duration TIMEOUT = Duration.ofMinutes(5);
  /** /proc reports times in clock ticks of 1/100 s (USER_HZ, fixed by the kernel's ABI). */
  private static final long TICK_NANOS = 10_000_000;
  /** Runs the peer, then prints the shell's stat line, whose cutime/cstime are the peer's. */
  private static final String TIMED = "\"$0\" \"$@\"; status=$?; cat /proc/$$/stat; exit $status";

  private final Path directory;

  private CPeers(Path directory) {
    this.directory = directory;
  }

  /**
   * The peers built in {@code directory}.
   *
   * @throws IOException naming the missing program and how to build it
   */
  static CPeers in(Path directory) throws IOException {
    for (String program : PROGRAMS) {
      if (!Files.isExecutable(directory.resolve(program))) {
        throw new IOException("--peers: no executable " + program + " in " + directory
            + "; build the C peers there first (make OUT=" + directory + " in the directory of their sources)");
      }
    }
    return new CPeers(directory);
  }

  /** {@code mktrace out messages size}. */
  void mktrace(Path out, long messages, int size) throws IOException, InterruptedException {
    Process process = start("mktrace", out.toString(), Long.toString(messages), Integer.toString(size));
    finish(process, "mktrace");
  }

  /** Starts {@code seqsink endpoint} and returns once it listens. */
  RunningPeer sink(Path endpoint) throws IOException {
    RunningPeer sink = new RunningPeer("seqsink", start("seqsink", endpoint.toString()), false);
    String line = sink.readLine();
    if (line == null || !line.startsWith("seqsink listening")) {
      sink.close();
      throw new IOException("seqsink did not start: " + line);
    }
    return sink;
  }

  /** Starts {@code seqsinkmm endpoint batch} and returns once it listens. */
  RunningPeer batchedSink(Path endpoint, int batch) throws IOException, InterruptedException {
    RunningPeer sink = new RunningPeer("seqsinkmm", start("seqsinkmm", endpoint.toString(), Integer.toString(batch)),
        false);
    awaitListening(endpoint, sink);
    return sink;
  }

  /** Starts {@code seqsave endpoint out} and returns once it listens. */
  RunningPeer save(Path endpoint, Path out) throws IOException, InterruptedException {
    RunningPeer save = new RunningPeer("seqsave", startTimed("seqsave", endpoint.toString(), out.toString()), true);
    awaitListening(endpoint, save);
    return save;
  }

  /**
   * Runs {@code seqsend endpoint messages size} to its end and returns its figures, with its CPU
   * time as {@code cpu_ns}.
   */
  Map<String, String> send(Path endpoint, long messages, int size) throws IOException, InterruptedException {
    return runTimed("seqsend", endpoint.toString(), Long.toString(messages), Integer.toString(size));
  }

  /** As {@link #send}, with {@code seqsendmm}: {@code batch} packets per sendmmsg() call. */
  Map<String, String> sendBatched(Path endpoint, long messages, int size, int batch)
      throws IOException, InterruptedException {
    return runTimed("seqsendmm", endpoint.toString(), Long.toString(messages), Integer.toString(size),
        Integer.toString(batch));
  }

  /** Runs a peer to its end: the figures of its first line, with its CPU time as {@code cpu_ns}. */
  private Map<String, String> runTimed(String program, String... args) throws IOException, InterruptedException {
    String[] lines = finish(startTimed(program, args), program).split("\n");
    Map<String, String> figures = figures(lines[0]);
    figures.put("cpu_ns", Long.toString(childrenCpuNanos(lines[lines.length - 1])));
    return figures;
  }

  /** Parses a peer's {@code key=value key=value} line. */
  static Map<String, String> figures(String line) {
    Map<String, String> figures = new HashMap<>();
    for (String field : line.trim().split("\\s+")) {
      int equals = field.indexOf('=');
      if (equals > 0) {
        figures.put(field.substring(0, equals), field.substring(equals + 1));
      }
    }
    return figures;
  }

  private Process start(String program, String... args) throws IOException {
    String[] command = new String[args.length + 1];
    command[0] = directory.resolve(program).toString();
    System.arraycopy(args, 0, command, 1, args.length);
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  private Process startTimed(String program, String... args) throws IOException {
    String[] command = new String[args.length + 4];
    command[0] = "/bin/sh";
    command[1] = "-c";
    command[2] = TIMED;
    command[3] = directory.resolve(program).toString();
    System.arraycopy(args, 0, command, 4, args.length);
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  /** The fields of a /proc stat line after the command name: [0] is field 3 (state). */
  static String[] statFields(String statLine) throws IOException {
    int end = statLine.lastIndexOf(')');
    if (end < 0) {
      throw new IOException("not a /proc stat line: " + statLine);
    }
    return statLine.substring(end + 2).trim().split("\\s+");
  }

  /** A running process's user + system CPU time so far (utime + stime, fields 14 and 15 of its stat). */
  static long cpuNanos(Process process) throws IOException {
    String[] fields = statFields(process);
    return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * TICK_NANOS;
  }

  /** The session a running process belongs to (field 6 of its stat). */
  static long sessionId(Process process) throws IOException {
    return Long.parseLong(statFields(process)[3]);
  }

  /** The fields after the command name of a running process's /proc stat line. */
  private static String[] statFields(Process process) throws IOException {
    return statFields(Files.readString(Path.of("/proc/" + process.pid() + "/stat")));
  }

  /** cutime + cstime (fields 16 and 17) of a stat line. */
  private static long childrenCpuNanos(String statLine) throws IOException {
    String[] fields = statFields(statLine);
    return (Long.parseLong(fields[13]) + Long.parseLong(fields[14])) * TICK_NANOS;
  }

  private static String finish(Process process, String program) throws IOException, InterruptedException {
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new IOException(program + " did not finish within " + TIMEOUT.toMinutes() + " minutes");
    }
    if (process.exitValue() != 0) {
      throw new IOException(program + " failed with exit code " + process.exitValue() + ": " + output);
    }
    return output;
  }

  /**
   * Waits until a listening socket is bound at {@code endpoint}, as /proc/net/unix shows it:
   * probing with a connection would take the one client seqsave accepts.
   */
  private static void awaitListening(Path endpoint, RunningPeer peer) throws IOException, InterruptedException {
    try {
      awaitListening(endpoint, peer.process, peer.name);
    } catch (IOException e) {
      peer.close();
      throw e;
    }
  }

  /** Waits until {@code process} listens at {@code endpoint} (see above); fails when it exits first. */
  static void awaitListening(Path endpoint, Process process, String name) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    String path = endpoint.toAbsolutePath().toString();
    while (System.nanoTime() < deadline) {
      for (String line : Files.readAllLines(Path.of("/proc/net/unix"))) {
        String[] fields = line.trim().split("\\s+");
        // Num RefCount Protocol Flags Type St Inode Path; Flags 00010000 is __SO_ACCEPTCON (listening).
        if (fields.length >= 8 && fields[7].equals(path) && (Integer.parseInt(fields[3], 16) & 0x10000) != 0) {
          return;
        }
      }
      if (!process.isAlive()) {
        throw new IOException(name + " exited with code " + process.exitValue() + " before listening");
      }
      Thread.sleep(1);
    }
    throw new IOException(name + " was not listening on " + endpoint + " after 10 s");
  }

  /** A peer process that runs beside the benchmark; closing it kills it. */
  static final class RunningPeer implements AutoCloseable {
    private final String name;
    private final Process process;
    private final BufferedReader output;
    private final boolean timed;

    private RunningPeer(String name, Process process, boolean timed) {
      this.name = name;
      this.process = process;
      this.timed = timed;
      this.output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** The next line the peer prints (blocks); null when it has exited. */
    String readLine() throws IOException {
      return output.readLine();
    }

    /**
     * The CPU time the peer has used: read from /proc while it runs, or, for a peer that has
     * exited under {@code sh}, from the stat line the shell printed after it.
     */
    long cpuNanos() throws IOException {
      if (!timed) {
        return CPeers.cpuNanos(process);
      }
      String line = readLine();
      if (line == null) {
        throw new IOException(name + " exited without its CPU times");
      }
      return childrenCpuNanos(line);
    }

    /** The figures of the next line the peer prints. */
    Map<String, String> nextFigures() throws IOException {
      String line = readLine();
      if (line == null) {
        throw new IOException(name + " exited without its figures");
      }
      return figures(line);
    }

    @Override
    public void close() {
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
