package dev.tracereplay.junit5.assertions;

import static dev.tracereplay.junit5.assertions.TraceReplayAssertions.assertThat;
import static dev.tracereplay.junit5.assertions.TraceReplayAssertions.assertThatTrace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Message;
import dev.tracereplay.TraceReplayer;
import dev.tracereplay.file.BadSignatureException;
import dev.tracereplay.junit5.TestTraces;
import dev.tracereplay.junit5.TraceBuilder;
import dev.tracereplay.points.TraceMessage;
import dev.tracereplay.points.TracePoints;
import dev.tracereplay.points.container.Start;
import dev.tracereplay.points.syscall.Open;
import dev.tracereplay.testing.ReceivedMessage;
import dev.tracereplay.wire.MessageType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

class TraceAssertTest {
  static final Start START = Start.newBuilder().setId("c1").build();
  static final Open SHADOW = Open.newBuilder().setPathname("/etc/shadow").build();
  static final Open PASSWD = Open.newBuilder().setPathname("/etc/passwd").build();

  @TempDir Path dir;
  Path trace;

  @BeforeEach
  void buildTrace() throws IOException {
    // Record 2 starts after the 37-byte file header and record 1 (8-byte size, 8-byte header, 4-byte payload).
    trace = TraceBuilder.create().add(START).add(SHADOW, 3).writeTo(dir.resolve("client-0001"));
  }

  private static ReceivedMessage received(Open open, long number) throws IOException {
    return new ReceivedMessage(1, TraceMessage.wrap(TracePoints.encode(open, 0), number));
  }

  private static ReceivedMessage received(Start start) throws IOException {
    return new ReceivedMessage(1, TraceMessage.wrap(TracePoints.encode(start, 0), 1));
  }

  @Test
  void passesOnWhatARealRecordingHolds() throws IOException {
    assertThatTrace(TestTraces.SHELL_COMMON)
        .hasMessageCount(444)
        .hasMessageCountOf(MessageType.SYSCALL_OPEN, 210)
        .containsType(MessageType.CONTAINER_START, MessageType.SYSCALL_OPEN)
        .doesNotContainType(MessageType.SYSCALL_PTRACE)
        .hasNoDroppedPoints()
        .hasVersion(1);
    assertThat(TraceReplayer.of(TestTraces.SHELL_COMMON)).hasMessageCount(444);
  }

  private static TraceMessage message(Message payload, long number) throws IOException {
    return TraceMessage.wrap(TracePoints.encode(payload, 0), number);
  }

  @Test
  void matchesTheMessagesOfAReplayByteForByte() throws IOException {
    Path same = TraceBuilder.create().add(START).add(SHADOW).writeTo(dir.resolve("same"));

    assertThatTrace(same).matchesReceived(List.of(received(START), received(SHADOW, 2)));
  }

  @Test
  void matchesWhatAnySinkReceivedAsMessagesOrAsPackets() throws IOException {
    Path same = TraceBuilder.create().add(START).add(SHADOW).writeTo(dir.resolve("same"));

    assertThatTrace(same).matchesReceivedMessages(List.of(message(START, 1), message(SHADOW, 2)));
    // Packets as a sink holds them, in direct buffers and heap arrays alike, left as they were.
    ByteBuffer first = ByteBuffer.allocateDirect(64).put(TracePoints.encode(START, 0)).flip();
    ByteBuffer second = TracePoints.encode(SHADOW, 0);
    assertThatTrace(same).matchesReceivedPackets(List.of(first, second));
    assertThat(first.position()).isZero();
  }

  @Nested
  class Failures {

    @Test
    void aDifferentCountShowsBothCounts() {
      assertThatThrownBy(() -> assertThatTrace(trace).hasMessageCount(3))
          .isInstanceOf(AssertionFailedError.class)
          .hasMessage("%nExpecting trace:%n  %s%nto have 3 messages but it has 2".formatted(trace))
          .satisfies(error -> assertThat(((AssertionFailedError) error).getActual().getValue()).isEqualTo(2L));
    }

    @Test
    void aDifferentCountOfATypeNamesTheType() {
      assertThatThrownBy(() -> assertThatTrace(trace).hasMessageCountOf(MessageType.SYSCALL_OPEN, 2))
          .hasMessage("%nExpecting trace:%n  %s%nto have 2 messages of type SYSCALL_OPEN but it has 1".formatted(trace));
    }

    @Test
    void aMissingTypeListsTheTypesTheTraceHas() {
      assertThatThrownBy(() -> assertThatTrace(trace).containsType(MessageType.CONTAINER_START, MessageType.SYSCALL_READ))
          .hasMessage(("%nExpecting trace:%n  %s%nto contain messages of types:%n  [CONTAINER_START, SYSCALL_READ]%n"
              + "but it has none of:%n  [SYSCALL_READ]%nIts messages per type:%n  {CONTAINER_START=1, SYSCALL_OPEN=1}")
              .formatted(trace));
    }

    @Test
    void anUnwantedTypeShowsTheFirstMessageOfItDecoded() {
      assertThatThrownBy(() -> assertThatTrace(trace).doesNotContainType(MessageType.SYSCALL_OPEN))
          .hasMessage(("%nExpecting trace:%n  %s%nnot to contain messages of types:%n  [SYSCALL_OPEN]%n"
              + "but it does, first:%n  record 2 (byte offset 57): E Open pathname: \"/etc/shadow\" ").formatted(trace));
    }

    @Test
    void droppedPointsShowTheFirstMessageThatCountsThem() {
      assertThatThrownBy(() -> assertThatTrace(trace).hasNoDroppedPoints())
          .hasMessage(("%nExpecting trace:%n  %s%nto have no dropped points but it has dropped_count 3 at:%n"
              + "  record 2 (byte offset 57): E Open pathname: \"/etc/shadow\" ").formatted(trace));
    }

    @Test
    void aDifferentVersionShowsBoth() throws IOException {
      Path v2 = TraceBuilder.create().version(2).writeTo(dir.resolve("v2"));

      assertThatThrownBy(() -> assertThatTrace(v2).hasVersion(1))
          .hasMessage("%nExpecting trace:%n  %s%nto have version 1 but it has 2".formatted(v2));
    }

    @Test
    void aReceivedMessageThatDiffersIsShownDecodedNextToTheTracesOwn() {
      assertThatThrownBy(() -> assertThatTrace(trace).matchesReceived(List.of(received(START), received(PASSWD, 2))))
          .isInstanceOf(AssertionFailedError.class)
          .hasMessage(("%nExpecting the received messages to be the messages of trace:%n  %s%n"
              + "but received message 2 differs:%n"
              + "  expected record 2 (byte offset 57): E Open pathname: \"/etc/shadow\" %n"
              + "  received client 1, message 2: E Open pathname: \"/etc/passwd\" ").formatted(trace))
          .satisfies(error -> {
            assertThat(((AssertionFailedError) error).getExpected().getValue()).isEqualTo("E Open pathname: \"/etc/shadow\" ");
            assertThat(((AssertionFailedError) error).getActual().getValue()).isEqualTo("E Open pathname: \"/etc/passwd\" ");
          });
    }

    @Test
    void aReceivedTraceMessageThatDiffersIsShownWithItsNumber() {
      assertThatThrownBy(() -> assertThatTrace(trace).matchesReceivedMessages(List.of(message(START, 1),
          message(PASSWD, 2))))
          .isInstanceOf(AssertionFailedError.class)
          .hasMessage(("%nExpecting the received messages to be the messages of trace:%n  %s%n"
              + "but received message 2 differs:%n"
              + "  expected record 2 (byte offset 57): E Open pathname: \"/etc/shadow\" %n"
              + "  received message 2: E Open pathname: \"/etc/passwd\" ").formatted(trace));
    }

    @Test
    void aReceivedPacketThatDiffersIsShownDecodedAndOneThatIsNoMessageSaysWhy() {
      ByteBuffer start = TracePoints.encode(START, 0);
      ByteBuffer shadow = TracePoints.encode(SHADOW, 3);
      ByteBuffer passwd = TracePoints.encode(PASSWD, 3);
      ByteBuffer torn = ByteBuffer.wrap(new byte[] {8, 0, 7});

      assertThatThrownBy(() -> assertThatTrace(trace).matchesReceivedPackets(List.of(start, passwd)))
          .isInstanceOf(AssertionFailedError.class)
          .hasMessage(("%nExpecting the received messages to be the messages of trace:%n  %s%n"
              + "but received message 2 differs:%n"
              + "  expected record 2 (byte offset 57): E Open pathname: \"/etc/shadow\" %n"
              + "  received message 2: E Open pathname: \"/etc/passwd\" ").formatted(trace));
      assertThatThrownBy(() -> assertThatTrace(trace).matchesReceivedPackets(List.of(start, torn)))
          .hasMessage(("%nExpecting the received messages to be the messages of trace:%n  %s%n"
              + "but received message 2 differs:%n"
              + "  expected record 2 (byte offset 57): E Open pathname: \"/etc/shadow\" %n"
              + "  received message 2: not a message: packet of 3 bytes is shorter than the 8-byte message header")
              .formatted(trace));
      assertThatThrownBy(() -> assertThatTrace(trace).matchesReceivedPackets(List.of(start, shadow, torn)))
          .hasMessage(("%nExpecting the received messages to be the messages of trace:%n  %s%n"
              + "but more were received than its 2; the first extra one is:%n"
              + "  message 3: not a message: packet of 3 bytes is shorter than the 8-byte message header")
              .formatted(trace));
      assertThatThrownBy(() -> assertThatTrace(trace).matchesReceivedPackets(List.of(start)))
          .hasMessage(("%nExpecting the received messages to be the messages of trace:%n  %s%n"
              + "but it has more than the 1 received; the first missing is:%n"
              + "  record 2 (byte offset 57): E Open pathname: \"/etc/shadow\" ").formatted(trace));
    }

    @Test
    void aMissingMessageIsShownDecoded() {
      assertThatThrownBy(() -> assertThatTrace(trace).matchesReceived(List.of(received(START))))
          .hasMessage(("%nExpecting the received messages to be the messages of trace:%n  %s%n"
              + "but it has more than the 1 received; the first missing is:%n"
              + "  record 2 (byte offset 57): E Open pathname: \"/etc/shadow\" ").formatted(trace));
    }

    @Test
    void anExtraMessageIsShownDecoded() throws IOException {
      Path one = TraceBuilder.create().add(START).writeTo(dir.resolve("one"));

      assertThatThrownBy(() -> assertThatTrace(one).matchesReceived(List.of(received(START), received(PASSWD, 2))))
          .hasMessage(("%nExpecting the received messages to be the messages of trace:%n  %s%n"
              + "but more were received than its 1; the first extra one is:%n"
              + "  client 1, message 2: E Open pathname: \"/etc/passwd\" ").formatted(one));
    }

    @Test
    void aFileThatIsNotATraceFailsWithTheReadersMessage() throws IOException {
      Path text = Files.writeString(dir.resolve("text"), "not a trace");

      assertThatThrownBy(() -> assertThatTrace(text).hasMessageCount(1))
          .hasMessage(("%nExpecting a readable trace file but:%n  %s: not a tracereplay file: expected the signature"
              + " \"tracereplay file\" but found a file of only 11 bytes (file header, byte offset 0). Pass a file"
              + " written by 'tracereplay save' or gVisor's tracereplay.").formatted(text))
          .hasCauseInstanceOf(BadSignatureException.class);
    }

    @Test
    void aMissingTraceFailsLikeAnyMissingActual() {
      assertThatThrownBy(() -> assertThatTrace(null).hasMessageCount(1))
          .hasMessage("%nExpecting actual not to be null".formatted());
      assertThatThrownBy(() -> assertThat((TraceReplayer) null).hasNoDroppedPoints())
          .hasMessage("%nExpecting actual not to be null".formatted());
    }
  }
}
