package dev.tracereplay.cli;

import dev.tracereplay.ReplayListener;
import dev.tracereplay.ReplayResult;
import dev.tracereplay.TraceReplayer;
import dev.tracereplay.replay.Fault;
import dev.tracereplay.replay.ReplayShape;
import dev.tracereplay.replay.ShapeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
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
            + " connection, or stopped reading for --send-timeout).",
        "To test how a sink copes, shape the replay: --types and --messages select what is sent (byte for"
            + " byte: leaving a message out is not a drop), --fault adds faults (dropped points, counted in later"
            + " headers' dropped_count as runsc does; malformed or unknown points; pauses; a sandbox dying with"
            + " close@N; another handshake version), --speed or --rate set the pace. A shaped replay says on"
            + " stderr what it selected, dropped and altered. Sent is not read: the sink may still be reading"
            + " when the replay prints Done."},
    exitCodeList = {
        " 0:Every message was sent as the faults intend (a close@N fault ends the replay on purpose; after a"
            + " packet a fault made malformed, or a handshake-version=V fault, the sink closing the connection is"
            + " its answer, not a failure: Done says so).",
        ExitCodes.FAILURE_LINE + " E.g. nothing listens at --endpoint, or the trace is bad.",
        " 2:Usage error: an unknown, missing or invalid option, e.g. a --fault that does not parse (--help"
            + " has the grammar), or --speed for a trace whose messages carry no time (use --rate)."})
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

  @Mixin ShapeOptions shaping;

  @ArgGroup(exclusive = true)
  Pace pace = new Pace();

  /** How fast: one of the two, or neither (as fast as the sink takes it). */
  static final class Pace {
    @Option(names = "--speed", paramLabel = "X",
        description = "Replay at X times the recorded pace (1: real time), from the messages' context_data.time_ns;"
            + " a trace whose selected messages carry no time is a usage error: use --rate.")
    Double speed;

    @Option(names = "--rate", paramLabel = "N", description = "Replay N messages a second, evenly.")
    Double rate;
  }

  @Override
  public Integer call() throws IOException {
    ReplayShape shape = shaping.shape(spec.commandLine(), pace.speed, pace.rate);
    Progress progress = new Progress(spec.commandLine().getOut());
    ReplayResult result;
    try {
      result = TraceReplayer.of(input.trace()).withMaxRecordSize(input.maxRecordSize).withShape(shape)
          .withHandshakeTimeout(handshakeTimeout).withSendTimeout(sendTimeout).withListener(progress)
          .replayTo(endpoint);
    } catch (ShapeException e) {
      throw ShapeOptions.usageError(spec.commandLine(), e);
    } catch (IOException e) {
      progress.interrupted();
      throw e;
    }
    progress.finish(result.messagesSent(), result.closedAfterHandshakeFault() ? ": the sink closed the connection"
        + " after the " + handshakeFault(shape) + " fault, as expected" : "");
    if (!shape.isAsRecorded()) {
      Output.print(spec.commandLine().getErr(), summary(result) + "\n");
    }
    return ExitCodes.OK;
  }

  private static String handshakeFault(ReplayShape shape) {
    return shape.faults().stream().filter(Fault.HandshakeVersion.class::isInstance).findFirst()
        .map(Fault::toString).orElse("handshake-version");
  }

  /** What a shaped replay did, for stderr (stdout keeps gVisor's lines). */
  static String summary(ReplayResult result) {
    List<String> parts = new ArrayList<>();
    parts.add(result.messagesSelected() + " selected");
    parts.add(result.messagesDropped() + " dropped");
    parts.add(result.messagesAltered() + " altered");
    String line = "Sent " + result.messagesSent() + " messages (" + String.join(", ", parts) + ")";
    if (result.closedOnPurpose()) {
      line += "; closed the connection after message " + result.closedAfterMessage().getAsLong() + " on purpose";
    }
    if (result.closedAfterHandshakeFault()) {
      line += result.sinkClosedAtMessage().isPresent()
          ? "; the sink closed the connection after the handshake fault, as expected: sending message "
              + result.sinkClosedAtMessage().getAsLong() + " failed, and nothing after it was sent"
          : "; the sink closed the connection at the handshake fault, as a sink refusing that version does:"
              + " nothing was sent";
    } else if (!result.deliveredAll()) {
      line += "; the sink had closed the connection after a malformed message: sending message "
          + result.sinkClosedAtMessage().getAsLong() + " failed, and nothing after it was sent";
    }
    return line + ".";
  }

  /** gVisor's output: the handshake line, the counter (throttled), the end. */
  private static final class Progress implements ReplayListener {
    private final PrintWriter out;
    private long sent;
    private long shown;
    private long lastShownAt;
    private boolean handshakeCompleted;

    Progress(PrintWriter out) {
      this.out = out;
    }

    @Override
    public void handshakeCompleted(int sinkVersion) {
      handshakeCompleted = true;
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

    /**
     * Shows the last number, if it is not on screen, and ends as gVisor does: {@code Done}, with
     * {@code note} after it (empty for gVisor's line). Without a handshake (a sink that refused a
     * handshake fault) there is no line to end before it.
     */
    void finish(long messages, String note) {
      if (messages != shown) {
        show(messages);
      }
      Output.print(out, (handshakeCompleted || shown > 0 ? "\n" : "") + "Done" + note + "\n");
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
