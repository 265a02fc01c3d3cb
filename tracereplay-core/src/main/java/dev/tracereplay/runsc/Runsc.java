package dev.tracereplay.runsc;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * gVisor's {@code runsc}, as a library: runs a command in a sandbox with a trace session, and
 * records it into a trace file or streams it into any sink.
 *
 * <pre>{@code
 * SandboxRecording recording = Runsc.sandbox()
 *     .points("syscall/openat/enter", "syscall/openat/exit")
 *     .contextFields("time", "process_name")
 *     .command("/bin/sh", "-c", "cat /etc/hostname")
 *     .recordTo(Path.of("src/test/resources/tracereplay/cat-hostname"));
 *
 * int exitCode = Runsc.sandbox().preset(TracePreset.ALL).command("/bin/true").traceTo(sinkEndpoint);
 * }</pre>
 *
 * <p>runsc is found on the {@code PATH} (then in {@code /usr/local/bin}, {@code /usr/bin},
 * {@code /usr/sbin}, {@code /bin}, {@code /sbin}), or given with {@link Sandbox#runsc(Path)}. What
 * it offers ({@code runsc trace metadata}) is read once per binary (its path, size and modification
 * time) and kept for the life of the JVM. Thread-safe.
 */
public final class Runsc {
  private static final List<String> STANDARD_DIRECTORIES = List.of("/usr/local/bin", "/usr/local/sbin", "/usr/bin",
      "/usr/sbin", "/bin", "/sbin");
  private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(60);
  private static final Map<Binary, RunscMetadata> METADATA = new ConcurrentHashMap<>();

  /** A runsc binary as it is now: a new build at the same path is another binary. */
  private record Binary(Path realPath, long size, FileTime modified) {}

  private Runsc() {}

  /** A new sandbox to configure, then run with {@link Sandbox#recordTo} or {@link Sandbox#traceTo}. */
  public static Sandbox sandbox() {
    return new Sandbox();
  }

  /** The runsc on the {@code PATH}, else in a standard directory; empty when there is none. */
  public static Optional<Path> locate() {
    Set<String> directories = new LinkedHashSet<>();
    for (String directory : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!directory.isEmpty()) {
        directories.add(directory);
      }
    }
    directories.addAll(STANDARD_DIRECTORIES);
    return directories.stream().map(directory -> Path.of(directory, "runsc"))
        .filter(file -> Files.isRegularFile(file) && Files.isExecutable(file)).findFirst();
  }

  /**
   * What the runsc on the {@code PATH} offers.
   *
   * @throws RunscException when runsc is not installed or its answer cannot be read
   */
  public static RunscMetadata metadata() throws IOException, InterruptedException {
    return metadata(executable(null));
  }

  /**
   * What the runsc at {@code runsc} offers: its {@code runsc trace metadata}, run once per binary.
   *
   * @throws RunscException when it is not an executable runsc or its answer cannot be read
   */
  public static RunscMetadata metadata(Path runsc) throws IOException, InterruptedException {
    Path executable = executable(runsc);
    Path real = executable.toRealPath();
    BasicFileAttributes attributes = Files.readAttributes(real, BasicFileAttributes.class);
    Binary binary = new Binary(real, attributes.size(), attributes.lastModifiedTime());
    RunscMetadata known = METADATA.get(binary);
    if (known != null) {
      return known;
    }
    RunscMetadata metadata = readMetadata(executable);
    METADATA.put(binary, metadata);
    return metadata;
  }

  private static RunscMetadata readMetadata(Path executable) throws IOException, InterruptedException {
    String command = executable + " trace metadata";
    RunscProcess process = RunscProcess.start(List.of(executable.toString(), "trace", "metadata"), false, null,
        RunscMetadata.MAX_OUTPUT_BYTES + 1, null);
    RunscProcess.Outcome outcome = process.await(METADATA_TIMEOUT);
    if (outcome.timedOut()) {
      throw new RunscException("'" + command + "' did not answer within " + METADATA_TIMEOUT.toSeconds() + " s");
    }
    if (outcome.exitCode() != 0) {
      throw new RunscException("'" + command + "' failed with exit code " + outcome.exitCode() + ": "
          + String.join(" / ", process.stderrLines(5)) + ". Is " + executable + " gVisor's runsc?");
    }
    if (process.stdout().total() > RunscMetadata.MAX_OUTPUT_BYTES) {
      throw new RunscException("'" + command + "' printed more than " + RunscMetadata.MAX_OUTPUT_BYTES
          + " bytes: is " + executable + " gVisor's runsc?");
    }
    try {
      return RunscMetadata.parse(new String(process.stdout().kept(), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new RunscException(e.getMessage() + ". Is " + executable + " gVisor's runsc?", e);
    }
  }

  /**
   * {@code configured}, checked, or the runsc {@link #locate()} finds.
   *
   * @throws RunscException when it is missing or not executable
   */
  static Path executable(Path configured) throws RunscException {
    if (configured == null) {
      return locate().orElseThrow(() -> new RunscException("runsc is not installed: there is none on the PATH ("
          + System.getenv().getOrDefault("PATH", "") + ") nor in " + String.join(", ", STANDARD_DIRECTORIES)
          + ". Install gVisor (apt-get install -y runsc, or https://gvisor.dev/docs/user_guide/install/), or give"
          + " the path of its runsc"));
    }
    if (!Files.exists(configured)) {
      throw new RunscException("there is no runsc at " + configured + ": no such file. Install gVisor"
          + " (apt-get install -y runsc), or give the path of its runsc");
    }
    if (!Files.isRegularFile(configured) || !Files.isExecutable(configured)) {
      throw new RunscException(configured + " is not an executable file: give the path of gVisor's runsc");
    }
    return configured;
  }
}
