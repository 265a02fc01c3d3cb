package dev.tracereplay.runsc;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One command to run in a gVisor sandbox with a trace session, made with {@link Runsc#sandbox()}:
 * configure it, then {@link #recordTo(Path)} a trace file or {@link #traceTo(Path)} a listening sink.
 *
 * <p>It runs {@code runsc --rootless --network=none --root=DIR --log=DIR/runsc.log
 * --pod-init-config=DIR/pod-init.json [flags] do COMMAND...}, where {@code DIR} is a new private
 * directory (mode 0700) deleted afterwards, the config holds one trace session whose {@code remote}
 * sink is the endpoint, and the command runs in {@code /} with a clean environment
 * ({@code PATH=/usr/local/bin:/usr/bin:/bin HOME=/root LANG=C.UTF-8}, nothing of this process's). runsc
 * itself runs as this process's user: as root it always works; as another user it needs the
 * unprivileged user namespaces that {@code --rootless} uses.
 *
 * <p>The trace points: those of the {@linkplain #preset presets} and the {@linkplain #points named
 * points}; neither gives {@link TracePreset#FILES_AND_PROCESSES}. Each point gets the
 * {@linkplain #contextFields context fields} asked for, else, when it comes from a preset, every
 * context field it offers, else none. Every name is checked against what this runsc offers
 * ({@code runsc trace metadata}): runsc itself ignores a name it does not know, and the recording
 * would silently lack it.
 *
 * <p>The sandbox's stdout and stderr are discarded unless {@linkplain #inheritIO inherited} or
 * {@linkplain #stdout sent} somewhere; stderr's last lines are kept either way for error messages.
 * Not thread-safe while being configured; {@code recordTo} and {@code traceTo} may be called any
 * number of times, from several threads, each call with a sandbox, a directory and a socket of its own.
 */
public final class Sandbox {
  /** The timeout unless {@link #timeout(Duration)} sets another. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

  /**
   * The largest a recording may grow unless {@link #maxBytes(long)} sets another: 1 GiB, far more
   * than a fixture needs, and a bound on a sandbox that traces more than expected.
   */
  public static final long DEFAULT_MAX_BYTES = 1L << 30;

  /** Flags the launcher sets itself: giving them again would break what it relies on. */
  private static final Set<String> LAUNCHER_FLAGS = Set.of("root", "log", "log-fd", "log-format", "pod-init-config");
  private static final Pattern PLAIN_WORD = Pattern.compile("[A-Za-z0-9_./=:,@%+-]+");

  private Path runsc;
  private final List<String> flags = new ArrayList<>();
  private final Set<TracePreset> presets = new LinkedHashSet<>();
  private final List<String> points = new ArrayList<>();
  private List<String> contextFields;
  private List<String> command = List.of();
  private Duration timeout = DEFAULT_TIMEOUT;
  private long maxBytes = DEFAULT_MAX_BYTES;
  private Path temporaryDirectory;
  private boolean inheritIO;
  private OutputStream stdout;
  private OutputStream stderr;
  private int uid = -2;

  Sandbox() {}

  /** The runsc to run (default: the one on the {@code PATH}, see {@link Runsc#locate()}). */
  public Sandbox runsc(Path executable) {
    this.runsc = Objects.requireNonNull(executable, "executable");
    return this;
  }

  /**
   * Adds runsc flags, given after the launcher's own and before {@code do}, e.g.
   * {@code --platform=kvm} or {@code --network=host} (a flag given twice takes the last value).
   *
   * @throws IllegalArgumentException for a word that is not a flag, or one of the flags the launcher
   *     sets itself: {@code --root}, {@code --log}, {@code --log-fd}, {@code --log-format}, {@code --pod-init-config}
   */
  public Sandbox flags(String... flags) {
    for (String flag : flags) {
      String name = Objects.requireNonNull(flag, "flag").replaceFirst("^--?", "").split("=", 2)[0];
      if (!flag.startsWith("-") || name.isEmpty()) {
        throw new IllegalArgumentException("not a runsc flag: \"" + flag + "\"; flags start with - or --, e.g. --platform=kvm");
      }
      if (LAUNCHER_FLAGS.contains(name)) {
        throw new IllegalArgumentException("the flag " + flag + " cannot be given: the launcher sets --" + name
            + " itself, in the sandbox's private directory");
      }
      this.flags.add(flag);
    }
    return this;
  }

  /** Adds the points of a preset (see {@link TracePreset}). */
  public Sandbox preset(TracePreset preset) {
    presets.add(Objects.requireNonNull(preset, "preset"));
    return this;
  }

  /** Adds trace points by name, e.g. {@code syscall/openat/enter}, {@code container/start}. */
  public Sandbox points(String... names) {
    return points(List.of(names));
  }

  /** Adds trace points by name. */
  public Sandbox points(Collection<String> names) {
    names.forEach(name -> points.add(Objects.requireNonNull(name, "point name")));
    return this;
  }

  /**
   * The context fields of every point, e.g. {@code time}, {@code process_name}, replacing those a
   * preset would give; none at all with no argument.
   */
  public Sandbox contextFields(String... fields) {
    return contextFields(List.of(fields));
  }

  /** The context fields of every point; see {@link #contextFields(String...)}. */
  public Sandbox contextFields(Collection<String> fields) {
    this.contextFields = List.copyOf(fields);
    return this;
  }

  /** The command to run in the sandbox and its arguments, e.g. {@code "/bin/sh", "-c", "cat /etc/hostname"}. */
  public Sandbox command(String... command) {
    return command(List.of(command));
  }

  /** The command to run in the sandbox and its arguments. */
  public Sandbox command(List<String> command) {
    if (command.isEmpty() || command.get(0).isBlank()) {
      throw new IllegalArgumentException("the sandbox's command must name a program, e.g. /bin/true; was " + command);
    }
    for (String argument : command) {
      if (argument.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("a command argument holds a NUL character: " + command);
      }
    }
    this.command = List.copyOf(command);
    return this;
  }

  /**
   * How long the sandbox may run (default {@link #DEFAULT_TIMEOUT}); past it runsc is stopped (SIGTERM,
   * which it passes on, then SIGKILL to it and its children after 10 s) and the run fails.
   */
  public Sandbox timeout(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("the timeout must be positive, was " + timeout);
    }
    this.timeout = timeout;
    return this;
  }

  /**
   * The largest the file {@link #recordTo} writes may grow, in bytes, header included (default
   * {@link #DEFAULT_MAX_BYTES}). A session that would pass it is not recorded further (the
   * recorder closes the sandbox's connection) and {@code recordTo} fails, keeping what was
   * recorded in the private directory, never at the target: a recording cut short is not a fixture.
   *
   * @throws IllegalArgumentException when {@code bytes} is not positive
   */
  public Sandbox maxBytes(long bytes) {
    if (bytes < 1) {
      throw new IllegalArgumentException("the largest recording must be at least 1 byte, was " + bytes);
    }
    this.maxBytes = bytes;
    return this;
  }

  /**
   * Where each run's private directory is made (default {@code java.io.tmpdir}); keep it short, as
   * the sink's socket is in it and socket paths hold at most 107 bytes.
   */
  public Sandbox temporaryDirectory(Path directory) {
    this.temporaryDirectory = Objects.requireNonNull(directory, "directory");
    return this;
  }

  /** The sandbox reads this process's stdin and writes to its stdout and stderr (as a command line tool wants). */
  public Sandbox inheritIO() {
    this.inheritIO = true;
    return this;
  }

  /** Passes the sandbox's stdout on to {@code out}, which is flushed but not closed. */
  public Sandbox stdout(OutputStream out) {
    this.stdout = Objects.requireNonNull(out, "out");
    return this;
  }

  /** Passes the sandbox's stderr (and runsc's) on to {@code err}, which is flushed but not closed. */
  public Sandbox stderr(OutputStream err) {
    this.stderr = Objects.requireNonNull(err, "err");
    return this;
  }

  /** The user id runsc's failures are explained for; tests pretend to be another user. */
  Sandbox uid(int uid) {
    this.uid = uid;
    return this;
  }

  /**
   * Runs the sandbox with its trace session recorded into {@code file}, a new trace file. A recorder
   * of its own listens on a socket in the private directory; once runsc has exited and closed the
   * session, the recording is moved to {@code file}, never replacing anything there (an existing file
   * is refused before runsc starts, and one that appears meanwhile is kept: the recording then stays
   * in the private directory, and the error says where). Missing parent directories are created.
   *
   * @return the file, its message count and the sandboxed command's exit code (any: a failing command is
   *     recorded too)
   * @throws java.nio.file.FileAlreadyExistsException when {@code file} exists
   * @throws RunscException when runsc is missing, fails to start the sandbox (with its last words), never
   *     connects to the session's sink, runs past the timeout, or traces more than {@link #maxBytes} (what was
   *     recorded until then is kept, and the message says where)
   * @throws UnknownTraceNameException when runsc does not offer a point or context field asked for
   * @throws InterruptedException when interrupted: the sandbox was stopped, and what it recorded is kept
   */
  public SandboxRecording recordTo(Path file) throws IOException, InterruptedException {
    Path target = Objects.requireNonNull(file, "file").toAbsolutePath();
    requireCommand();
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(file.toString(), null, "already exists, and a recording never"
          + " replaces a file: choose another name, or move the file away first");
    }
    SandboxRecording recording = SandboxRun.record(launch(), target);
    return new SandboxRecording(file, recording.messages(), recording.exitCode());
  }

  /**
   * Runs the sandbox with its trace session sent to the sink listening at {@code endpoint} (a
   * {@code SinkServer}, a {@code TraceRecorder}, your monitor), e.g. in an integration test.
   *
   * @return the sandboxed command's exit code
   * @throws RunscException when runsc is missing, fails to start the sandbox (nothing listening at the
   *     endpoint is one reason; the message has runsc's words), or runs past the timeout
   * @throws UnknownTraceNameException when runsc does not offer a point or context field asked for
   * @throws InterruptedException when interrupted: the sandbox was stopped
   */
  public int traceTo(Path endpoint) throws IOException, InterruptedException {
    Objects.requireNonNull(endpoint, "endpoint");
    requireCommand();
    return SandboxRun.trace(launch(), endpoint.toAbsolutePath());
  }

  private void requireCommand() {
    if (command.isEmpty()) {
      throw new IllegalStateException("call command(...) first: the sandbox has no command to run");
    }
  }

  private SandboxRun.Launch launch() throws IOException, InterruptedException {
    Path executable = Runsc.executable(runsc);
    List<RunscMetadata.Point> session = traceSession(Runsc.metadata(executable));
    Path temporary = temporaryDirectory != null ? temporaryDirectory : Path.of(System.getProperty("java.io.tmpdir"));
    return new SandboxRun.Launch(executable, List.copyOf(flags), command, session, timeout, maxBytes, temporary,
        inheritIO, stdout, stderr, uid == -2 ? SandboxRun.currentUid() : uid);
  }

  /** The session's points, with their fields, as this sandbox asks for them from {@code metadata}'s runsc. */
  List<RunscMetadata.Point> traceSession(RunscMetadata metadata) {
    return TraceSession.resolve(presets, points, contextFields, metadata);
  }

  /**
   * What runs, for messages: {@code runsc [flags] do /bin/sh -c 'cat /etc/hostname' (trace points:
   * ...; context fields: ...)}, the command quoted as a shell would need it.
   */
  @Override
  public String toString() {
    List<String> selection = new ArrayList<>();
    presets.forEach(preset -> selection.add("preset " + preset.presetName()));
    selection.addAll(points);
    if (selection.isEmpty()) {
      selection.add("preset " + TracePreset.FILES_AND_PROCESSES.presetName());
    }
    String fields = contextFields == null ? "" : "; context fields: " + (contextFields.isEmpty() ? "none"
        : String.join(", ", contextFields));
    return (runsc == null ? "runsc" : runsc.toString()) + " --rootless --network=none"
        + flags.stream().map(flag -> " " + flag).collect(Collectors.joining()) + " do "
        + command.stream().map(Sandbox::shellWord).collect(Collectors.joining(" "))
        + " (trace points: " + String.join(", ", selection) + fields + ")";
  }

  private static String shellWord(String word) {
    return PLAIN_WORD.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'";
  }
}
