package dev.tracereplay.examples.usage;

import static dev.tracereplay.junit5.assertions.TraceReplayAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tracereplay.TraceReplayer;
import dev.tracereplay.junit5.ReplayTrace;
import dev.tracereplay.junit5.TraceEndpoint;
import dev.tracereplay.points.PrintingSink;
import dev.tracereplay.points.TraceMessageHandler;
import dev.tracereplay.server.SinkServer;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Example 9, "my sink handles a sandbox that dies mid-stream": {@code close@100} closes the
 * connection right after message 100, with no exit points, no task exit, nothing after it, as
 * when runsc is killed. The sink must end that session cleanly with what it got (flush, report,
 * free what the sandbox held) and be ready for the next one.
 *
 * <p>{@code stall@50:200ms} first pauses the sandbox before message 50, as a sandbox under a
 * debugger or a host under load does. The sink here prints each point as gVisor's example server
 * does; put yours in its place.
 */
class SandboxDiesExampleTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  @ReplayTrace(value = "shell-common.trace", faults = {"stall@50:200ms", "close@100"})
  void endsTheSessionOfASandboxThatDiedWithWhatItSent(TraceReplayer dying, @TraceEndpoint Path endpoint)
      throws Exception {
    StringWriter out = new StringWriter();
    try (SinkServer sink = SinkServer.builder(TraceMessageHandler.perClient(PrintingSink.to(out)))
        .endpoint(endpoint).start()) {
      assertThat(dying.replayTo(endpoint)).closedOnPurposeAfter(100).hasSentMessages(100);

      assertThat(sink.awaitNoClients(WAIT)).as("the sink ended the session within %s", WAIT).isTrue();
    }

    List<String> lines = out.toString().lines().toList();
    assertThat(lines).hasSize(1 + 100 + 1);
    assertThat(lines.get(0)).isEqualTo("Connection accepted");
    assertThat(lines.get(101)).isEqualTo("Connection closed");
  }
}
