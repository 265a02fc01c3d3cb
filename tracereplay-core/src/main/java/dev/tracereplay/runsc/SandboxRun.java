package dev.tracereplay.runsc;

import dev.tracereplay.TraceRecorder;
import dev.tracereplay.record.Recording;
import dev.tracereplay.server.CloseReason;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a {@link Sandbox}: its private directory, config, runsc process and, for a
 * recording, its recorder, and what the outcome means. runsc's own failures are told from the
 * command's by runsc's log ({@code --log}, in the private directory): runsc writes there, and on
 * stderr, the error that made it exit 128 (e.g. {@code starting container: ... failed to load
 * /nonexistent}), and nothing at all when the sandbox ran, whatever the command's exit code.
 */
final class SandboxRun {
  private static final Logger log = LoggerFactory.getLogger(SandboxRun.class);
  /** How long the session may stay open after runsc exits, until its last points are received. */
  private static final Duration SESSION_CLOSE = Duration.ofSeconds(30);
  /** runsc's exit code when it fails itself (Go's log.Fatal in runsc: util.Fatalf). */
  private static final int RUNSC_FAILED = 128;
  private static final int LAST_LINES = 8;
  private static final int LOG_KEPT = 16 * 1024;
  private static final Pattern LOG_MESSAGE = Pattern.compile("\"msg\":\"((?:[^\"\\\\]|\\\\.)*)\"");

  /** What a {@link Sandbox} was configured with, resolved: the runsc, the checked session. */
  record Launch(Path executable, List<String> flags, List<String> command, List<RunscMetadata.Point> session,
      Duration timeout, long maxBytes, Path temporaryRoot, boolean inheritIO, OutputStream stdout, OutputStream stderr, int uid) {}

  /** How runsc ended, with its last words. */
  private record Ended(RunscProcess.Outcome outcome, List<String> logLines, List<String> stderrLines) {
    int exitCode() {
      return outcome.exitCode();
    }
  }

  private final Launch launch;
  private final PrivateDirectory directory;

  private SandboxRun(Launch launch, PrivateDirectory directory) {
    this.launch = launch;
    this.directory = directory;
  }

  static SandboxRecording record(Launch launch, Path target) throws IOException, InterruptedException {
    Files.createDirectories(target.getParent());
    try (PrivateDirectory directory = PrivateDirectory.create(launch.temporaryRoot())) {
      return new SandboxRun(launch, directory).record(target);
    }
  }

  static int trace(Launch launch, Path endpoint) throws IOException, InterruptedException {
    try (PrivateDirectory directory = PrivateDirectory.create(launch.temporaryRoot())) {
      SandboxRun run = new SandboxRun(launch, directory);
      Ended ended = run.run(endpoint);
      if (ended.outcome().timedOut()) {
        throw new RunscException(run.timedOut(""));
      }
      String failure = run.startFailure(ended, true);
      if (failure != null) {
        throw new RunscException(failure + " Is a sink listening at " + endpoint + "?");
      }
      return ended.exitCode();
    }
  }

  private SandboxRecording record(Path target) throws IOException, InterruptedException {
    Path socket = directory.path().resolve("sink.sock");
    Ended ended = null;
    InterruptedException interrupted = null;
    List<Recording> recordings;
    try (TraceRecorder recorder = TraceRecorder.builder(socket, directory.path().resolve("recording"))
        .maxBytesPerRecording(launch.maxBytes()).start()) {
      try {
        ended = run(socket);
      } catch (InterruptedException e) {
        interrupted = e; // runsc was stopped: receive and close what it sent, then say so
      }
      recorder.awaitNoClients(SESSION_CLOSE);
      recorder.close();
      recordings = recorder.recordings();
    }
    Recording recording = recordings.isEmpty() ? null : recordings.get(0);
    if (interrupted != null) {
      InterruptedException stopped = new InterruptedException("interrupted: the sandbox was stopped" + keep(recording));
      stopped.initCause(interrupted);
      throw stopped;
    }
    if (ended.outcome().timedOut()) {
      throw new RunscException(timedOut(keep(recording)));
    }
    String failure = startFailure(ended, recording != null);
    if (failure != null) {
      throw new RunscException(failure + keep(recording));
    }
    if (recording == null) {
      throw new RunscException("the sandbox never connected to its trace session's sink at " + socket + ", although"
          + " runsc ran (exit code " + ended.exitCode() + "): this runsc may not support trace sessions (gVisor"
          + " releases from 2022 on do), or one of the flags " + launch.flags() + " turned them off." + lastWords(ended));
    }
    if (recordings.size() > 1) {
      directory.keep();
      throw new RunscException(recordings.size() + " clients connected to the sandbox's sink, where runsc connects once;"
          + " every recording is kept in " + recording.file().getParent() + ", and none was moved to " + target);
    }
    if (recording.closeReason().kind() == CloseReason.Kind.LIMIT_REACHED) {
      directory.keep();
      throw new RunscException("the sandbox's trace session passed the recording's limit of " + launch.maxBytes()
          + " bytes, and what came after was not recorded; the " + recording.messages() + " messages before it are"
          + " kept in " + recording.file() + ", not moved to " + target + ". Allow a larger recording"
          + " (Sandbox.maxBytes, record --max-bytes) or trace fewer points");
    }
    if (!recording.closeReason().isClean()) {
      log.warn("The sandbox's trace session into {} ended with {}; the file keeps the {} messages received before",
          target, recording.closeReason(), recording.messages());
    }
    try {
      placeWithoutReplacing(recording.file(), target);
    } catch (FileAlreadyExistsException e) {
      directory.keep();
      throw new FileAlreadyExistsException(target.toString(), null, "appeared while the sandbox ran, and a recording"
          + " never replaces a file; the recording (" + recording.messages() + " messages) is kept at " + recording.file());
    }
    return new SandboxRecording(target, recording.messages(), ended.exitCode());
  }

  private Ended run(Path endpoint) throws IOException, InterruptedException {
    Path config = Files.writeString(directory.path().resolve("pod-init.json"),
        PodInitConfig.json(launch.session(), endpoint));
    Path state = Files.createDirectory(directory.path().resolve("state"));
    Path runscLog = directory.path().resolve("runsc.log");
    List<String> arguments = new ArrayList<>(List.of(launch.executable().toString(), "--rootless", "--network=none",
        "--root=" + state, "--log=" + runscLog, "--pod-init-config=" + config));
    arguments.addAll(launch.flags());
    arguments.add("do");
    arguments.addAll(launch.command());
    RunscProcess process = RunscProcess.start(arguments, launch.inheritIO(), launch.stdout(), 0,
        launch.inheritIO() ? System.err : launch.stderr());
    RunscProcess.Outcome outcome = process.await(launch.timeout());
    return new Ended(outcome, logLines(runscLog), process.stderrLines(LAST_LINES));
  }

  /**
   * Why runsc could not start the sandbox, or null when it ran: runsc logged an error and exited 128,
   * or, before any session {@code connected}, exited with any other failure.
   */
  private String startFailure(Ended ended, boolean connected) {
    boolean logged = !ended.logLines().isEmpty() && ended.exitCode() == RUNSC_FAILED;
    if (!logged && (connected || ended.exitCode() == 0)) {
      return null;
    }
    String words = logged ? String.join(" / ", ended.logLines()) : String.join(" / ", ended.stderrLines());
    return "runsc could not start the sandbox (exit code " + ended.exitCode() + "): "
        + (words.isEmpty() ? "it said nothing" : words) + "." + notRoot() + " Next: fix what runsc names (one of its"
        + " flags, the command's path inside the sandbox; the sandbox's stderr has runsc's whole message), or run"
        + " another runsc (record --runsc=PATH, Sandbox.runsc).";
  }

  private String notRoot() {
    if (launch.uid() <= 0) {
      return "";
    }
    return " This process runs as uid " + launch.uid() + ", not as root: run it as root, or allow unprivileged user"
        + " namespaces (sysctl user.max_user_namespaces, kernel.unprivileged_userns_clone), which runsc --rootless"
        + " needs otherwise.";
  }

  private String timedOut(String kept) {
    return "the sandbox ran longer than its timeout (" + duration(launch.timeout()) + ") and was stopped" + kept
        + ". Give it a longer timeout, or a command that ends";
  }

  /** A timeout for a message: whole seconds as {@code 5 s}, anything else in milliseconds ({@code 500 ms}, not 0 s). */
  static String duration(Duration duration) {
    long millis = duration.toMillis();
    return millis % 1000 == 0 && millis > 0 ? millis / 1000 + " s" : millis + " ms";
  }

  private static String lastWords(Ended ended) {
    return ended.stderrLines().isEmpty() ? "" : " Its last lines on stderr: " + String.join(" / ", ended.stderrLines());
  }

  /** Keeps the private directory when it holds messages, and says where they are. */
  private String keep(Recording recording) {
    if (recording == null || recording.messages() == 0) {
      return "";
    }
    directory.keep();
    return "; the " + recording.messages() + " messages recorded until then are kept in " + recording.file();
  }

  /**
   * Moves {@code recorded} to {@code target} without ever replacing a file there: a hard link (which
   * fails when the name is taken) on the same file system; else a copy next to the target, synced, then
   * linked; where links are not supported, a copy to the target created exclusively.
   */
  static void placeWithoutReplacing(Path recorded, Path target) throws IOException {
    try {
      Files.createLink(target, recorded);
      return;
    } catch (FileAlreadyExistsException e) {
      throw e;
    } catch (IOException | UnsupportedOperationException otherFileSystem) {
      // Below: through a copy on the target's file system.
    }
    Path copy = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".partial");
    try {
      Files.copy(recorded, copy, StandardCopyOption.REPLACE_EXISTING); // our own empty file
      try (FileChannel channel = FileChannel.open(copy, StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      try {
        Files.createLink(target, copy);
      } catch (FileAlreadyExistsException e) {
        throw e;
      } catch (IOException | UnsupportedOperationException noLinks) {
        Files.copy(copy, target); // creates target exclusively: fails if it exists
      }
    } finally {
      Files.deleteIfExists(copy);
    }
  }

  /** runsc's own messages in its log: the last lines, each JSON line's "msg". */
  private static List<String> logLines(Path runscLog) throws IOException {
    byte[] tail;
    try (FileChannel channel = FileChannel.open(runscLog, StandardOpenOption.READ)) {
      long start = Math.max(0, channel.size() - LOG_KEPT);
      ByteBuffer buffer = ByteBuffer.allocate((int) (channel.size() - start));
      while (buffer.hasRemaining() && channel.read(buffer, start + buffer.position()) > 0) {
        // reads until full or the end
      }
      tail = Arrays.copyOf(buffer.array(), buffer.position());
    } catch (NoSuchFileException notWritten) {
      return List.of();
    }
    List<String> lines = new ArrayList<>();
    for (String line : new String(tail, StandardCharsets.UTF_8).split("\\R")) {
      Matcher message = LOG_MESSAGE.matcher(line);
      String text = message.find() ? message.group(1).replace("\\\"", "\"").replace("\\\\", "\\") : line.strip();
      if (!text.isEmpty()) {
        lines.add(text);
      }
    }
    return lines.subList(Math.max(0, lines.size() - LAST_LINES), lines.size());
  }

  /** This process's user id, or -1 when it cannot be told. */
  static int currentUid() {
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
      return -1;
    }
  }
}
