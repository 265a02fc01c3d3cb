package dev.tracereplay.examples.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracereplay.ReplayException;
import dev.tracereplay.ReplayResult;
import dev.tracereplay.TraceReplayer;
import dev.tracereplay.examples.ExampleSink;
import dev.tracereplay.wire.MessageType;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Example 2, the programmatic form for an integration test: no extension, only
 * {@code TraceReplayer.replay(trace, endpoint)} (tracereplay-core is all it needs). The recording is
 * a file of the project and the endpoint a path in a {@code @TempDir}: any directory does, as long
 * as the socket path stays under 107 bytes. The sink could as well be another process listening on
 * that path; here it is the example sink, in the test's JVM.
 *
 * <p>{@code replay} returns once every message was sent and the connection closed, as when a sandbox
 * exits; its {@link ReplayResult} says what the sink took. What the sink did with the messages it
 * does on its own threads, so the test waits, with a deadline, until the sink has ended the session.
 */
@Timeout(60)
class ProgrammaticReplayExampleTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  /** A real runsc session of a shell (444 trace points): a file of the repository, relative to the module, where Maven runs tests. */
  private static final Path SHELL_SESSION = Path.of("../fixtures/shell-common.trace");

  @TempDir Path dir;

  @Test
  void aReplayDeliversEveryMessageOfTheRecordingToTheSink() throws Exception {
    Path endpoint = dir.resolve("sink.sock");
    StringWriter out = new StringWriter();

    ReplayResult result;
    try (ExampleSink sink = ExampleSink.start(endpoint, out, false)) {
      result = TraceReplayer.replay(SHELL_SESSION, sink.endpoint());
      assertThat(sink.awaitNoClients(WAIT)).as("the sink ended the session within %s", WAIT).isTrue();
    }

    assertThat(result.deliveredAll()).as("the sink took every message").isTrue();
    assertThat(result.sinkVersion()).as("the sink's handshake version").isEqualTo(1);
    assertThat(result.messagesSent()).isEqualTo(444);
    assertThat(result.messagesOf(MessageType.CONTAINER_START)).isEqualTo(1);
    // "Socket address", "Connection accepted", one line per message, "Connection closed".
    assertThat(out.toString().lines()).hasSize(444 + 3).endsWith("Connection closed");
  }

  @Test
  void oneReplayerReplaysTheSameRecordingAsOftenAsNeeded() throws Exception {
    Path endpoint = dir.resolve("sink.sock");
    StringWriter out = new StringWriter();
    // Immutable and thread-safe: build it once with the settings the test needs, replay at will.
    TraceReplayer replayer = TraceReplayer.of(SHELL_SESSION).withSendTimeout(Duration.ofSeconds(10));

    try (ExampleSink sink = ExampleSink.start(endpoint, out, true)) {
      assertThat(replayer.replayTo(sink.endpoint()).deliveredAll()).isTrue();
      // The replay is done when its last packet is sent; the sink finishes that session on its own.
      assertThat(sink.awaitNoClients(WAIT)).as("the sink ended the first session within %s", WAIT).isTrue();
      assertThat(replayer.replayTo(sink.endpoint()).deliveredAll()).isTrue();
      assertThat(sink.awaitNoClients(WAIT)).as("the sink ended the second session within %s", WAIT).isTrue();
    }

    assertThat(out.toString().lines()).containsExactly("Socket address " + endpoint,
        "Connection accepted", "Connection closed", "Connection accepted", "Connection closed");
  }

  @Test
  void replayingWhereNoSinkListensFailsAndSaysWhere() {
    Path endpoint = dir.resolve("nobody-listens.sock");

    assertThatThrownBy(() -> TraceReplayer.replay(SHELL_SESSION, endpoint))
        .isInstanceOf(ReplayException.class)
        .hasMessageContaining("cannot connect to the sink at " + endpoint)
        .hasMessageContaining("(no message sent)");
  }
}
