package dev.tracereplay.cli;

import dev.tracereplay.TraceRecorder;
import dev.tracereplay.channel.UnixSeqPacketListener;
import dev.tracereplay.file.TraceFormat;
import dev.tracereplay.record.Recording;
import dev.tracereplay.record.RecordingListener;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
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
            + " tool does, printing its two lines per client on stdout.",
        "Numbering continues after the highest file already in --out: a recording is never overwritten."
            + " Only a stale socket at --endpoint is replaced; a regular file, a directory or a live"
            + " server there is an error.",
        "Runs until SIGINT (Ctrl-C) or SIGTERM, then receives what connected clients have already sent,"
            + " closes their files (printing \"Closing client\" for each) and exits 0, as gVisor's does."
            + " A second signal while closing quits at once (exit 130 or 143); a recording cut short that"
            + " way, or by a crash, is checked by 'tracereplay verify' and fixed by 'tracereplay repair'."},
    exitCodeList = {
        " 0:Stopped by SIGINT or SIGTERM; every recording was closed cleanly.",
        ExitCodes.FAILURE_LINE + " E.g. the endpoint is in use or --out is not a directory."})
final class SaveCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--endpoint", required = true, paramLabel = "PATH",
      description = "The socket to listen on, e.g. /tmp/gvisor_events.sock (runsc's remote sink endpoint).")
  Path endpoint;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "replay",
      description = "The directory recordings go to, created if needed (default: ./${DEFAULT-VALUE}).")
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

  @Override
  public Integer call() throws IOException {
    if (maxClients < 1) {
      throw new ParameterException(spec.commandLine(), "--max-clients must be at least 1, was " + maxClients);
    }
    if (prefix.contains("/") || prefix.contains("\0") || prefix.equals(".") || prefix.equals("..")) {
      // RecordingDirectory refuses these too, as a bug; here they are a usage error.
      throw new ParameterException(spec.commandLine(),
          "--prefix must be a plain file name part (no '/'), was '" + prefix + "'");
    }
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter stderr = spec.commandLine().getErr();
    boolean outCreated = createOutputDirectory();
    try (StopSignals stop = StopSignals.register(); TraceRecorder recorder = startRecorder(stdout, outCreated)) {
      // Also close cleanly when the JVM ends another way (SIGHUP, or a signal we could not handle).
      Thread hook = new Thread(recorder::close, "tracereplay-save-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        Output.print(stderr, "Listening on " + GoQuote.quote(endpoint.toString()) + ", recording into "
            + GoQuote.quote(out.toString()) + ". Stop with Ctrl-C or SIGTERM.\n");
        String cause = stop.await();
        long open = recorder.recordings().stream().filter(Recording::isOpen).count();
        Output.print(stderr, "Stopping (" + cause + "): closing " + open + " open recording(s).\n");
        recorder.close();
      } finally {
        removeShutdownHook(hook);
      }
    }
    return ExitCodes.OK;
  }

  private TraceRecorder startRecorder(PrintWriter stdout, boolean outCreated) throws IOException {
    try {
      return TraceRecorder.builder(endpoint, out)
          .prefix(prefix)
          .socketOptions(socketOptions)
          .maxClients(maxClients)
          .maxMessageSize(maxMessageSize)
          .maxBytesPerRecording(maxBytesPerRecording)
          .listener(new GvisorLines(stdout))
          .start();
    } catch (IOException | RuntimeException e) {
      if (outCreated) {
        deleteIfEmpty(out);   // a failed start leaves nothing behind
      }
      throw e;
    }
  }

  /**
   * Creates --out up front, so that a bad one is reported as such, before anything is bound.
   *
   * @return whether it was created now
   */
  private boolean createOutputDirectory() throws IOException {
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new FileSystemException(out.toString(), null, "--out must be a directory, and this is a file");
    }
    boolean created = !Files.exists(out);
    Files.createDirectories(out);
    if (!Files.isWritable(out)) {
      throw new FileSystemException(out.toString(), null, "--out is not writable");
    }
    return created;
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
  private record GvisorLines(PrintWriter stdout) implements RecordingListener {
    @Override
    public void clientConnected(Recording recording) {
      Output.print(stdout, "New client connected, writing to: " + quotedFile(recording) + "\n");
    }

    @Override
    public void clientClosed(Recording recording) {
      Output.print(stdout,
          "Closing client, wrote " + recording.messages() + " messages to " + quotedFile(recording) + "\n");
    }

    private static String quotedFile(Recording recording) {
      return GoQuote.quote(recording.file().normalize().toString());
    }
  }
}
