package dev.tracereplay.bench;

import dev.tracereplay.file.TraceFileReader;
import dev.tracereplay.wire.MessageHeader;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The load test with real runsc: several sandboxes at once, each with the {@code common} trace
 * points and every context field, send into one saver; how many points does each saver lose?
 * runsc writes without blocking and drops a point whenever the saver's queue is full, and says how
 * many it dropped so far in the next message's header, so a point dropped after the last message
 * is never reported: each sandbox's messages are also counted against those of a quiet run (one
 * sandbox alone into the saver, with nothing dropped), the "expected" count.
 *
 * <pre>
 * RunscLoad [--rounds=5] [--sandboxes=4] [--loops=200] [--peers=DIR] [--launcher=./tracereplay]
 *           [--dir=DIR] [--savers=java,java-warm,java-alt,c] [--alt-opts=JVM-OPTIONS] [--single=true]
 *           [--session=own] [--autogroup-nice=N] [--saver-life=round|run] [--settle=SECONDS] [--thread-cpu=false]
 * </pre>
 *
 * <p>Each round runs, for each saver in turn (the order alternates between rounds), the
 * {@code --sandboxes} sandboxes started at once, then (unless {@code --single=false}) one sandbox
 * alone; each sandbox runs {@code for i in $(seq 1 LOOPS); do cat /etc/hostname > /dev/null; done}
 * with {@code LANG=C.UTF-8}. The savers are {@code tracereplay save} through the launcher (the
 * full JIT; {@code JAVA_HOME} and {@code TRACEREPLAY_JAVA_OPTS} pass through) and, with
 * {@code --peers}, the C {@code seqsaved} (a thread per client, recv() and a buffered write);
 * {@code java-warm} is {@code tracereplay save} with its warm-up before listening turned on, and
 * {@code java-alt} is {@code tracereplay save} with the JVM options of {@code --alt-opts} added to
 * {@code TRACEREPLAY_JAVA_OPTS}: a JVM setting measured in the same interleaved rounds as without.
 * Each saver is stopped cleanly once every client has closed (SIGTERM). Needs runsc and root.
 * Exit code 0 when every run completed, 1 when one failed, 2 on a usage error.
 *
 * <p>Each saver runs in a session of its own ({@code --session=own}, through {@code setsid}), as
 * a saver deployed as a service does. With the kernel's autogroup scheduling
 * ({@code /proc/sys/kernel/sched_autogroup_enabled}) a session's processes share one CPU share,
 * and this harness's session also holds runsc's gofers: a saver left in it
 * ({@code --session=shared}, as every run before this option) competes with them for that share,
 * and every CPU second its other threads use (a JVM's compiler threads) is time its receive
 * threads lose (bench/README.md, "the saver's session"). {@code --autogroup-nice=N} gives each
 * saver's own session that nice value ({@code /proc/PID/autogroup}), which weighs the session
 * against the sandboxes' sessions.
 *
 * <p>Each run starts its saver afresh ({@code --saver-life=round}): a JVM's first sandboxes, while
 * it compiles. {@code --saver-life=run} starts each saver once, on an endpoint of its own, gives
 * it one unmeasured round of sandboxes (round 0) and keeps it for every round: a saver deployed as
 * a service, which has served sandboxes before. Its CPU time is then the run's.
 * {@code --settle=SECONDS} starts each run's sandboxes that long after the saver listens (or after
 * the run before, with a kept saver); the saver's CPU time "after listening" is then counted from
 * the sandboxes' start. {@code --thread-cpu=true} samples the saver's threads over the same span
 * ({@link ThreadCpuSampler}) and prints their CPU time by what they do: receiving, the JIT, the
 * collector, the rest.
 */
public final class RunscLoad {
  private static final long TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(5);

  /** The fixtures' {@code common} preset: container start, process lifecycle, file and socket syscalls. */
  static final List<String> COMMON_POINTS = commonPoints();
  /** Every context field runsc offers. */
  static final List<String> CONTEXT_FIELDS = List.of("time", "thread_id", "task_start_time", "group_id",
      "thread_group_start_time", "container_id", "credentials", "cwd", "process_name");

  private final PrintStream out;
  private final Options options;

  private RunscLoad(PrintStream out, Options options) {
    this.out = out;
    this.options = options;
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out));
  }

  static int run(String[] args, PrintStream out) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      out.println("usage error: " + e.getMessage());
      out.println("usage: RunscLoad [--rounds=5] [--sandboxes=4] [--loops=200] [--peers=DIR]"
          + " [--launcher=./tracereplay] [--dir=DIR] [--savers=java,java-warm,java-alt,c] [--alt-opts=JVM-OPTIONS]"
          + " [--single=true] [--session=own] [--autogroup-nice=N] [--saver-life=round|run] [--settle=SECONDS]"
          + " [--thread-cpu=false]");
      return 2;
    }
    try {
      new RunscLoad(out, options).measure();
      return 0;
    } catch (IllegalStateException | IOException e) {
      out.println("FAILED: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  /** A saver under test. */
  enum Saver {
    JAVA("tracereplay save"), JAVA_WARM("save, warmed up"), JAVA_ALT("save, --alt-opts"), C("C seqsaved");

    final String label;

    Saver(String label) {
      this.label = label;
    }
  }

  /**
   * One sandbox's recording: messages, the last header's dropped count, and the dropped count the
   * message after its first tenth reported (the points dropped while the saver was new: its JIT
   * compiles then, and the sandboxes start).
   */
  record Recorded(long messages, long dropped, long droppedInFirstTenth) { }

  /**
   * One run: a saver, how many sandboxes, what each recorded, the wall time, the saver's CPU time
   * in all and the part of it spent once it listened (while the sandboxes ran and after).
   */
  record Run(int round, Saver saver, int sandboxes, List<Recorded> recorded, long nanos, long saverCpuNanos,
      long sessionCpuNanos, Map<String, Long> threadMillis) {
    long messages() {
      return recorded.stream().mapToLong(Recorded::messages).sum();
    }

    long dropped() {
      return recorded.stream().mapToLong(Recorded::dropped).sum();
    }

    long droppedInFirstTenth() {
      return recorded.stream().mapToLong(Recorded::droppedInFirstTenth).sum();
    }

    /** Points missing against the quiet count, over all sandboxes (at least those reported dropped). */
    long lost(long expected) {
      return recorded.stream().mapToLong(r -> Math.max(r.dropped(), expected - r.messages())).sum();
    }
  }

  private void measure() throws IOException, InterruptedException {
    Path runsc = findRunsc();
    Path work = options.dir != null ? Files.createDirectories(options.dir)
        : Files.createTempDirectory(Path.of("/tmp"), "trload-");
    Path endpoint = work.resolve("ev.sock");
    Path config = Files.writeString(work.resolve("pod-init.json"), podInitConfig(endpoint));
    printHeader(runsc, work);

    List<Run> runs = new ArrayList<>();
    Map<Saver, LiveSaver> longLived = new LinkedHashMap<>();
    try {
      if (options.saverPerRun) {
        for (Saver saver : options.savers) {
          String name = saver.name().toLowerCase(Locale.ROOT);
          Path own = work.resolve("ev-" + name + ".sock");
          Path ownConfig = Files.writeString(work.resolve("pod-init-" + name + ".json"), podInitConfig(own));
          longLived.put(saver, launch(saver, own, ownConfig, Files.createDirectories(work.resolve("saver-" + name))));
        }
        // Each saver's first sandboxes, not measured: what a saver that has served sandboxes before does
        // is the question, so a JVM's first compilations stay out of the rounds.
        out.printf(Locale.ROOT, "%nround 0 (each saver's first sandboxes: not in the summary)%n");
        for (LiveSaver saver : longLived.values()) {
          Path dir = Files.createDirectories(work.resolve("r0-" + saver.kind().name().toLowerCase(Locale.ROOT)));
          out.println("  " + line(runOnce(0, saver, options.sandboxes, runsc, dir, false), -1));
        }
      }
      for (int round = 1; round <= options.rounds; round++) {
        out.printf(Locale.ROOT, "%nround %d/%d%n", round, options.rounds);
        List<Saver> order = new ArrayList<>(options.savers);
        if (round % 2 == 0) {
          java.util.Collections.reverse(order);
        }
        for (Saver saver : order) {
          for (int sandboxes : options.single && options.sandboxes > 1 ? List.of(options.sandboxes, 1)
              : List.of(options.sandboxes)) {
            Path dir = Files.createDirectories(work.resolve("r" + round + "-" + saver.name().toLowerCase(Locale.ROOT)
                + "-" + sandboxes));
            Run run = options.saverPerRun ? runOnce(round, longLived.get(saver), sandboxes, runsc, dir, false)
                : runFresh(round, saver, sandboxes, runsc, config, endpoint, dir);
            runs.add(run);
            out.println("  " + line(run, expected(runs)));
          }
        }
      }
      for (LiveSaver saver : longLived.values()) {
        stop(saver.process(), saver.kind());
      }
    } finally {
      longLived.values().forEach(saver -> saver.process().destroyForcibly());
    }
    printSummary(runs);
    // A work directory of its own holds a recording of every round (tens of MB): gone once the
    // figures are out. A failure keeps it, for the sandboxes' and savers' logs its message names.
    if (options.dir == null) {
      Bench.deleteTree(work);
    }
  }

  /**
   * A saver that listens on {@code endpoint}: its process and where it writes (recordings and
   * stdout), with the pod-init config whose remote sink is that endpoint.
   */
  private record LiveSaver(Saver kind, Process process, Path config, Path recordings, Path stdout) { }

  /** Starts a saver in {@code dir} and returns once it listens, in the session and at the weight asked for. */
  private LiveSaver launch(Saver saver, Path endpoint, Path config, Path dir) throws IOException, InterruptedException {
    Path recordings = dir.resolve("out");
    Path saverOut = dir.resolve("saver.out");
    Process saverProcess = startSaver(saver, endpoint, recordings, saverOut, dir.resolve("saver.err"));
    try {
      awaitListening(saver, endpoint, saverProcess, saverOut);
      checkSession(saverProcess, saver);
      if (options.autogroupNice != null) {
        setAutogroupNice(saverProcess, saver);
      }
      return new LiveSaver(saver, saverProcess, config, recordings, saverOut);
    } catch (IOException | InterruptedException | RuntimeException e) {
      saverProcess.destroyForcibly();
      throw e;
    }
  }

  /** One run into a saver started for it and stopped after it (--saver-life=round). */
  private Run runFresh(int round, Saver saver, int sandboxes, Path runsc, Path config, Path endpoint, Path dir)
      throws IOException, InterruptedException {
    LiveSaver live = launch(saver, endpoint, config, dir);
    try {
      Run run = runOnce(round, live, sandboxes, runsc, dir, true);
      stop(live.process(), saver);
      return run;
    } finally {
      if (live.process().isAlive()) {
        live.process().destroyForcibly();
      }
    }
  }

  /**
   * The sandboxes at once into a listening saver, and what each recorded. {@code fresh}: the saver
   * was started for this run, so its CPU time in all is reported beside the part since listening;
   * otherwise both are the run's part.
   */
  private Run runOnce(int round, LiveSaver saver, int sandboxes, Path runsc, Path dir, boolean fresh)
      throws IOException, InterruptedException {
    long closedBefore = closedClients(saver.stdout());
    int recordingsBefore = recordingFiles(saver.recordings()).size();
    if (options.settleMillis > 0) {
      // A deliberate pause, not a wait for a condition: what a saver that listened a while before
      // its sandboxes came does is the question.
      Thread.sleep(options.settleMillis);
    }
    long listeningCpu = CPeers.cpuNanos(saver.process());
    ThreadCpuSampler threads = options.threadCpu ? ThreadCpuSampler.start(saver.process().pid()) : null;
    long start = System.nanoTime();
    List<Process> sandboxProcesses = new ArrayList<>();
    for (int i = 1; i <= sandboxes; i++) {
      sandboxProcesses.add(startSandbox(runsc, saver.config(), dir.resolve("runsc-" + i + ".log")));
    }
    for (int i = 0; i < sandboxes; i++) {
      Process sandbox = sandboxProcesses.get(i);
      if (!sandbox.waitFor(TIMEOUT_NANOS, TimeUnit.NANOSECONDS)) {
        sandboxProcesses.forEach(Process::destroyForcibly);
        throw new IOException("sandbox " + (i + 1) + " did not finish within 5 minutes; see " + dir);
      }
      if (sandbox.exitValue() != 0) {
        throw new IOException("sandbox " + (i + 1) + " exited with " + sandbox.exitValue() + ": "
            + lastLine(dir.resolve("runsc-" + (i + 1) + ".log")));
      }
    }
    long nanos = System.nanoTime() - start;
    awaitClosedClients(saver.stdout(), closedBefore + sandboxes, saver.process(), saver.kind());
    long cpu = CPeers.cpuNanos(saver.process());
    Map<String, Long> threadMillis = threads == null ? Map.of() : threads.stop();
    return new Run(round, saver.kind(), sandboxes, readRecordings(saver.recordings(), recordingsBefore, sandboxes),
        nanos, fresh ? cpu : cpu - listeningCpu, cpu - listeningCpu, threadMillis);
  }

  private Process startSaver(Saver saver, Path endpoint, Path recordings, Path stdout, Path stderr)
      throws IOException {
    List<String> command = switch (saver) {
      case JAVA, JAVA_WARM, JAVA_ALT -> List.of(options.launcher.toString(), "save", "--endpoint=" + endpoint,
          "--out=" + recordings);
      case C -> {
        Files.createDirectories(recordings);
        yield List.of(options.peers.resolve("seqsaved").toString(), endpoint.toString(), recordings.toString());
      }
    };
    if (options.ownSession) {
      command = Stream.concat(Stream.of("setsid"), command.stream()).toList();
    }
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
    // save's warm-up before it listens (off by default), or the options under test, measured in
    // the same rounds as without.
    String extra = switch (saver) {
      case JAVA_WARM -> "-Dtracereplay.warmup=true";
      case JAVA_ALT -> options.altOptions;
      case JAVA, C -> null;
    };
    if (extra != null) {
      builder.environment().merge("TRACEREPLAY_JAVA_OPTS", extra, (a, b) -> a + " " + b);
    }
    return builder.start();
  }

  /**
   * Checks that the saver leads a session of its own exactly when {@code --session=own}: setsid
   * execs the saver in place unless it would lead a process group, and then it forks, which would
   * leave this harness measuring (and stopping) the wrong process.
   */
  private void checkSession(Process saverProcess, Saver saver) throws IOException {
    long session = CPeers.sessionId(saverProcess);
    if (options.ownSession != (session == saverProcess.pid())) {
      throw new IOException(saver.label + " (pid " + saverProcess.pid() + ") is in session " + session
          + (options.ownSession ? ", not one of its own: setsid forked" : ", its own, with --session=shared"));
    }
  }

  /** runsc as the fixtures were recorded: a clean environment, / as the working directory. */
  private Process startSandbox(Path runsc, Path config, Path log) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(runsc.toString(), "--rootless", "--network=none",
        "--pod-init-config=" + config, "do", "/bin/sh", "-c",
        "for i in $(seq 1 " + options.loops + "); do cat /etc/hostname > /dev/null; done")
        .directory(new File("/")).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> environment = builder.environment();
    environment.clear();
    environment.put("PATH", "/usr/local/bin:/usr/bin:/bin");
    environment.put("HOME", "/root");
    environment.put("LANG", "C.UTF-8");
    return builder.start();
  }

  /**
   * Waits until the saver listens. tracereplay save binds in a private directory and links the
   * socket into place once it listens, so /proc/net/unix never shows the endpoint's name: its
   * "Listening on" line on stdout (gVisor's), printed after that, is the signal.
   */
  private static void awaitListening(Saver saver, Path endpoint, Process process, Path saverOut)
      throws IOException, InterruptedException {
    if (saver == Saver.C) {
      CPeers.awaitListening(endpoint, process, saver.label);
      return;
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!Files.readString(saverOut).contains("Listening on \"")) {
      if (!process.isAlive()) {
        throw new IOException(saver.label + " exited with code " + process.exitValue() + " before listening");
      }
      if (System.nanoTime() > deadline) {
        throw new IOException(saver.label + " was not listening on " + endpoint + " after 30 s");
      }
      Thread.sleep(5);
    }
  }

  /** The "Closing client" lines the saver has printed so far: one per client it served. */
  private static long closedClients(Path saverOut) throws IOException {
    try (Stream<String> lines = Files.lines(saverOut)) {
      return lines.filter(line -> line.startsWith("Closing client")).count();
    }
  }

  /** Waits until the saver has printed {@code clients} "Closing client" lines in all. */
  private static void awaitClosedClients(Path saverOut, long clients, Process saver, Saver kind)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      long closed = closedClients(saverOut);
      if (closed >= clients) {
        return;
      }
      if (!saver.isAlive()) {
        throw new IOException(kind.label + " exited with " + saver.exitValue() + " before closing every client");
      }
      if (System.nanoTime() > deadline) {
        throw new IOException(kind.label + " closed " + closed + " of " + clients + " clients within 60 s after"
            + " the sandboxes ended; see " + saverOut);
      }
      Thread.sleep(20);
    }
  }

  /** SIGTERM: tracereplay save closes its recordings and exits 0; seqsaved has closed its files already. */
  private static void stop(Process saver, Saver kind) throws IOException, InterruptedException {
    saver.destroy();
    if (!saver.waitFor(30, TimeUnit.SECONDS)) {
      saver.destroyForcibly();
      throw new IOException(kind.label + " did not stop within 30 s of SIGTERM");
    }
    if (kind != Saver.C && saver.exitValue() != 0) {
      throw new IOException(kind.label + " exited with " + saver.exitValue() + " after SIGTERM");
    }
  }

  /** Messages and the dropped counts (final, and after the first tenth) of every recording, in file order. */
  static List<Recorded> readRecordings(Path directory, int expectedFiles) throws IOException {
    return readRecordings(directory, 0, expectedFiles);
  }

  /**
   * As {@link #readRecordings(Path, int)}, for the recordings after the first {@code earlier}
   * (those of a saver's earlier runs): there must be {@code expectedFiles} of them.
   */
  static List<Recorded> readRecordings(Path directory, int earlier, int expectedFiles) throws IOException {
    List<Path> files = recordingFiles(directory);
    if (files.size() != earlier + expectedFiles) {
      throw new IOException(directory + " holds " + files.size() + " recordings, expected " + (earlier + expectedFiles));
    }
    List<Recorded> recorded = new ArrayList<>();
    for (Path file : files.subList(earlier, files.size())) {
      long[] dropped = new long[1024];
      int messages = 0;
      try (TraceFileReader reader = TraceFileReader.open(file)) {
        while (reader.next()) {
          ByteBuffer record = reader.record();
          if (messages == dropped.length) {
            dropped = Arrays.copyOf(dropped, messages * 2);
          }
          dropped[messages++] = MessageHeader.droppedCount(record, record.position());
        }
      }
      recorded.add(messages == 0 ? new Recorded(0, 0, 0)
          : new Recorded(messages, dropped[messages - 1], dropped[messages / 10]));
    }
    return recorded;
  }

  /** A saver's recordings (client-NNNN, in the order it made them); none before it made its directory. */
  private static List<Path> recordingFiles(Path directory) throws IOException {
    if (!Files.isDirectory(directory)) {
      return List.of();
    }
    try (Stream<Path> list = Files.list(directory)) {
      return list.filter(path -> path.getFileName().toString().startsWith("client-")).sorted().toList();
    }
  }

  /** The quiet count: the most messages of a single-sandbox run that dropped nothing, or -1. */
  private static long expected(List<Run> runs) {
    return runs.stream().filter(run -> run.sandboxes() == 1 && run.dropped() == 0)
        .mapToLong(Run::messages).max().orElse(-1);
  }

  private String line(Run run, long expected) {
    String each = run.recorded().stream().map(r -> r.messages() + "/" + r.dropped())
        .collect(Collectors.joining(" "));
    return String.format(Locale.ROOT, "%-17s %d sandbox%s  %,7d messages, %,6d dropped (%,6d in the first tenth)%s"
        + "  [%s]  %.1f s, saver CPU %.2f s (%.2f s after listening)", run.saver().label, run.sandboxes(),
        run.sandboxes() == 1 ? "  " : "es", run.messages(), run.dropped(), run.droppedInFirstTenth(),
        expected < 0 ? "" : String.format(Locale.ROOT, ", %,6d lost (%.1f%%)",
            run.lost(expected), 100.0 * run.lost(expected) / (expected * run.sandboxes())),
        each, run.nanos() / 1e9, run.saverCpuNanos() / 1e9, run.sessionCpuNanos() / 1e9)
        + (run.threadMillis().isEmpty() ? "" : ", threads (ms): " + threads(run.threadMillis()));
  }

  /** What --thread-cpu samples after listening: "receiving 480, JIT 25, ..." (ms, and a count of runs). */
  private static String threads(Map<String, Long> millis) {
    return millis.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
  }

  private void printSummary(List<Run> runs) {
    long expected = expected(runs);
    out.printf(Locale.ROOT, "%nSummary: medians of %d rounds [min-max]; per sandbox %s messages expected (the"
        + " most of a single-sandbox run that dropped nothing); lost = per sandbox the larger of its final"
        + " dropped_count and the messages missing against that, summed; first tenth = the dropped_count of"
        + " each sandbox's message after its first tenth, summed%n%n", options.rounds,
        expected < 0 ? "no count" : String.format(Locale.ROOT, "%,d", expected));
    out.println("| saver | sandboxes | messages | dropped (reported) | of them in the first tenth | lost | lost %"
        + " | saver CPU s | after listening s | wall s |");
    out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    Map<String, List<Run>> groups = new LinkedHashMap<>();
    for (int sandboxes : List.of(options.sandboxes, 1)) {
      for (Saver saver : options.savers) {
        for (Run run : runs) {
          if (run.saver() == saver && run.sandboxes() == sandboxes) {
            groups.computeIfAbsent(saver.label + "|" + sandboxes, k -> new ArrayList<>()).add(run);
          }
        }
      }
    }
    for (List<Run> group : groups.values()) {
      Run first = group.get(0);
      double[] lost = sorted(group, run -> expected < 0 ? -1 : run.lost(expected));
      out.printf(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |%n", first.saver().label,
          first.sandboxes(), range(sorted(group, Run::messages), "%,.0f"), range(sorted(group, Run::dropped), "%,.0f"),
          range(sorted(group, Run::droppedInFirstTenth), "%,.0f"),
          expected < 0 ? "n/a" : range(lost, "%,.0f"),
          expected < 0 ? "n/a" : range(Arrays.stream(lost).map(l -> 100 * l / (expected * first.sandboxes()))
              .toArray(), "%.1f"),
          range(sorted(group, run -> run.saverCpuNanos() / 1e9), "%.2f"),
          range(sorted(group, run -> run.sessionCpuNanos() / 1e9), "%.2f"), range(sorted(group, run -> run.nanos() / 1e9),
              "%.1f"));
    }
    if (options.threadCpu) {
      out.printf(Locale.ROOT, "%nAfter listening, by thread (--thread-cpu): CPU time and waits in ms, runs a count; medians [min-max]:%n");
      for (List<Run> group : groups.values()) {
        String each = group.get(0).threadMillis().keySet().stream()
            .map(name -> name + " " + range(sorted(group, run -> run.threadMillis().get(name)), "%.0f"))
            .collect(Collectors.joining(", "));
        out.printf(Locale.ROOT, "  %s, %d sandbox%s: %s%n", group.get(0).saver().label, group.get(0).sandboxes(),
            group.get(0).sandboxes() == 1 ? "" : "es", each);
      }
    }
  }

  private void printHeader(Path runsc, Path work) throws IOException, InterruptedException {
    out.printf(Locale.ROOT, "runsc load test, %s, %d CPUs, %s %s%n",
        ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z")),
        Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"), System.getProperty("os.version"));
    Process version = new ProcessBuilder(runsc.toString(), "--version").redirectErrorStream(true).start();
    String runscVersion = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")[0];
    version.waitFor();
    out.printf(Locale.ROOT, "%s; %d rounds of %d sandboxes at once%s, each `for i in $(seq 1 %d); do cat"
        + " /etc/hostname > /dev/null; done`, %d trace points (common) with every context field; savers: %s%s,"
        + " each %s (autogroup %s)%s; work in %s%n", runscVersion, options.rounds, options.sandboxes,
        options.single ? " and 1 alone" : "", options.loops, COMMON_POINTS.size(),
        options.savers.stream().map(s -> s.label).collect(Collectors.joining(", ")),
        options.altOptions == null ? "" : " (--alt-opts=" + options.altOptions + ")",
        options.ownSession ? "in a session of its own" : "in this harness's session",
        autogroup() + (options.autogroupNice == null ? "" : ", the saver's at nice " + options.autogroupNice),
        options.saverPerRun ? ", each started once for every round, after an unmeasured round 0" : ", each started"
            + " afresh for each run", work);
  }

  /** A pod-init config: the common points with every context field, into the remote sink at endpoint. */
  static String podInitConfig(Path endpoint) {
    String context = CONTEXT_FIELDS.stream().map(f -> "\"" + f + "\"").collect(Collectors.joining(", "));
    String points = COMMON_POINTS.stream()
        .map(point -> "      {\"name\": \"" + point + "\", \"context_fields\": [" + context + "]}")
        .collect(Collectors.joining(",\n"));
    return "{\n  \"trace_session\": {\n    \"name\": \"Default\",\n    \"points\": [\n" + points + "\n    ],\n"
        + "    \"sinks\": [{\"name\": \"remote\", \"config\": {\"endpoint\": \"" + endpoint + "\"}}]\n  }\n}\n";
  }

  private static List<String> commonPoints() {
    List<String> points = new ArrayList<>(List.of("container/start", "sentry/clone", "sentry/execve",
        "sentry/exit_notify_parent", "sentry/task_exit"));
    for (String syscall : List.of("openat", "read", "write", "close", "execve", "clone", "socket", "connect",
        "chdir", "pipe2", "dup2", "fcntl", "prlimit64", "setresuid")) {
      points.add("syscall/" + syscall + "/enter");
      points.add("syscall/" + syscall + "/exit");
    }
    return List.copyOf(points);
  }

  /**
   * Gives the saver's autogroup (its session's, which holds only the saver with
   * {@code --session=own}) the nice value of {@code --autogroup-nice}, and checks it: the
   * weight its threads share against the sandboxes' groups.
   */
  private void setAutogroupNice(Process saverProcess, Saver saver) throws IOException {
    Path autogroup = Path.of("/proc", Long.toString(saverProcess.pid()), "autogroup");
    Files.writeString(autogroup, options.autogroupNice.toString());
    String now = Files.readString(autogroup).trim();
    if (!now.endsWith(" nice " + options.autogroupNice)) {
      throw new IOException(saver.label + "'s autogroup reads '" + now + "' after setting its nice to "
          + options.autogroupNice);
    }
  }

  /** Whether the kernel groups each session's processes for scheduling: "on", "off" or "absent". */
  private static String autogroup() throws IOException {
    Path setting = Path.of("/proc/sys/kernel/sched_autogroup_enabled");
    if (!Files.exists(setting)) {
      return "absent";
    }
    return Files.readString(setting).trim().equals("0") ? "off" : "on";
  }

  private static Path findRunsc() throws IOException {
    for (String directory : (System.getenv().getOrDefault("PATH", "") + ":/usr/bin:/usr/sbin:/usr/local/bin")
        .split(":")) {
      if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, "runsc"))) {
        return Path.of(directory, "runsc");
      }
    }
    throw new IOException("runsc is not installed (apt-get install -y runsc)");
  }

  private static String lastLine(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    return lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1);
  }

  private interface Measure {
    double of(Run run);
  }

  private static double[] sorted(List<Run> runs, Measure measure) {
    return runs.stream().mapToDouble(measure::of).sorted().toArray();
  }

  private static String range(double[] sorted, String format) {
    return String.format(Locale.ROOT, format + " [" + format + "-" + format + "]", Bench.median(sorted), sorted[0],
        sorted[sorted.length - 1]);
  }

  /** The command line. */
  private static final class Options {
    int rounds = 5;
    int sandboxes = 4;
    int loops = 200;
    Path peers;
    Path launcher = Path.of("./tracereplay");
    Path dir;
    List<Saver> savers;
    boolean single = true;
    boolean ownSession = true;
    boolean saverPerRun;
    boolean threadCpu;
    long settleMillis;
    String altOptions;
    Integer autogroupNice;

    static Options parse(String[] args) {
      Options options = new Options();
      String savers = null;
      for (String arg : args) {
        int equals = arg.indexOf('=');
        if (!arg.startsWith("--") || equals < 0) {
          throw new IllegalArgumentException("expected --name=value, got '" + arg + "'");
        }
        String name = arg.substring(2, equals);
        String value = arg.substring(equals + 1);
        try {
          switch (name) {
            case "rounds" -> options.rounds = positive(Integer.parseInt(value), name);
            case "sandboxes" -> options.sandboxes = positive(Integer.parseInt(value), name);
            case "loops" -> options.loops = positive(Integer.parseInt(value), name);
            case "peers" -> options.peers = Path.of(value);
            case "launcher" -> options.launcher = Path.of(value);
            case "dir" -> options.dir = Path.of(value);
            case "savers" -> savers = value;
            case "alt-opts" -> options.altOptions = value;
            case "autogroup-nice" -> options.autogroupNice = Integer.parseInt(value);
            case "single" -> options.single = Boolean.parseBoolean(value);
            case "settle" -> options.settleMillis = settleMillis(value);
            case "thread-cpu" -> options.threadCpu = Boolean.parseBoolean(value);
            case "saver-life" -> options.saverPerRun = switch (value) {
              case "round" -> false;
              case "run" -> true;
              default -> throw new IllegalArgumentException("--saver-life: round or run, got '" + value + "'");
            };
            case "session" -> options.ownSession = switch (value) {
              case "own" -> true;
              case "shared" -> false;
              default -> throw new IllegalArgumentException("--session: own or shared, got '" + value + "'");
            };
            default -> throw new IllegalArgumentException("unknown option --" + name);
          }
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("--" + name + " needs a number, got '" + value + "'");
        }
      }
      if (savers == null) {
        savers = options.peers == null ? "java" : "java,c";
      }
      options.savers = new ArrayList<>();
      for (String saver : savers.split(",")) {
        switch (saver) {
          case "java" -> options.savers.add(Saver.JAVA);
          case "java-warm" -> options.savers.add(Saver.JAVA_WARM);
          case "java-alt" -> options.savers.add(Saver.JAVA_ALT);
          case "c" -> options.savers.add(Saver.C);
          default -> throw new IllegalArgumentException("--savers: java, java-warm, java-alt or c, got '" + saver + "'");
        }
      }
      if (options.autogroupNice != null && (!options.ownSession || options.autogroupNice < -20
          || options.autogroupNice > 19)) {
        throw new IllegalArgumentException("--autogroup-nice: -20 to 19, with --session=own (else it would set the"
            + " harness's session's), got " + options.autogroupNice);
      }
      if (options.savers.contains(Saver.JAVA_ALT) != (options.altOptions != null)) {
        throw new IllegalArgumentException("--alt-opts=JVM-OPTIONS and --savers=...,java-alt go together");
      }
      if (options.savers.contains(Saver.C)
          && (options.peers == null || !Files.isExecutable(options.peers.resolve("seqsaved")))) {
        throw new IllegalArgumentException("the C saver needs --peers=DIR with seqsaved built in it (make OUT=DIR"
            + " in the directory of the C peers' sources)");
      }
      if (options.savers.stream().anyMatch(saver -> saver != Saver.C) && !Files.isExecutable(options.launcher)) {
        throw new IllegalArgumentException("no launcher at " + options.launcher + " (--launcher)");
      }
      return options;
    }

    /** --settle=SECONDS: 0 to 60, a decimal fraction allowed. */
    private static long settleMillis(String value) {
      double seconds = Double.parseDouble(value);
      if (!(seconds >= 0 && seconds <= 60)) {
        throw new IllegalArgumentException("--settle: 0 to 60 seconds, got '" + value + "'");
      }
      return Math.round(seconds * 1000);
    }

    private static int positive(int value, String name) {
      if (value < 1) {
        throw new IllegalArgumentException("--" + name + " must be at least 1, got " + value);
      }
      return value;
    }
  }
}
