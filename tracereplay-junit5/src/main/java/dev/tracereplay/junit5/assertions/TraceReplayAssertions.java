package dev.tracereplay.junit5.assertions;

import dev.tracereplay.ReplayResult;
import dev.tracereplay.TraceReplayer;
import dev.tracereplay.points.TraceMessage;
import dev.tracereplay.testing.ReceivedMessage;
import dev.tracereplay.testing.RecordingSink;
import java.nio.file.Path;
import java.util.List;

/**
 * The entry point of the AssertJ assertions on replays and traces; import its methods statically
 * next to AssertJ's own (the overloads do not clash):
 *
 * <pre>{@code
 * import static dev.tracereplay.junit5.TraceReplayAssertions.assertThat;
 * import static dev.tracereplay.junit5.TraceReplayAssertions.assertThatTrace;
 *
 * assertThat(replayer.replayTo(endpoint)).deliveredAll().sinkAnsweredVersion(1);
 * assertThat(replayer).hasMessageCount(444).containsType(MessageType.SYSCALL_OPEN);
 * assertThatTrace(Path.of("client-0001")).hasNoDroppedPoints();
 * assertThat(replayer).matchesReceived(sink.awaitMessages(444, Duration.ofSeconds(10)));
 * assertThatReceived(mySink.messages()).hasNoDroppedPoints().payloadsOf(Open.class).isNotEmpty();
 * }</pre>
 *
 * <p>A trace is asserted through its {@link TraceReplayer} (as a test gets it from
 * {@link dev.tracereplay.junit5.ReplayTrace}) or, for a file, through {@link #assertThatTrace(Path)}:
 * it is not an {@code assertThat(Path)} overload because AssertJ's own {@code assertThat(Path)}
 * (for files in general) would take its place wherever both are imported.
 *
 * <p>Import them from {@link dev.tracereplay.junit5.TraceReplayAssertions}, beside the extension,
 * which has every method of this class; this one, where they are written, stays importable.
 */
public class TraceReplayAssertions {
  /** Not instantiated: only its subclass {@link dev.tracereplay.junit5.TraceReplayAssertions} exists. */
  protected TraceReplayAssertions() {}

  /** Assertions on what a replay did. */
  public static ReplayResultAssert assertThat(ReplayResult actual) {
    return new ReplayResultAssert(actual);
  }

  /** Assertions on the trace a replayer replays: its file, streamed, never loaded whole. */
  public static TraceAssert assertThat(TraceReplayer actual) {
    return new TraceAssert(actual == null ? null : actual.trace());
  }

  /** Assertions on a trace file, streamed, never loaded whole. */
  public static TraceAssert assertThatTrace(Path actual) {
    return new TraceAssert(actual);
  }

  /**
   * Assertions on the messages any sink received, in order: e.g. a handler's copies
   * ({@code message.copy()}); for a {@link RecordingSink}, {@link #assertThatReceived(RecordingSink)}.
   */
  public static ReceivedAssert assertThatReceived(List<? extends TraceMessage> actual) {
    return new ReceivedAssert(actual);
  }

  /** Assertions on the messages {@code sink} has received so far, of every connection, in arrival order. */
  public static ReceivedAssert assertThatReceived(RecordingSink sink) {
    return new ReceivedAssert(sink == null ? null : sink.messages().stream().map(ReceivedMessage::message).toList());
  }
}
