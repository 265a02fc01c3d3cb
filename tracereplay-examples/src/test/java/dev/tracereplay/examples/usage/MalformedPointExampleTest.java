package dev.tracereplay.examples.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracereplay.TraceReplayer;
import dev.tracereplay.junit5.ReplayTrace;
import dev.tracereplay.junit5.TraceEndpoint;
import dev.tracereplay.replay.ReplayShape;
import dev.tracereplay.server.CloseReason;
import dev.tracereplay.testing.ReceivedMessage;
import dev.tracereplay.testing.RecordingSink;
import dev.tracereplay.testing.SinkConnection;
import dev.tracereplay.wire.MessageType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Example 8, "my sink survives a malformed point and keeps the connection's earlier points": a
 * compromised sandbox controls every byte it sends. {@code bad-header@5} makes message 5's
 * {@code header_size} point beyond its end (also try {@code short@5}, {@code corrupt@5},
 * {@code unknown-type@5}, {@code oversize@5}).
 *
 * <p>The sink here is {@link RecordingSink}, on the project's sink server, which closes a
 * connection that sends a malformed packet and says why; yours may skip the packet instead. The
 * replay does not fail when the sink hangs up after the malformed packet: that is a sink's answer
 * to it. What must hold either way: the points before it are kept, and the next sandbox is served.
 */
class MalformedPointExampleTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  @ReplayTrace(value = "shell-common.trace", faults = "bad-header@5")
  void keepsThePointsBeforeAMalformedOneAndServesTheNextSandbox(TraceReplayer compromised,
      @TraceEndpoint Path endpoint) throws Exception {
    try (RecordingSink sink = new RecordingSink().start(endpoint)) {
      compromised.replayTo(endpoint);

      SinkConnection connection = sink.awaitClosedConnections(1, WAIT).get(0);
      assertThat(connection.closeReason().kind()).isEqualTo(CloseReason.Kind.MALFORMED);
      assertThat(connection.closeReason().detail()).startsWith("message 5 is malformed: header_size");
      List<ReceivedMessage> kept = sink.messages();
      assertThat(kept).hasSize(4);
      assertThat(kept.get(0).type()).isEqualTo(MessageType.CONTAINER_START);

      // The same recording from an honest sandbox, next: served whole.
      TraceReplayer honest = compromised.withShape(ReplayShape.AS_RECORDED);
      honest.replayTo(endpoint);
      assertThat(sink.awaitClosedConnections(2, WAIT).get(1).closeReason().isClean()).isTrue();
      assertThat(sink.messages()).hasSize(4 + 444);
    }
  }
}
