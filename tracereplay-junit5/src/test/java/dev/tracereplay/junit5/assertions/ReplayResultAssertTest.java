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
    return new ReplayResult(trace, ENDPOINT, 1, 12, 1, Map.of(1, 1L), OptionalLong.of(2), Duration.ZERO, 2, 0, 0,
        OptionalLong.empty());
  }

  private ReplayResult delivered() {
    return new ReplayResult(trace, ENDPOINT, 2, 35, 1, Map.of(1, 1L, 7, 1L), OptionalLong.empty(), Duration.ZERO, 2, 0,
        0, OptionalLong.empty());
  }

  /** A sink that closed at the handshake, after a handshake-version fault: nothing sent, no failed send. */
  private ReplayResult closedAtHandshake() {
    return new ReplayResult(trace, ENDPOINT, 0, 0, 0, Map.of(), OptionalLong.empty(), Duration.ZERO, 2, 0, 0,
        OptionalLong.empty(), true);
  }

  @Test
  void deliveredAllFailsNamingTheHandshakeWhenTheSinkClosedThere() {
    assertThatThrownBy(() -> assertThat(closedAtHandshake()).deliveredAll())
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("closed the connection at the handshake, after a handshake-version fault");
  }

  /** A shaped replay: 1 of 2 dropped, then closed on purpose after message 2. */
  private ReplayResult shaped() {
    return new ReplayResult(trace, ENDPOINT, 1, 12, 1, Map.of(1, 1L), OptionalLong.empty(), Duration.ZERO, 2, 1, 0,
        OptionalLong.of(2));
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
    assertThat(closedAtTwo()).sinkClosedEarly().hasSentMessages(1);
  }

  @Test
  void passesOnAShapedReplay() throws Exception {
    assertThat(shaped()).deliveredAll().closedOnPurposeAfter(2).hasSelectedMessages(2).hasDroppedMessages(1)
        .hasAlteredMessages(0);
    try (RecordingSink sink = new RecordingSink().startInMemory(); SeqPacketChannel channel = sink.connect()) {
      ReplayResult result = TraceReplayer.of(TestTraces.SHELL_COMMON)
          .withFaults(dev.tracereplay.replay.Fault.drop(2, 3), dev.tracereplay.replay.Fault.corrupt(5),
              dev.tracereplay.replay.Fault.closeAfter(10))
          .replayTo(channel);

      assertThat(result).deliveredAll().closedOnPurposeAfter(10).hasSelectedMessages(10).hasDroppedMessages(2)
          .hasAlteredMessages(1).hasSentMessages(8);
    }
  }

  @Nested
  class Failures {

    @Test
    void anEarlyCloseShowsTheRefusedMessageDecoded() {
      assertThatThrownBy(() -> assertThat(closedAtTwo()).deliveredAll())
          .hasMessage(("%nExpecting the replay of:%n  %s%ninto:%n  /tmp/sink.sock%nto send every message but the sink had"
              + " closed the connection: sending message 2 failed, after 1 sent (the kernel buffers sent messages, so"
              + " the sink may have closed while reading any of them). Message 2 is:%n"
              + "  record 2 (byte offset 57): E Open pathname: \"/etc/shadow\" ").formatted(trace));
    }

    @Test
    void noEarlyCloseWhenOneWasExpected() {
      assertThatThrownBy(() -> assertThat(delivered()).sinkClosedEarly())
          .hasMessage(("%nExpecting the replay of:%n  %s%ninto:%n  /tmp/sink.sock%nto find the connection closed by the"
              + " sink but every send went through (2 messages sent; a sink that closes after the last send is not"
              + " noticed)").formatted(trace));
    }

    @Test
    void aCloseOnPurposeElsewhereOrNone() {
      assertThatThrownBy(() -> assertThat(shaped()).closedOnPurposeAfter(3))
          .isInstanceOf(AssertionFailedError.class)
          .hasMessage("%nExpecting the replay of:%n  %s%nto close the connection on purpose after message 3 but it"
              .formatted(trace) + " closed it after message 2");
      assertThatThrownBy(() -> assertThat(delivered()).closedOnPurposeAfter(3))
          .hasMessage("%nExpecting the replay of:%n  %s%nto close the connection on purpose after message 3 but no"
              .formatted(trace) + " close fault was reached (2 messages sent)");
    }

    @Test
    void otherShapeCounts() {
      assertThatThrownBy(() -> assertThat(shaped()).hasDroppedMessages(2))
          .isInstanceOf(AssertionFailedError.class)
          .hasMessage("%nExpecting the replay of:%n  %s%nto drop 2 messages but it dropped 1".formatted(trace));
      assertThatThrownBy(() -> assertThat(shaped()).hasAlteredMessages(1))
          .hasMessage("%nExpecting the replay of:%n  %s%nto alter 1 messages but it altered 0".formatted(trace));
      assertThatThrownBy(() -> assertThat(shaped()).hasSelectedMessages(3))
          .hasMessage("%nExpecting the replay of:%n  %s%nto select 3 messages but it selected 2".formatted(trace));
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
