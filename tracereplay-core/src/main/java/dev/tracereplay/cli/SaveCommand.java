package dev.tracereplay.cli;

import dev.tracereplay.TraceRecorder;
import dev.tracereplay.channel.UnixSeqPacketListener;
import dev.tracereplay.internal.file.TraceFormat;
import dev.tracereplay.record.Recording;
import dev.tracereplay.internal.record.RecordingDirectory;
import dev.tracereplay.record.RecordingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tracereplay save}: gVisor's {@code save}, printing its lines byte for byte, without its
 * weaknesses (it never deletes a file in its way, never overwrites a recording, and a malformed
 * client only loses its own connection).
 */
@Command(name = "save",
    header = "Records every runsc (or replay) that connects into a trace file of its own.",
    description = {
        "Listens on a SOCK_SEQPACKET socket at --endpoint, where runsc's remote sink connects, and writes"
            + " each client's session to <out>/<prefix><NNNN> in the tracereplay file format, as gVisor's"
            + " tool does. Stdout carries gVisor's lines byte for byte: 'Listening on \"<endpoint>\". Press"
            + " ctrl-C to stop...', two lines per client, and 'Ctrl-C pressed, stopping.' on SIGINT; save's own"
            + " lines go to stderr. Output never holds up recording: while stdout is not read, its lines are"
            + " dropped and counted.",
        "Numbering continues after the highest file already in --out: a recording is never overwritten."
            + " Only a stale socket at --endpoint is replaced; a regular file, a directory or a live"
            + " server there is an error. Recordings are owner-only (see --file-mode); an existing --out (or"
            + " what a link there points to) that another user than you or root owns, or that others may"
            + " write to without the sticky bit, is refused, as ssh's StrictModes does.",
        "Runs until SIGINT (Ctrl-C) or SIGTERM, then receives what connected clients have already sent,"
            + " closes their files (printing \"Closing client\" for each) and exits 0, as gVisor's does. Like"
            + " gVisor's, it stops on SIGINT also when started with SIGINT ignored (a background job): by itself"
            + " on JDK 22 and later, through the launcher bin/tracereplay on older ones. A second signal while closing quits at once (exit 130 or 143; an ignored"
            + " SIGINT is ignored again); a recording cut short that way, or by a crash, is checked by"
            + " 'tracereplay verify' and fixed by 'tracereplay repair'."},
    exitCodeList = {
        " 0:Stopped by SIGINT or SIGTERM; every recording was closed cleanly.",
        ExitCodes.FAILURE_LINE + " E.g. the endpoint is in use, or --out is not a directory or is refused, or the"
            + " server could no longer accept clients (it then stops listening, closes every recording and exits)."})
final class SaveCommand implements Callable<Integer> {
  /** What {@link StopSignals#await} returns when the recorder stopped accepting by itself. */
  private static final String SERVER_FAILED = "server failure";
  /** How long the output may take to be written when save ends, if nobody reads it. */
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);

  @Spec CommandSpec spec;

  @Option(names = "--endpoint", required = true, paramLabel = "PATH",
      description = "The socket to listen on, e.g. /tmp/gvisor_events.sock (runsc's remote sink endpoint).")
  Path endpoint;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "replay",
      description = "The directory recordings go to, created (0700) if needed (default: ./${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--prefix", paramLabel = "STR", defaultValue = "client-",
      description = "The file name prefix (default: ${DEFAULT-VALUE}).")
  String prefix;

  @Option(names = "--socket-mode", paramLabel = "MODE", defaultValue = "0600",
      converter = OptionValues.SocketMode.class,
      description = "The socket file's permissions, octal (default: ${DEFAULT-VALUE}, owner only; runsc"
          + " needs write permission to connect).")
  UnixSeqPacketListener.Options socketOptions;

  @Option(names = "--max-clients", paramLabel = "N", defaultValue = "256",
      description = "Clients recorded at once (default: ${DEFAULT-VALUE}); more are refused.")
  int maxClients;

  @Option(names = "--max-message-size", paramLabel = "BYTES", defaultValue = "1M",
      converter = OptionValues.Limit.class,
      description = "The largest message accepted (default: ${DEFAULT-VALUE}, gVisor's limit); a larger one"
          + " closes its client, whose file keeps what came before. Above 1M, gVisor's reader cannot read"
          + " the files.")
  int maxMessageSize = TraceFormat.DEFAULT_MAX_RECORD_SIZE;

  @Option(names = "--max-bytes-per-recording", paramLabel = "BYTES", defaultValue = "0",
      converter = OptionValues.Bytes.class,
      description = "The largest a recording may grow, e.g. 10G; reaching it closes that client"
          + " (default: 0, no limit).")
  long maxBytesPerRecording;

  @Option(names = "--file-mode", paramLabel = "MODE", defaultValue = "0600",
      converter = OptionValues.FileMode.class,
      description = "Each recording's permissions, octal, whatever the umask (default: ${DEFAULT-VALUE}, owner"
          + " only; at most 0666). A --out created by save is 0700, with read and search for group or others"
          + " where this mode lets them read.")
  Set<PosixFilePermission> fileMode;

  @Override
  public Integer call() throws IOException {
    if (maxClients < 1) {
      throw new ParameterException(spec.commandLine(), "--max-clients must be at least 1, was " + maxClients);
    }
    String prefixProblem = RecordingDirectory.prefixProblem(prefix);
    if (prefixProblem != null) {
      throw new ParameterException(spec.commandLine(), "--prefix " + prefixProblem);
    }
    OutputQueue stderr = new OutputQueue(spec.commandLine().getErr(), "stderr", OutputQueue.CAPACITY, () -> { });
    OutputQueue stdout = new OutputQueue(spec.commandLine().getOut(), "stdout", OutputQueue.CAPACITY,
        () -> stderr.print("tracereplay save: stdout is not being read: its lines are dropped (and counted) from"
            + " now on, so that recording goes on\n"));
    try {
      return record(stdout, stderr);
    } finally {
      long lost = stdout.close(DRAIN_TIMEOUT);
      if (lost > 0) {
        stderr.print("tracereplay save: " + lost + " output line(s) were dropped because stdout was not read\n");
      }
      stderr.close(DRAIN_TIMEOUT);
    }
  }

  private int record(OutputQueue stdout, OutputQueue stderr) throws IOException {
    boolean outExisted = Files.exists(out, LinkOption.NOFOLLOW_LINKS);
    try (StopSignals stop = StopSignals.register();
        TraceRecorder recorder = startRecorder(stdout, stderr, outExisted,
            failure -> stop.stop(SERVER_FAILED))) {
      // Also close cleanly when the JVM ends another way (SIGHUP, or a signal we could not handle).
      Thread hook = new Thread(() -> {
        recorder.close();
        drainQuietly(stdout);
      }, "tracereplay-save-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        // gVisor's line once listening, byte for byte; the rest of what save says goes to stderr.
        stdout.print("Listening on " + GoQuote.quote(endpoint.toString()) + ". Press ctrl-C to stop...\n");
        stderr.print("Recording into " + GoQuote.quote(out.toString()) + "; stop with Ctrl-C or SIGTERM.\n");
        String cause = stop.await();
        if (cause.equals("SIGINT")) {
          stdout.print("Ctrl-C pressed, stopping.\n");
        }
        Optional<Throwable> failure = recorder.failure();
        stderr.print("Stopping (" + (failure.isPresent() ? "the server failed" : cause) + "): closing "
            + recorder.openRecordings() + " open recording(s).\n");
        recorder.close();
        if (failure.isPresent()) {
          // Never exit 0 ("every recording was closed cleanly") after a server that stopped recording.
          throw new IOException(failure.get().getMessage() + ". Every recording made was closed; clients that"
              + " connected after this were not recorded. Start save again", failure.get());
        }
      } finally {
        removeShutdownHook(hook);
      }
    }
    return ExitCodes.OK;
  }

  /**
   * Starts the recorder; when the warm-up is turned on ({@link SaveWarmUp}), after running its
   * receive path before the endpoint is bound. This runs once the stop signals are save's, so that
   * a signal during the warm-up stops save cleanly after it.
   */
  private TraceRecorder startRecorder(OutputQueue stdout, OutputQueue stderr, boolean outExisted,
      Consumer<Throwable> onFailure) throws IOException {
    if (SaveWarmUp.enabled()) {
      long start = System.nanoTime();
      SaveWarmUp.Outcome outcome = SaveWarmUp.run(Path.of(System.getProperty("java.io.tmpdir")), maxMessageSize,
          SaveWarmUp.TIME_LIMIT);
      stderr.print("Warm-up before listening: " + outcome.messages() + " messages recorded and deleted in "
          + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms" + (outcome.completed() ? "" : ", cut short")
          + ".\n");
    }
    try {
      return TraceRecorder.builder(endpoint, out)
          .onFailure(onFailure)
          .prefix(prefix)
          .fileMode(fileMode)
          .socketOptions(socketOptions)
          .maxClients(maxClients)
          .maxMessageSize(maxMessageSize)
          .maxBytesPerRecording(maxBytesPerRecording)
          .listener(new GvisorLines(stdout))
          .start();
    } catch (IllegalArgumentException e) {
      if (!outExisted) {
        deleteIfEmpty(out);
      }
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      if (!outExisted) {
        deleteIfEmpty(out);   // a failed start leaves nothing behind
      }
      throw e;
    }
  }

  private static void drainQuietly(OutputQueue output) {
    try {
      output.drain(DRAIN_TIMEOUT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteIfEmpty(Path directory) {
    try {
      Files.deleteIfExists(directory);
    } catch (IOException notEmptyOrGone) {
      // Something was put there meanwhile: it stays.
    }
  }

  private static void removeShutdownHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // The hook is running or has run: the recorder is closed either way.
    }
  }

  /**
   * gVisor's two lines per client, byte for byte: Go's %q quoting, "\n" endings, and the path as
   * Go's filepath.Join(out, name) spells it (lexically cleaned, hence normalize()).
   */
  private record GvisorLines(OutputQueue stdout) implements RecordingListener {
    @Override
    public void clientConnected(Recording recording) {
      stdout.print("New client connected, writing to: " + quotedFile(recording) + "\n");
    }

    @Override
    public void clientClosed(Recording recording) {
      stdout.print("Closing client, wrote " + recording.messages() + " messages to " + quotedFile(recording) + "\n");
    }

    private static String quotedFile(Recording recording) {
      return GoQuote.quote(recording.file().normalize().toString());
    }
  }
}
