package dev.tracereplay.bench;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
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
  /** Per thread id, what the samples saw of it; guarded by itself. */
  private final Map<Long, Seen> threads = new HashMap<>();
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
    sample(false);
    // After the threads' last sample, so that it holds all they were seen to spend.
    long processTicks = parse(Files.readString(stat)).getValue() - processTicksAtStart;
    Map<String, Long> millis = new LinkedHashMap<>();
    for (String group : new String[] {RECEIVING, JIT, GC, OTHER}) {
      millis.put(group, 0L);
    }
    long sampled = 0;
    long waitedNanos = 0;
    long runs = 0;
    synchronized (threads) {
      for (Seen thread : threads.values()) {
        String group = group(thread.name);
        millis.merge(group, thread.ticks() * TICK_MILLIS, Long::sum);
        sampled += thread.ticks();
        if (group.equals(RECEIVING)) {
          waitedNanos += thread.waitedNanos();
          runs += thread.runs();
        }
      }
    }
    millis.put(UNSEEN, Math.max(0, processTicks - sampled) * TICK_MILLIS);
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
    } catch (IOException e) {
      failure = e;
    }
  }

  private void sample(boolean first) throws IOException {
    try (DirectoryStream<Path> taskDirectories = Files.newDirectoryStream(tasks)) {
      for (Path task : taskDirectories) {
        String line;
        try {
          line = Files.readString(task.resolve("stat"));
        } catch (NoSuchFileException exited) {
          continue;
        }
        Map.Entry<String, Long> stat = parse(line);
        long[] waited = schedstat(task);
        long tid = Long.parseLong(task.getFileName().toString());
        synchronized (threads) {
          threads.computeIfAbsent(tid, t -> new Seen(first, stat.getValue(), waited)).update(stat, waited);
        }
      }
    } catch (NoSuchFileException processGone) {
      // the process has exited: its threads' last samples stand
    } catch (DirectoryIteratorException e) {
      if (!(e.getCause() instanceof NoSuchFileException)) {
        throw e.getCause();
      }
    }
  }

  /**
   * One thread as the samples saw it: its name, and its ticks, run-queue wait (ns) and runs at the
   * first sample that saw it (zero for a thread born after the start) and at the last.
   */
  private static final class Seen {
    String name;
    final long firstTicks;
    final long firstWaitedNanos;
    final long firstRuns;
    long lastTicks;
    long lastWaitedNanos;
    long lastRuns;

    Seen(boolean atStart, long ticks, long[] waited) {
      this.firstTicks = atStart ? ticks : 0;
      this.firstWaitedNanos = atStart && waited != null ? waited[0] : 0;
      this.firstRuns = atStart && waited != null ? waited[1] : 0;
      this.lastWaitedNanos = firstWaitedNanos;
      this.lastRuns = firstRuns;
    }

    void update(Map.Entry<String, Long> stat, long[] waited) {
      name = stat.getKey();
      lastTicks = stat.getValue();
      if (waited != null) {
        lastWaitedNanos = waited[0];
        lastRuns = waited[1];
      }
    }

    long ticks() {
      return lastTicks - firstTicks;
    }

    long waitedNanos() {
      return lastWaitedNanos - firstWaitedNanos;
    }

    long runs() {
      return lastRuns - firstRuns;
    }
  }
}
