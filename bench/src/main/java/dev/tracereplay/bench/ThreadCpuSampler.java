package dev.tracereplay.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Samples the CPU time of every thread of a running process from {@code /proc/PID/task/TID/stat},
 * every {@link #PERIOD_MILLIS} ms, from {@link #start} to {@link #stop}, and sums it by what each
 * thread does, as its name says: a saver's receiving (tracereplay's accept and client threads, or
 * every thread of the C saver), the JIT, the collector, and the rest of the JVM. What a thread
 * spends after the last sample before it exits is not seen (up to one period per thread): the
 * process's own time, which the kernel keeps for exited threads too, less the groups' sum, is
 * reported as {@link #UNSEEN}. The kernel counts in ticks of 10 ms. Beside the CPU time, how long
 * the receiving threads waited runnable for a CPU ({@code /proc/PID/task/TID/schedstat}, in ns), as
 * {@link #RECEIVING_WAITED}: the time in which a saver's socket queues fill; and how many times they
 * were given a CPU ({@link #RECEIVING_RUNS}, schedstat's third field), about once per wake-up.
 */
final class ThreadCpuSampler {
  static final int PERIOD_MILLIS = 20;
  private static final long TICK_MILLIS = 10;

  /** The groups, in the order they are printed. */
  static final String RECEIVING = "receiving";
  static final String JIT = "JIT";
  static final String GC = "GC";
  static final String OTHER = "other";
  static final String UNSEEN = "unseen";
  static final String RECEIVING_WAITED = "receiving waited for a CPU";
  static final String RECEIVING_RUNS = "receiving runs (count)";

  private final Path tasks;
  private final Path stat;
  private long processTicksAtStart;
  /** Per thread id: its name, its ticks at the first sample that saw it (0 if born after the start), the last. */
  private final Map<Long, String> names = new HashMap<>();
  private final Map<Long, long[]> ticks = new HashMap<>();
  /**
   * Per thread id: its run-queue wait (schedstat's second field, ns) and its runs (the third) at its
   * first sample (0 if born after the start), then at its last.
   */
  private final Map<Long, long[]> waits = new HashMap<>();
  private final Thread thread;
  private volatile boolean stopping;
  private volatile IOException failure;

  private ThreadCpuSampler(long pid) {
    this.tasks = Path.of("/proc/" + pid + "/task");
    this.stat = Path.of("/proc/" + pid + "/stat");
    this.thread = new Thread(this::run, "thread-cpu-sampler");
    this.thread.setDaemon(true);
  }

  /** Takes a first sample now (the threads' times so far are not counted), then samples in a thread of its own. */
  static ThreadCpuSampler start(long pid) throws IOException {
    ThreadCpuSampler sampler = new ThreadCpuSampler(pid);
    sampler.processTicksAtStart = parse(Files.readString(sampler.stat)).getValue();
    sampler.sample(true);
    sampler.thread.start();
    return sampler;
  }

  /** Takes a last sample and returns each group's CPU time since the start, in ms. */
  Map<String, Long> stop() throws IOException, InterruptedException {
    stopping = true;
    thread.interrupt();
    thread.join(TimeUnit.SECONDS.toMillis(10));
    if (failure != null) {
      throw failure;
    }
    long processTicks = parse(Files.readString(stat)).getValue() - processTicksAtStart;
    sample(false);
    Map<String, Long> millis = new LinkedHashMap<>();
    for (String group : new String[] {RECEIVING, JIT, GC, OTHER}) {
      millis.put(group, 0L);
    }
    long sampled = 0;
    synchronized (ticks) {
      for (Map.Entry<Long, long[]> thread : ticks.entrySet()) {
        long spent = thread.getValue()[1] - thread.getValue()[0];
        millis.merge(group(names.get(thread.getKey())), spent * TICK_MILLIS, Long::sum);
        sampled += spent;
      }
    }
    millis.put(UNSEEN, Math.max(0, processTicks - sampled) * TICK_MILLIS);
    long waitedNanos = 0;
    long runs = 0;
    synchronized (ticks) {
      for (Map.Entry<Long, long[]> thread : waits.entrySet()) {
        if (group(names.get(thread.getKey())).equals(RECEIVING)) {
          long[] w = thread.getValue();
          waitedNanos += w[2] - w[0];
          runs += w[3] - w[1];
        }
      }
    }
    millis.put(RECEIVING_WAITED, TimeUnit.NANOSECONDS.toMillis(waitedNanos));
    millis.put(RECEIVING_RUNS, runs);
    return millis;
  }

  /** What a thread of this name (the kernel's, at most 15 characters) does. */
  static String group(String name) {
    if (name.startsWith("tracereplay") || name.equals("seqsaved")) {
      return RECEIVING;
    }
    if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
      return JIT;
    }
    if (name.startsWith("GC Thread") || name.startsWith("G1 ") || name.equals("VM Thread")) {
      return GC;
    }
    return OTHER;
  }

  /** A stat line's name and utime + stime, in ticks; the name may hold spaces and parentheses. */
  static Map.Entry<String, Long> parse(String statLine) throws IOException {
    String[] fields = CPeers.statFields(statLine);
    int open = statLine.indexOf('(');
    if (open < 0) {
      throw new IOException("not a /proc stat line: " + statLine);
    }
    String name = statLine.substring(open + 1, statLine.lastIndexOf(')'));
    return Map.entry(name, Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
  }

  /** A thread's run-queue wait so far in ns and its runs (schedstat's second and third fields), or null. */
  private static long[] schedstat(Path task) throws IOException {
    try {
      String[] fields = Files.readString(task.resolve("schedstat")).trim().split("\\s+");
      return fields.length >= 3 ? new long[] {Long.parseLong(fields[1]), Long.parseLong(fields[2])} : null;
    } catch (NoSuchFileException noSchedstatOrExited) {
      return null;
    }
  }

  private void run() {
    try {
      while (!stopping) {
        try {
          Thread.sleep(PERIOD_MILLIS);  // a sampling period, not a wait for a condition
        } catch (InterruptedException e) {
          return;
        }
        sample(false);
      }
    } catch (IOException | UncheckedIOException e) {
      failure = e instanceof IOException io ? io : ((UncheckedIOException) e).getCause();
    }
  }

  private void sample(boolean first) throws IOException {
    try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
      for (Path task : threads) {
        String line;
        try {
          line = Files.readString(task.resolve("stat"));
        } catch (NoSuchFileException exited) {
          continue;
        }
        Map.Entry<String, Long> stat = parse(line);
        long[] waited = schedstat(task);
        long tid = Long.parseLong(task.getFileName().toString());
        synchronized (ticks) {
          names.put(tid, stat.getKey());
          long[] counts = ticks.computeIfAbsent(tid, t -> new long[] {first ? stat.getValue() : 0, 0});
          counts[1] = stat.getValue();
          if (waited != null) {
            long[] wait = waits.computeIfAbsent(tid, t -> first ? new long[] {waited[0], waited[1], 0, 0} : new long[4]);
            wait[2] = waited[0];
            wait[3] = waited[1];
          }
        }
      }
    } catch (NoSuchFileException processGone) {
      // the process has exited: its threads' last samples stand
    }
  }
}
