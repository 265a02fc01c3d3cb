package dev.tracereplay.examples.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracereplay.TraceReplayer;
import dev.tracereplay.examples.ExampleSink;
import dev.tracereplay.junit5.TraceBuilder;
import dev.tracereplay.junit5.TraceEndpoint;
import dev.tracereplay.points.container.Start;
import dev.tracereplay.points.sentry.TaskExit;
import dev.tracereplay.points.syscall.Exit;
import dev.tracereplay.points.syscall.Open;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Example 5, a fixture made with {@link TraceBuilder} for an edge case that a real sandbox rarely
 * records: a point type from a newer runsc, points runsc dropped. The builder writes, from protobuf
 * messages, the file a recorder would have saved of a sandbox that sent them; the test replays it
 * like any recording. A sink must survive both cases and go on with the session, as gVisor's
 * example server does.
 */
@Timeout(30)
class BuiltTraceExampleTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;

  @Test
  void anUnknownMessageTypeIsReportedAndTheListingGoesOn(@TraceEndpoint Path endpoint) throws Exception {
    Path trace = TraceBuilder.create()
        .add(Start.newBuilder().setId("sandbox-1").build())
        .addRaw(999, new byte[] {0x08, 0x01}) // a point type this sink does not know, from a newer runsc
        .add(Open.newBuilder().setSysno(257).setPathname("/etc/hostname").build())
        .writeTo(dir.resolve("client-0001"));

    assertThat(printedByTheExampleSink(trace, endpoint)).containsExactly(
        "Socket address " + endpoint,
        "Connection accepted",
        "Start => id: \"sandbox-1\" ",
        "Invalid message type: 999",
        "E Open sysno: 257 pathname: \"/etc/hostname\" ",
        "Connection closed");
  }

  @Test
  void droppedPointsAreReportedBeforeTheMessageThatCountsThem(@TraceEndpoint Path endpoint) throws Exception {
    Open openat = Open.newBuilder().setSysno(257).setPathname("/etc/hostname").build();
    Path trace = TraceBuilder.create()
        .add(openat)
        // runsc's socket was full: 5 points lost; the next message's header counts them.
        .add(openat.toBuilder().setExit(Exit.newBuilder().setResult(3)).build(), 5)
        // The count is cumulative: still 5, nothing newly lost.
        .add(TaskExit.newBuilder().setExitStatus(0).build(), 5)
        .writeTo(dir.resolve("client-0001"));

    assertThat(printedByTheExampleSink(trace, endpoint)).containsExactly(
        "Socket address " + endpoint,
        "Connection accepted",
        "E Open sysno: 257 pathname: \"/etc/hostname\" ",
        "Dropped 5 points before this message (dropped_count: 5)",
        "X Open exit {   result: 3 } sysno: 257 pathname: \"/etc/hostname\" ",
        "TaskExit => ",
        "Connection closed");
  }

  /** Replays {@code trace} into the example sink listening at {@code endpoint} and returns what it printed. */
  private static List<String> printedByTheExampleSink(Path trace, Path endpoint) throws Exception {
    StringWriter out = new StringWriter();
    try (ExampleSink sink = ExampleSink.start(endpoint, out, false)) {
      TraceReplayer.replay(trace, sink.endpoint());
      // The replay is done when its last packet is sent; the sink prints the session's end on its own.
      assertThat(sink.awaitNoClients(WAIT)).as("the sink ended the session within %s", WAIT).isTrue();
    }
    return out.toString().lines().toList();
  }
}
