package dev.tracereplay.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The replay and save benchmark: generates synthetic traces, replays them into a draining sink
 * and records them from a sender, over real AF_UNIX SOCK_SEQPACKET sockets, several runs each,
 * and prints messages/s, MB/s, bytes allocated per message on the hot threads and the heap's peak,
 * with the medians and ranges; given the built C reference peers ({@code --peers=DIR}) it runs
 * them beside the Java code in the same rounds, since absolute figures drift on shared machines.
 *
 * <pre>
 * Bench [replay|save|all|big] [--messages=N] [--runs=N] [--sizes=64,512] [--warmup=N]
 *       [--peers=DIR] [--dir=DIR] [--cases=TEXT,...] [--pace=MSG_PER_S]
 * Bench generate FILE MESSAGES SIZE      (the same file as the C mktrace)
 * </pre>
 *
 * <p>{@code --cases} keeps only the cases whose names contain one of the texts, e.g.
 * {@code --cases="java sender -> java"}. {@code --pace} holds the Java sender of the save cases
 * to that many messages per second. {@code big} replays and records one trace of at least 1 GiB, to be run with a small heap
 * ({@code -Xmx64m}) to show that memory stays flat in the trace's size. Exit code 0 when every run
 * checked out, 1 when one failed its check, 2 on a usage error.
 */
public final class Bench {
  private static final long GIB = 1L << 30;
  private static final long WARMUP_MESSAGES = 200_000;

  /**
   * What each Java path is held against in the same rounds: the C peers that make one call per
   * message, and the C batching limit, many messages per call; with the Java hot thread and its C
   * counterparts in each, and the target share of the one-call C rate before and from JDK 22.
   */
  record Comparison(String mode, String javaCase, String javaThread, String oneCallCase, String oneCallThread,
      String batchedCase, String batchedThread, double target17, double target22) {}

  static final List<Comparison> COMPARISONS = List.of(
      new Comparison("replay", "java TraceReplayer -> C seqsink", "replayer", "C seqsend -> C seqsink", "C seqsend",
          "C seqsendmm -> C seqsink", "C seqsendmm", 0.75, 0.9),
      new Comparison("save", "C seqsend -> java TraceRecorder", "recorder", "C seqsend -> C seqsave", "C seqsave",
          "C seqsend -> C seqsinkmm", "C seqsinkmm", 0.8, 1.1));

  private final PrintStream out;
  private final Options options;

  private Bench(PrintStream out, Options options) {
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
      out.println("usage: Bench [replay|save|all|big] [--messages=N] [--runs=N] [--sizes=64,512] [--warmup=N]"
          + " [--peers=DIR] [--dir=DIR] [--cases=TEXT,...] [--pace=MSG_PER_S]");
      out.println("       Bench generate FILE MESSAGES SIZE");
      return 2;
    }
    try {
      if (options.mode.equals("generate")) {
        long bytes = SyntheticTrace.write(Path.of(options.generate.get(0)), Long.parseLong(options.generate.get(1)),
            Integer.parseInt(options.generate.get(2)));
        out.printf(Locale.ROOT, "wrote %s (%,d bytes)%n", options.generate.get(0), bytes);
        return 0;
      }
      new Bench(out, options).measure();
      return 0;
    } catch (IllegalStateException | IOException e) {
      // A run that did not check out, or a missing file, peer or socket: the message says which.
      out.println("FAILED: " + e.getMessage());
      return 1;
    } catch (RuntimeException e) {
      out.println("FAILED: " + e);
      e.printStackTrace(out);
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  private void measure() throws IOException, InterruptedException {
    CPeers peers = options.peers == null ? null : CPeers.in(options.peers);
    List<Scenarios.Scenario> cases = new ArrayList<>();
    if (options.mode.equals("replay") || options.mode.equals("all")) {
      cases.addAll(Scenarios.REPLAY);
    }
    if (options.mode.equals("save") || options.mode.equals("all")) {
      cases.addAll(Scenarios.SAVE);
    }
    if (options.mode.equals("big")) {
      cases.add(Scenarios.REPLAY.get(0));
      cases.add(Scenarios.SAVE.get(0));
    }
    cases.removeIf(scenario -> scenario.needsPeers() && peers == null);
    if (options.cases != null) {
      cases.removeIf(scenario -> options.cases.stream().noneMatch(scenario.name()::contains));
    }

    Path work = options.dir != null ? Files.createDirectories(options.dir)
        : Files.createTempDirectory(Path.of("/tmp"), "trbench-");
    try {
      printHeader(peers);
      Map<Integer, Scenarios.Workload> workloads = generate(work, peers);
      Scenarios scenarios = new Scenarios(work, peers);
      warmUp(scenarios, cases, work);
      List<Sample> samples = new ArrayList<>();
      for (int round = 1; round <= options.runs; round++) {
        out.printf(Locale.ROOT, "%nround %d/%d%n", round, options.runs);
        for (int size : options.sizes) {
          for (Scenarios.Scenario scenario : cases) {
            Sample sample = scenario.runner().run(scenarios, workloads.get(size)).named(scenario.name());
            samples.add(sample);
            out.println("  " + line(sample));
          }
        }
      }
      printSummary(samples);
    } finally {
      if (options.dir == null) {
        deleteTree(work);
      }
    }
  }

  private void printHeader(CPeers peers) {
    Runtime runtime = Runtime.getRuntime();
    out.printf(Locale.ROOT, "tracereplay benchmark, %s%n",
        ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z")));
    out.printf(Locale.ROOT, "Java %s (%s), %d CPUs, %s %s, max heap %s, JVM options %s%n",
        System.getProperty("java.version"), System.getProperty("java.vm.name"), runtime.availableProcessors(),
        System.getProperty("os.name"), System.getProperty("os.version"), mib(JvmMemory.maxHeapBytes()),
        ManagementFactory.getRuntimeMXBean().getInputArguments());
    out.printf(Locale.ROOT, "%s: %,d messages per run, %d runs (after %d warm-up), sizes %s bytes, C peers: %s%n",
        options.mode, options.messages, options.runs, options.warmup, Arrays.toString(options.sizes),
        peers == null ? "none (give --peers=DIR to compare)" : options.peers);
  }

  /** One trace per size, checked once against mktrace when the peers are there. */
  private Map<Integer, Scenarios.Workload> generate(Path work, CPeers peers) throws IOException, InterruptedException {
    Map<Integer, Scenarios.Workload> workloads = new LinkedHashMap<>();
    for (int size : options.sizes) {
      Path trace = work.resolve("trace-" + size);
      long start = System.nanoTime();
      long bytes = SyntheticTrace.write(trace, options.messages, size);
      out.printf(Locale.ROOT, "generated %s: %,d messages of %d bytes, %s, in %.1f s%n", trace, options.messages,
          size, mib(bytes), (System.nanoTime() - start) / 1e9);
      if (peers != null) {
        Path java = work.resolve("check-java-" + size);
        Path c = work.resolve("check-mktrace-" + size);
        SyntheticTrace.write(java, 1000, size);
        peers.mktrace(c, 1000, size);
        long mismatch = Files.mismatch(java, c);
        if (mismatch != -1) {
          throw new IllegalStateException("the Java generator and mktrace differ at byte " + mismatch + " for "
              + size + "-byte messages");
        }
        Files.delete(java);
        Files.delete(c);
        out.printf(Locale.ROOT, "  the same bytes as `mktrace FILE 1000 %d`: yes%n", size);
      }
      workloads.put(size, new Scenarios.Workload(trace, SyntheticTrace.message(size), options.messages, options.pace));
    }
    return workloads;
  }

  /** Lets the JIT compile the hot paths before anything counts; C-only cases need none. */
  private void warmUp(Scenarios scenarios, List<Scenarios.Scenario> cases, Path work)
      throws IOException, InterruptedException {
    if (options.warmup == 0) {
      return;
    }
    long messages = Math.min(options.messages, WARMUP_MESSAGES);
    for (int size : options.sizes) {
      Path trace = work.resolve("warmup-" + size);
      SyntheticTrace.write(trace, messages, size);
      Scenarios.Workload load = new Scenarios.Workload(trace, SyntheticTrace.message(size), messages, options.pace);
      for (int i = 0; i < options.warmup; i++) {
        for (Scenarios.Scenario scenario : cases) {
          if (scenario.name().contains("java")) {
            scenario.runner().run(scenarios, load);
          }
        }
      }
      Files.delete(trace);
    }
    out.printf(Locale.ROOT, "warm-up: %d x %,d messages per case and size%n", options.warmup, messages);
  }

  private String line(Sample sample) {
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-6s %4d B  %-36s %,10.0f msg/s %7.1f MB/s",
        sample.mode(), sample.size(), sample.variant(), sample.messagesPerSecond(), sample.megabytesPerSecond()));
    sample.threads().keySet().forEach(thread -> line.append("  ").append(thread).append(": ")
        .append(cost(sample.cpuPerMessage(thread), sample.allocatedPerMessage(thread))));
    if (sample.peakHeapBytes() >= 0) {
      line.append("  peak heap ").append(mib(sample.peakHeapBytes()));
    }
    return line.toString();
  }

  private void printSummary(List<Sample> samples) {
    out.printf(Locale.ROOT, "%nSummary: %,d messages per run, median of %d runs [min-max]; MB = 10^6 bytes of"
        + " messages; per message, for each hot Java thread: CPU time (user+system) and bytes allocated,"
        + " for each C peer: its CPU time (medians); peak heap = highest of the runs%n%n", options.messages,
        options.runs);
    out.println("| mode | size | case | msg/s median | msg/s min-max | MB/s | per message: cpu ns, alloc B | peak heap |");
    out.println("|---|---:|---|---:|---:|---:|---|---:|");
    Map<String, List<Sample>> byCase = new LinkedHashMap<>();
    for (Sample sample : samples) {
      byCase.computeIfAbsent(sample.mode() + "|" + sample.size() + "|" + sample.variant(), k -> new ArrayList<>())
          .add(sample);
    }
    Map<String, Double> medians = new LinkedHashMap<>();
    Map<String, Double> cpuMedians = new LinkedHashMap<>();
    for (List<Sample> runs : byCase.values()) {
      Sample first = runs.get(0);
      double[] rates = runs.stream().mapToDouble(Sample::messagesPerSecond).sorted().toArray();
      double median = median(rates);
      medians.put(first.mode() + "|" + first.size() + "|" + first.variant(), median);
      double megabytes = median(runs.stream().mapToDouble(Sample::megabytesPerSecond).sorted().toArray());
      StringBuilder alloc = new StringBuilder();
      for (String thread : first.threads().keySet()) {
        double allocated = median(runs.stream().mapToDouble(s -> s.allocatedPerMessage(thread)).sorted().toArray());
        double cpu = median(runs.stream().mapToDouble(s -> s.cpuPerMessage(thread)).sorted().toArray());
        cpuMedians.put(first.mode() + "|" + first.size() + "|" + first.variant() + "|" + thread, cpu);
        alloc.append(alloc.length() == 0 ? "" : "; ").append(thread).append(' ').append(cost(cpu, allocated));
      }
      long peak = runs.stream().mapToLong(Sample::peakHeapBytes).max().orElse(-1);
      out.printf(Locale.ROOT, "| %s | %d | %s | %,.0f | %,.0f-%,.0f | %.1f | %s | %s |%n", first.mode(), first.size(),
          first.variant(), median, rates[0], rates[rates.length - 1], megabytes,
          alloc, peak < 0 ? "n/a (C)" : mib(peak));
    }
    printTargets(medians, cpuMedians);
  }

  /**
   * Each Java path's median against the C peers of the same rounds: its rate as a share of the
   * one-call C rate (the target) and of the C batching limit, and its hot thread's CPU time per
   * message beside its C counterparts', the figure that carries from machine to machine.
   */
  private void printTargets(Map<String, Double> medians, Map<String, Double> cpuMedians) {
    out.println();
    boolean jdk22 = Runtime.version().feature() >= 22;
    for (Comparison comparison : COMPARISONS) {
      for (int size : options.sizes) {
        String key = comparison.mode() + "|" + size + "|";
        Double java = medians.get(key + comparison.javaCase());
        if (java == null) {
          continue;
        }
        double target = jdk22 ? comparison.target22() : comparison.target17();
        out.printf(Locale.ROOT, "%s %d B: %s %,.0f msg/s, cpu %s %.0f ns/msg", comparison.mode(), size,
            comparison.javaCase(), java, comparison.javaThread(),
            cpuMedians.get(key + comparison.javaCase() + "|" + comparison.javaThread()));
        Double oneCall = medians.get(key + comparison.oneCallCase());
        if (oneCall != null) {
          out.printf(Locale.ROOT, "; = %.2f of one call per message in C (%s %,.0f msg/s, cpu %s %.0f ns/msg),"
              + " target %.2f on JDK %s: %s", java / oneCall, comparison.oneCallCase(), oneCall,
              comparison.oneCallThread(), cpuMedians.get(key + comparison.oneCallCase() + "|" + comparison.oneCallThread()),
              target, jdk22 ? "22+" : "17", java >= target * oneCall ? "met" : "not met");
        }
        Double batched = medians.get(key + comparison.batchedCase());
        if (batched != null) {
          out.printf(Locale.ROOT, "; = %.2f of the C batching limit (%s, %d per call, %,.0f msg/s, cpu %s %.0f ns/msg)",
              java / batched, comparison.batchedCase(), Scenarios.C_BATCH, batched, comparison.batchedThread(),
              cpuMedians.get(key + comparison.batchedCase() + "|" + comparison.batchedThread()));
        }
        out.println();
      }
    }
  }

  /** CPU ns and allocated bytes per message; C peers allocate nothing we can count. */
  private static String cost(double cpuNanos, double allocated) {
    return allocated < 0 ? String.format(Locale.ROOT, "%.0f ns", cpuNanos)
        : String.format(Locale.ROOT, "%.0f ns, %.3f B", cpuNanos, allocated);
  }

  /** The median of values sorted in ascending order. */
  static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }

  /** Deletes a work directory and all in it. */
  static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  /** The command line. */
  private static final class Options {
    String mode = "all";
    long messages = 1_000_000;
    boolean messagesGiven;
    int runs = 5;
    int warmup = 1;
    int[] sizes = {64, 512};
    Path peers;
    Path dir;
    List<String> cases;
    long pace;
    List<String> generate = List.of();

    static Options parse(String[] args) {
      Options options = new Options();
      int first = 0;
      if (args.length > 0 && !args[0].startsWith("--")) {
        options.mode = args[0];
        first = 1;
      }
      switch (options.mode) {
        case "replay", "save", "all", "big" -> { }
        case "generate" -> {
          if (args.length != 4) {
            throw new IllegalArgumentException("generate takes FILE MESSAGES SIZE");
          }
          options.generate = List.of(args[1], args[2], args[3]);
          return options;
        }
        default -> throw new IllegalArgumentException("unknown mode '" + options.mode + "'");
      }
      boolean sizesGiven = false;
      boolean runsGiven = false;
      for (int i = first; i < args.length; i++) {
        String arg = args[i];
        int equals = arg.indexOf('=');
        if (!arg.startsWith("--") || equals < 0) {
          throw new IllegalArgumentException("expected --name=value, got '" + arg + "'");
        }
        String name = arg.substring(2, equals);
        String value = arg.substring(equals + 1);
        try {
          switch (name) {
            case "messages" -> {
              options.messages = positive(Long.parseLong(value.replace("_", "")), name);
              options.messagesGiven = true;
            }
            case "runs" -> {
              options.runs = (int) positive(Integer.parseInt(value), name);
              runsGiven = true;
            }
            case "warmup" -> options.warmup = Integer.parseInt(value);
            case "sizes" -> {
              options.sizes = Arrays.stream(value.split(",")).mapToInt(Integer::parseInt).toArray();
              sizesGiven = true;
            }
            case "peers" -> options.peers = Path.of(value);
            case "dir" -> options.dir = Path.of(value);
            case "cases" -> options.cases = List.of(value.split(","));
            case "pace" -> options.pace = positive(Long.parseLong(value.replace("_", "")), name);
            default -> throw new IllegalArgumentException("unknown option --" + name);
          }
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("--" + name + " needs a number, got '" + value + "'");
        }
      }
      for (int size : options.sizes) {
        if (size < SyntheticTrace.MIN_SIZE || size > SyntheticTrace.MAX_SIZE) {
          throw new IllegalArgumentException("--sizes: each size must be between " + SyntheticTrace.MIN_SIZE
              + " and " + SyntheticTrace.MAX_SIZE + ", got " + size);
        }
      }
      if (options.mode.equals("big")) {
        if (!sizesGiven) {
          options.sizes = new int[] {512};
        }
        if (!options.messagesGiven) {
          int largest = Arrays.stream(options.sizes).max().getAsInt();
          options.messages = (GIB + largest + 7) / (largest + 8);
        }
        if (!runsGiven) {
          options.runs = 1;
        }
        options.warmup = 0;
      }
      return options;
    }

    private static long positive(long value, String name) {
      if (value < 1) {
        throw new IllegalArgumentException("--" + name + " must be at least 1, got " + value);
      }
      return value;
    }
  }
}
