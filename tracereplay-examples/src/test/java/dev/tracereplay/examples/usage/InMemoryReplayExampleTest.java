package dev.tracereplay.examples.usage;

import static dev.tracereplay.junit5.TraceReplayAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tracereplay.TraceReplayer;
import dev.tracereplay.channel.InMemorySeqPacketListener;
import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.junit5.ReplayTrace;
import dev.tracereplay.points.PrintingSink;
import dev.tracereplay.points.TraceMessageHandler;
import dev.tracereplay.points.container.Start;
import dev.tracereplay.server.SinkServer;
import dev.tracereplay.testing.ReceivedMessage;
import dev.tracereplay.testing.RecordingSink;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Example 4, a replay in memory: no socket file, no AF_UNIX at all, for a sink built on
 * {@link SinkServer}. The sink listens on an {@link InMemorySeqPacketListener} instead of a path;
 * {@code listener.connect()} is a client's end of a new connection to it, and
 * {@code replayer.replayTo(channel)} replays over it. The channel stays open after the replay:
 * closing it ends the session, as a sandbox exiting does.
 *
 * <p>The server's {@code awaitNoClients} waits until the sink has seen every session to its end.
 */
@Timeout(30)
class InMemoryReplayExampleTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  @ReplayTrace("true-start.trace")
  void aSinkOnAnInMemoryListenerPrintsTheReplayedSession(TraceReplayer sandbox) throws Exception {
    StringWriter out = new StringWriter();
    InMemorySeqPacketListener listener = new InMemorySeqPacketListener("in-memory sink");

    // The example sink's printing, on a server that accepts in memory (closing it closes the listener).
    try (SinkServer sink = SinkServer.builder(TraceMessageHandler.perClient(PrintingSink.to(out)))
        .listener(listener).start()) {
      try (SeqPacketChannel channel = listener.connect()) {
        assertThat(sandbox.replayTo(channel)).deliveredAll().sinkAnsweredVersion(1);
      }
      assertThat(sink.awaitNoClients(WAIT)).as("the session ended within %s", WAIT).isTrue();
    }

    assertThat(out.toString().lines()).containsExactly("Connection accepted",
        "Start => id: \"runsc-409429\" cwd: \"/\" args: \"/bin/true\" ", "Connection closed");
  }

  @Test
  @ReplayTrace("shell-common.trace")
  void aRecordingSinkInMemoryReceivesTheRecordingByteForByte(TraceReplayer sandbox) throws Exception {
    // For code that sends trace sessions (a relay, a proxy): the far end, recording what it got.
    try (RecordingSink sink = new RecordingSink().startInMemory();
        SeqPacketChannel channel = sink.connect()) {
      assertThat(sandbox.replayTo(channel)).deliveredAll().hasSentMessages(444);

      List<ReceivedMessage> received = sink.awaitMessages(444, WAIT);

      assertThat(sandbox).matchesReceived(received);
      assertThat(received.get(0).as(Start.class).getArgsList()).startsWith("/bin/sh", "-c");
    }
  }
}
