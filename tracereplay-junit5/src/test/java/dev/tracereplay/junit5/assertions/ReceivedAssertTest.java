package dev.tracereplay.junit5.assertions;

import static dev.tracereplay.junit5.assertions.TraceReplayAssertions.assertThatReceived;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Message;
import dev.tracereplay.TraceReplayer;
import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.junit5.TestTraces;
import dev.tracereplay.points.TraceMessage;
import dev.tracereplay.points.TraceMessageHandler;
import dev.tracereplay.points.TracePoints;
import dev.tracereplay.points.container.Start;
import dev.tracereplay.points.syscall.Open;
import dev.tracereplay.server.SinkServer;
import dev.tracereplay.testing.RecordingSink;
import dev.tracereplay.wire.MessageType;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Assertions on what any sink received: a handler's own copies as well as a RecordingSink's messages. */
class ReceivedAssertTest {
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final Start START = Start.newBuilder().setId("c1").build();
  static final Open SHADOW = Open.newBuilder().setPathname("/etc/shadow").build();
  static final Open PASSWD = Open.newBuilder().setPathname("/etc/passwd").build();

  private static TraceMessage message(Message payload, long droppedCount, long number) throws IOException {
    return TraceMessage.wrap(TracePoints.encode(payload, droppedCount), number);
  }

  @Test
  void assertsWhatASinkOfItsOwnKeptOverARealSocket(@TempDir Path dir) throws Exception {
    // A sink that is no RecordingSink: a handler keeping a copy of each message.
    List<TraceMessage> kept = new CopyOnWriteArrayList<>();
    Path endpoint = Path.of("/tmp").resolve("ra-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".sock");
    TraceReplayer replayer = TraceReplayer.of(TestTraces.SHELL_COMMON);
    try (SinkServer sink = SinkServer.builder(TraceMessageHandler.perClient(client -> message -> kept.add(message.copy())))
        .endpoint(endpoint).start()) {
      replayer.replayTo(endpoint);
      assertThat(sink.awaitNoClients(TIMEOUT)).isTrue();
    }

    assertThatReceived(kept)
        .hasMessageCount(444)
        .hasMessageCountOf(MessageType.SYSCALL_OPEN, 210)
        .containsType(MessageType.CONTAINER_START, MessageType.SYSCALL_OPEN)
        .doesNotContainType(MessageType.SYSCALL_PTRACE)
        .hasNoDroppedPoints()
        .isTraceOf(replayer)
        .payloadsOf(Open.class).hasSize(210);
  }

  @Test
  void assertsARecordingSinksMessages() throws Exception {
    TraceReplayer replayer = TraceReplayer.of(TestTraces.TRUE_START);
    try (RecordingSink sink = new RecordingSink().startInMemory(); SeqPacketChannel channel = sink.connect()) {
      replayer.replayTo(channel);
      sink.awaitMessages(1, TIMEOUT);

      assertThatReceived(sink).hasMessageCount(1).isTraceOf(replayer)
          .payloadsOf(Start.class).extracting(Start::getId).containsExactly("runsc-409429");
    }
  }

  @Test
  void failuresShowTheFirstOffendingMessageDecoded() throws IOException {
    List<TraceMessage> received = List.of(message(START, 0, 1), message(SHADOW, 3, 2), message(PASSWD, 0, 3));

    assertThatThrownBy(() -> assertThatReceived(received).hasNoDroppedPoints())
        .hasMessageContaining("Expecting no dropped points in the received messages but dropped_count is 3 at:")
        .hasMessageContaining("message 2: ")
        .hasMessageContaining("/etc/shadow");
    assertThatThrownBy(() -> assertThatReceived(received).doesNotContainType(MessageType.SYSCALL_OPEN))
        .hasMessageContaining("but they do, first:")
        .hasMessageContaining("message 2: ");
    assertThatThrownBy(() -> assertThatReceived(received).hasMessageCountOf(MessageType.SYSCALL_OPEN, 1))
        .hasMessageContaining("Expecting 1 messages of type SYSCALL_OPEN to be received but 2 were; per type:")
        .hasMessageContaining("CONTAINER_START=1, SYSCALL_OPEN=2");
    assertThatThrownBy(() -> assertThatReceived(received).containsType(MessageType.SYSCALL_READ))
        .hasMessageContaining("but none was of:%n  [SYSCALL_READ]".formatted());
    assertThatThrownBy(() -> assertThatReceived(received).payloadsOf(Open.class).extracting(Open::getPathname)
        .containsExactly("/etc/passwd"))
        .hasMessageContaining("/etc/shadow");
  }

  @Test
  void isTraceOfFailsOnTheFirstDifferentMessage() throws IOException {
    List<TraceMessage> received = List.of(message(SHADOW, 0, 1));

    assertThatThrownBy(() -> assertThatReceived(received).isTraceOf(TraceReplayer.of(TestTraces.TRUE_START)))
        .hasMessageContaining("but received message 1 differs");
  }

  @Test
  void softAssertionsProxyIt() throws IOException {
    List<TraceMessage> received = List.of(message(START, 0, 1));
    SoftAssertions softly = new SoftAssertions();

    softly.proxy(ReceivedAssert.class, List.class, received).hasMessageCount(2).hasNoDroppedPoints()
        .containsType(MessageType.SYSCALL_OPEN);

    assertThat(softly.errorsCollected()).hasSize(2);
  }
}
