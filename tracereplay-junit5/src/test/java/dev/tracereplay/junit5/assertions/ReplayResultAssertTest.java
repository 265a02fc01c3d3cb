package dev.tracereplay.junit5.assertions;

import static dev.tracereplay.junit5.assertions.TraceReplayAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracereplay.ReplayResult;
import dev.tracereplay.TraceReplayer;
import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.junit5.TestTraces;
import dev.tracereplay.junit5.TraceBuilder;
import dev.tracereplay.points.container.Start;
import dev.tracereplay.points.syscall.Open;
import dev.tracereplay.testing.RecordingSink;
import dev.tracereplay.wire.MessageType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

@Timeout(60)
class ReplayResultAssertTest {
  static final String ENDPOINT = "/tmp/sink.sock";

  @TempDir Path dir;
  Path trace;

  @BeforeEach
  void buildTrace() throws IOException {
    trace = TraceBuilder.create()
        .add(Start.newBuilder().setId("c1").build())
        .add(Open.newBuilder().setPathname("/etc/shadow").build())
        .writeTo(dir.resolve("client-0001"));
  }

  /** What a replay of the two-message trace reports when the sink closed at message 2. */
  private ReplayResult closedAtTwo() {
    return new ReplayResult(trace, ENDPOINT, 1, 12, 1, Map.of(1, 1L), OptionalLong.of(2), Duration.ZERO);
  }

  private ReplayResult delivered() {
    return new ReplayResult(trace, ENDPOINT, 2, 35, 1, Map.of(1, 1L, 7, 1L), OptionalLong.empty(), Duration.ZERO);
  }

  @Test
  void passesOnARealReplay() throws Exception {
    try (RecordingSink sink = new RecordingSink().startInMemory(); SeqPacketChannel channel = sink.connect()) {
      ReplayResult result = TraceReplayer.of(TestTraces.SHELL_COMMON).replayTo(channel);

      assertThat(result)
          .deliveredAll()
          .sinkAnsweredVersion(1)
          .hasSentMessages(444)
          .hasSentMessagesOf(MessageType.SYSCALL_OPEN, 210)
          .hasSentBytes(Files.size(TestTraces.SHELL_COMMON) - 37 - 444 * 8);
    }
  }

  @Test
  void passesOnAnEarlyCloseWhereExpected() {
    assertThat(closedAtTwo()).sinkClosedAtMessage(2).hasSentMessages(1);
  }

  @Nested
  class Failures {

    @Test
    void anEarlyCloseShowsTheRefusedMessageDecoded() {
      assertThatThrownBy(() -> assertThat(closedAtTwo()).deliveredAll())
          .hasMessage(("%nExpecting the replay of:%n  %s%ninto:%n  /tmp/sink.sock%nto deliver every message but the"
              + " sink closed the connection at message 2 (1 delivered), which is:%n"
              + "  record 2 (byte offset 57): E Open pathname: \"/etc/shadow\" ").formatted(trace));
    }

    @Test
    void anEarlyCloseElsewhereShowsWhere() {
      assertThatThrownBy(() -> assertThat(closedAtTwo()).sinkClosedAtMessage(1))
          .isInstanceOf(AssertionFailedError.class)
          .hasMessage(("%nExpecting the replay of:%n  %s%ninto:%n  /tmp/sink.sock%nto end with the sink closing the"
              + " connection at message 1 but it closed it at message 2, which is:%n"
              + "  record 2 (byte offset 57): E Open pathname: \"/etc/shadow\" ").formatted(trace));
    }

    @Test
    void noEarlyCloseWhenOneWasExpected() {
      assertThatThrownBy(() -> assertThat(delivered()).sinkClosedAtMessage(1))
          .hasMessage(("%nExpecting the replay of:%n  %s%ninto:%n  /tmp/sink.sock%nto end with the sink closing the"
              + " connection at message 1 but every message (2) was delivered").formatted(trace));
    }

    @Test
    void anotherHandshakeVersion() {
      assertThatThrownBy(() -> assertThat(delivered()).sinkAnsweredVersion(2))
          .isInstanceOf(AssertionFailedError.class)
          .hasMessage("%nExpecting the sink at:%n  /tmp/sink.sock%nto answer the handshake with version 2 but it"
              .formatted() + " answered 1");
    }

    @Test
    void otherCounts() {
      assertThatThrownBy(() -> assertThat(delivered()).hasSentMessages(3))
          .hasMessage("%nExpecting the replay of:%n  %s%nto send 3 messages but it sent 2".formatted(trace));
      assertThatThrownBy(() -> assertThat(delivered()).hasSentMessagesOf(MessageType.SYSCALL_READ, 1))
          .hasMessage("%nExpecting the replay of:%n  %s%nto send 1 messages of type SYSCALL_READ but it sent 0"
              .formatted(trace));
      assertThatThrownBy(() -> assertThat(delivered()).hasSentBytes(36))
          .hasMessage("%nExpecting the replay of:%n  %s%nto send 36 bytes but it sent 35".formatted(trace));
    }

    @Test
    void aMissingResult() {
      assertThatThrownBy(() -> assertThat((ReplayResult) null).deliveredAll())
          .hasMessage("%nExpecting actual not to be null".formatted());
    }
  }
}
