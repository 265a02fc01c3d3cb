package dev.tracereplay.examples.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracereplay.ReplayResult;
import dev.tracereplay.TraceReplayer;
import dev.tracereplay.junit5.ReplayTrace;
import dev.tracereplay.junit5.TraceEndpoint;
import dev.tracereplay.points.PrintingSink;
import dev.tracereplay.points.TraceMessageHandler;
import dev.tracereplay.server.SinkServer;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Example 7, "my sink reports the points runsc dropped": a sandbox under load drops the points its
 * socket has no room for and counts them in the next header's {@code dropped_count}, a running
 * total. The {@code drop} faults replay a real recording as if that had happened: messages 2, 3
 * and 10 are not sent, and every later header counts them, exactly as runsc would.
 *
 * <p>The sink here prints each point as gVisor's example server does (quiet: only the connection
 * and dropped-points lines); put yours in its place and check what it reports.
 */
class DroppedPointsExampleTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  @ReplayTrace(value = "shell-common.trace", faults = {"drop@2-3", "drop@10"})
  void reportsThePointsRunscDropped(TraceReplayer sandbox, @TraceEndpoint Path endpoint) throws Exception {
    StringWriter out = new StringWriter();
    try (SinkServer sink = SinkServer.builder(TraceMessageHandler.perClient(PrintingSink.to(out, true)))
        .endpoint(endpoint).start()) {
      ReplayResult replay = sandbox.replayTo(endpoint);
      // replayTo returns once everything is sent; the sink reads on its own threads.
      assertThat(sink.awaitNoClients(WAIT)).as("the sink saw the session end within %s", WAIT).isTrue();
      assertThat(replay.messagesDropped()).isEqualTo(3);
    }

    assertThat(out.toString().lines()).containsExactly(
        "Connection accepted",
        "Dropped 2 points before this message (dropped_count: 2)",
        "Dropped 1 points before this message (dropped_count: 3)",
        "Connection closed");
  }
}
