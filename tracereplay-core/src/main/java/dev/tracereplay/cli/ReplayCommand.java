package dev.tracereplay.cli;

import dev.tracereplay.ReplayListener;
import dev.tracereplay.ReplayResult;
import dev.tracereplay.TraceReplayer;
import dev.tracereplay.file.TraceFormat;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tracereplay replay}: gVisor's {@code replay}, with its output, limits and useful errors. */
@Command(name = "replay",
    header = "Sends a recorded trace into a listening sink, as runsc sent it, byte for byte.",
    description = {
        "Connects to the sink at --endpoint, sends the handshake with the trace's version, then every"
            + " message of --in as one packet, in order, and closes the connection, as gVisor's tool does.",
        "Prints \"Handshake completed\", then the \\rReplaying message: N counter, then \"Done\". The counter"
            + " is written for the first message, then at most every 100 ms, and for the last: a terminal"
            + " shows what gVisor's shows (gVisor writes every number, which dominates the time of a long"
            + " replay), and a trace of one or two messages prints exactly gVisor's bytes.",
        "A failure says which message could not be sent and why (nothing listening, the sink closed the"
            + " connection, or stopped reading for --send-timeout)."},
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {
        " 0:Every message was delivered.",
        ExitCodes.FAILURE_LINE + " E.g. nothing listens at --endpoint, or the trace is bad.",
        ExitCodes.USAGE_LINE,
        ExitCodes.BUG_LINE})
final class ReplayCommand implements Callable<Integer> {
  private static final long PROGRESS_INTERVAL_NANOS = 100_000_000L;

  @Spec CommandSpec spec;

  @Option(names = "--endpoint", required = true, paramLabel = "PATH",
      description = "The socket of the sink to replay into.")
  Path endpoint;

  @Mixin TraceInputOptions input;

  @Option(names = "--handshake-timeout", paramLabel = "TIME", defaultValue = "30s",
      converter = OptionValues.Time.class,
      description = "How long to wait for the sink's handshake answer (default: ${DEFAULT-VALUE}; 0 waits forever).")
  Duration handshakeTimeout;

  @Option(names = "--send-timeout", paramLabel = "TIME", defaultValue = "60s",
      converter = OptionValues.Time.class,
      description = "How long one message may wait for a sink that stopped reading (default: ${DEFAULT-VALUE};"
          + " 0 waits forever).")
  Duration sendTimeout;

  @Override
  public Integer call() throws IOException {
    TraceReplayer replayer = TraceReplayer.of(input.trace());
    if (input.maxRecordSize != TraceFormat.DEFAULT_MAX_RECORD_SIZE) {
      replayer = replayer.withMaxRecordSize(input.maxRecordSize);
    }
    Progress progress = new Progress(spec.commandLine().getOut());
    try {
      ReplayResult result = replayer.withHandshakeTimeout(handshakeTimeout).withSendTimeout(sendTimeout)
          .withListener(progress).replayTo(endpoint);
      progress.finish(result.messagesSent());
      return ExitCodes.OK;
    } catch (IOException e) {
      progress.interrupted();
      throw e;
    }
  }

  /** gVisor's output: the handshake line, the counter (throttled), the end. */
  private static final class Progress implements ReplayListener {
    private final PrintWriter out;
    private long sent;
    private long shown;
    private long lastShownAt;

    Progress(PrintWriter out) {
      this.out = out;
    }

    @Override
    public void handshakeCompleted(int sinkVersion) {
      Output.print(out, "Handshake completed\n");
    }

    @Override
    public void messageSent(long number) {
      sent = number;
      long now = System.nanoTime();
      if (shown == 0 || now - lastShownAt >= PROGRESS_INTERVAL_NANOS) {
        show(number);
        lastShownAt = now;
      }
    }

    /** Shows the last number, if it is not on screen, and ends as gVisor does. */
    void finish(long messages) {
      if (messages != shown) {
        show(messages);
      }
      Output.print(out, "\nDone\n");
    }

    /**
     * Shows how far the replay got and ends the counter's line, so that the error that follows
     * starts on a line of its own.
     */
    void interrupted() {
      if (sent != shown) {
        show(sent);
      }
      if (shown > 0) {
        Output.print(out, "\n");
      }
    }

    private void show(long number) {
      Output.print(out, "\rReplaying message: " + number);
      shown = number;
    }
  }
}
