package dev.tracereplay.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracereplay.Fixtures;
import dev.tracereplay.ReplayResult;
import dev.tracereplay.TraceReplayer;
import dev.tracereplay.channel.InMemorySeqPacketListener;
import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.file.TraceFiles;
import dev.tracereplay.points.DecodeResult;
import dev.tracereplay.points.TracePoints;
import dev.tracereplay.points.container.Start;
import dev.tracereplay.points.syscall.Open;
import dev.tracereplay.server.CloseReason;
import dev.tracereplay.wire.MessageHeader;
import dev.tracereplay.wire.MessageType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class RecordingSinkTest {
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path dir;

  private Path shellCommon;
  private Path trueStart;

  @BeforeEach
  void copyFixtures() {
    shellCommon = Fixtures.copy("shell-common.trace", dir);
    trueStart = Fixtures.copy("true-start.trace", dir);
  }

  @Test
  void recordsEveryMessageOfAReplayOverASocketDecodedWithItsConnectionAndNumber() throws Exception {
    Path endpoint = dir.resolve("sink.sock");
    try (RecordingSink sink = new RecordingSink().start(endpoint)) {
      TraceReplayer.replay(shellCommon, endpoint);

      List<ReceivedMessage> received = sink.awaitMessages(444, TIMEOUT);

      assertThat(received).hasSize(444);
      assertThat(received).extracting(ReceivedMessage::client).containsOnly(1L);
      assertThat(received).extracting(ReceivedMessage::number).startsWith(1L, 2L, 3L).endsWith(444L);
      assertThat(received.get(0).type()).isEqualTo(MessageType.CONTAINER_START);
      assertThat(received.get(0).as(Start.class).getCwd()).isEqualTo("/");
      assertThat(received).allMatch(message -> message.decoded().isDecoded());
      assertThat(received.get(0)).asString().startsWith("client 1, message 1: Start => context_data { ");
      assertThat(received).extracting(message -> message.message().packet()).containsExactlyElementsOf(packets(shellCommon));
      assertThat(sink.endpoint()).isEqualTo(endpoint);
      assertThat(sink.address()).isEqualTo(endpoint.toString());
    }
  }

  @Test
  void recordsAReplayInMemoryAndTheEndOfItsConnection() throws Exception {
    try (RecordingSink sink = new RecordingSink().startInMemory()) {
      try (SeqPacketChannel channel = sink.connect()) {
        TraceReplayer.of(shellCommon).replayTo(channel);
        sink.awaitMessages(444, TIMEOUT);

        assertThat(sink.connections()).singleElement().satisfies(connection -> {
          assertThat(connection.isOpen()).isTrue();
          assertThat(connection).hasToString("client 1 (version 1): 444 messages, open");
        });
        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
            .contains("tracereplay-recording-sink-client-1");
      }

      assertThat(sink.awaitClosedConnections(1, TIMEOUT)).singleElement().satisfies(connection -> {
        assertThat(connection.client()).isEqualTo(1);
        assertThat(connection.clientVersion()).isEqualTo(1);
        assertThat(connection.messages()).isEqualTo(444);
        assertThat(connection.closeReason().kind()).isEqualTo(CloseReason.Kind.PEER_CLOSED);
      });
      assertThat(sink.address()).isEqualTo("in-memory recording sink");
    }
  }

  @Test
  void answersTheHandshakeWithTheConfiguredVersion() throws Exception {
    try (RecordingSink sink = new RecordingSink().handshakeVersion(2).startInMemory();
        SeqPacketChannel channel = sink.connect()) {
      ReplayResult result = TraceReplayer.of(trueStart).replayTo(channel);

      assertThat(result.sinkVersion()).isEqualTo(2);
    }
  }

  @Test
  void keepsPayloadsThatDoNotDecodeWithTheReason() throws Exception {
    Path trace = trace("odd", packet(MessageType.SYSCALL_OPEN.number(), (byte) 0xFF), packet(99, (byte) 1, (byte) 2, (byte) 3),
        TracePoints.encode(Open.newBuilder().setPathname("/etc/hostname").build(), 4));
    try (RecordingSink sink = new RecordingSink().startInMemory(); SeqPacketChannel channel = sink.connect()) {
      TraceReplayer.of(trace).replayTo(channel);

      List<ReceivedMessage> received = sink.awaitMessages(3, TIMEOUT);

      assertThat(received.get(0).decoded()).isInstanceOf(DecodeResult.Undecodable.class);
      assertThat(received.get(1).decoded()).isEqualTo(new DecodeResult.UnknownType(99));
      assertThat(received.get(1)).hasToString("client 1, message 2: Invalid message type: 99");
      assertThat(received.get(2).as(Open.class).getPathname()).isEqualTo("/etc/hostname");
      assertThat(received.get(2).droppedCount()).isEqualTo(4);
    }
  }

  @Test
  void recordsWhyAConnectionThatSentAMalformedMessageWasClosed() throws Exception {
    Path trace = trace("malformed", TracePoints.encode(Open.getDefaultInstance(), 0), ByteBuffer.wrap(new byte[] {1, 2, 3}));
    try (RecordingSink sink = new RecordingSink().startInMemory(); SeqPacketChannel channel = sink.connect()) {
      TraceReplayer.of(trace).withEarlyCloseAllowed(true).replayTo(channel);

      assertThat(sink.awaitClosedConnections(1, TIMEOUT)).singleElement().satisfies(connection -> {
        assertThat(connection.messages()).isEqualTo(1);
        assertThat(connection.closeReason().kind()).isEqualTo(CloseReason.Kind.MALFORMED);
        assertThat(connection.closeReason().detail())
            .isEqualTo("message 2 is malformed: packet of 3 bytes is shorter than the 8-byte message header");
      });
      assertThat(sink.messages()).hasSize(1);
    }
  }

  @Test
  void closesEachConnectionAfterTheConfiguredNumberOfMessages() throws Exception {
    try (RecordingSink sink = new RecordingSink().closeConnectionsAfter(10)
        .start(new InMemorySeqPacketListener("one packet at a time", 1));
        SeqPacketChannel channel = sink.connect()) {
      ReplayResult result = TraceReplayer.of(shellCommon).withEarlyCloseAllowed(true).replayTo(channel);

      assertThat(result.deliveredAll()).isFalse();
      assertThat(sink.awaitClosedConnections(1, TIMEOUT)).singleElement().satisfies(connection -> {
        assertThat(connection.closeReason().kind()).isEqualTo(CloseReason.Kind.LIMIT_REACHED);
        assertThat(connection.closeReason().detail())
            .isEqualTo("closing the connection after 10 messages, as closeConnectionsAfter(10) asks");
      });
      assertThat(sink.messages()).hasSize(10);
    }
  }

  @Test
  void keepsAtMostMaxMessagesAndClosesTheConnectionThatSendsMoreUntilReset() throws Exception {
    assertThat(RecordingSink.DEFAULT_MAX_MESSAGES).isEqualTo(100_000);
    try (RecordingSink sink = new RecordingSink().maxMessages(10)
        .start(new InMemorySeqPacketListener("one packet at a time", 1))) {
      try (SeqPacketChannel channel = sink.connect()) {
        ReplayResult result = TraceReplayer.of(shellCommon).withEarlyCloseAllowed(true).replayTo(channel);
        assertThat(result.deliveredAll()).isFalse();
      }
      assertThat(sink.awaitClosedConnections(1, TIMEOUT)).singleElement().satisfies(connection -> {
        assertThat(connection.messages()).isEqualTo(10);
        assertThat(connection.closeReason().kind()).isEqualTo(CloseReason.Kind.LIMIT_REACHED);
        assertThat(connection.closeReason().detail()).isEqualTo(
            "the recording sink holds 10 messages, its limit; call reset() to free them, or raise maxMessages(int)");
      });
      assertThat(sink.messages()).hasSize(10).extracting(message -> message.message().packet())
          .containsExactlyElementsOf(packets(shellCommon).subList(0, 10));
      assertThatThrownBy(() -> sink.awaitMessages(11, Duration.ofMillis(50))).isInstanceOf(AssertionError.class)
          .hasMessage("expected at least 11 messages within 50 ms but 10 arrived; connections: client 1 (version 1):"
              + " 10 messages, closed: LIMIT_REACHED: the recording sink holds 10 messages, its limit; call reset()"
              + " to free them, or raise maxMessages(int)");

      sink.reset();
      try (SeqPacketChannel channel = sink.connect()) {
        TraceReplayer.of(trueStart).replayTo(channel);
      }
      assertThat(sink.awaitMessages(1, TIMEOUT)).singleElement().extracting(ReceivedMessage::client).isEqualTo(2L);
    }
  }

  @Test
  void resetForgetsMessagesAndEndedConnections() throws Exception {
    try (RecordingSink sink = new RecordingSink().startInMemory()) {
      try (SeqPacketChannel channel = sink.connect()) {
        TraceReplayer.of(trueStart).replayTo(channel);
      }
      sink.awaitClosedConnections(1, TIMEOUT);

      sink.reset();

      assertThat(sink.messages()).isEmpty();
      assertThat(sink.connections()).isEmpty();
      try (SeqPacketChannel channel = sink.connect()) {
        TraceReplayer.of(trueStart).replayTo(channel);
        assertThat(sink.awaitMessages(1, TIMEOUT)).singleElement().extracting(ReceivedMessage::client).isEqualTo(2L);
      }
    }
  }

  @Nested
  class Failures {

    @Test
    void awaitingMessagesThatDoNotComeSaysHowManyArrivedAndHowEachConnectionEnded() throws Exception {
      try (RecordingSink sink = new RecordingSink().startInMemory()) {
        try (SeqPacketChannel channel = sink.connect()) {
          TraceReplayer.of(trueStart).replayTo(channel);
        }
        sink.awaitClosedConnections(1, TIMEOUT);

        assertThatThrownBy(() -> sink.awaitMessages(2, Duration.ofMillis(50))).isInstanceOf(AssertionError.class)
            .hasMessage("expected at least 2 messages within 50 ms but 1 arrived; connections: client 1 (version 1):"
                + " 1 messages, closed: PEER_CLOSED: the client closed the connection");
      }
    }

    @Test
    void awaitingOnAClosedSinkFailsAtOnceAndWhatWasRecordedStaysReadable() throws Exception {
      RecordingSink sink = new RecordingSink().startInMemory();
      try (SeqPacketChannel channel = sink.connect()) {
        TraceReplayer.of(trueStart).replayTo(channel);
        sink.awaitMessages(1, TIMEOUT);
      }
      sink.close();
      sink.close();

      assertThat(sink.messages()).hasSize(1);
      assertThatThrownBy(() -> sink.awaitMessages(2, Duration.ofDays(1))).isInstanceOf(AssertionError.class)
          .hasMessageStartingWith("expected at least 2 messages within 86400000 ms but 1 arrived before the sink was"
              + " closed; connections: client 1 (version 1): 1 messages, closed: ");
      assertThatThrownBy(sink::connect).isInstanceOf(IllegalStateException.class)
          .hasMessage("close() already called; connect before closing the sink");
      assertThatThrownBy(sink::startInMemory).isInstanceOf(IllegalStateException.class)
          .hasMessage("close() already called; use a new RecordingSink");
    }

    @Test
    void usingASinkBeforeStartingItSaysWhatToCall() {
      RecordingSink sink = new RecordingSink();

      assertThatThrownBy(() -> sink.awaitMessages(1, TIMEOUT)).isInstanceOf(IllegalStateException.class)
          .hasMessage("call start(endpoint), start(listener) or startInMemory() first");
      assertThatThrownBy(sink::connect).isInstanceOf(IllegalStateException.class)
          .hasMessage("call start(endpoint), start(listener) or startInMemory() first");
      sink.close();
    }

    @Test
    void aSinkStartsOnceAndIsConfiguredBeforeStarting() throws Exception {
      try (RecordingSink sink = new RecordingSink().startInMemory()) {
        assertThatThrownBy(() -> sink.start(dir.resolve("sink.sock"))).isInstanceOf(IllegalStateException.class)
            .hasMessage("start(...) already called; this sink listens on in-memory recording sink");
        assertThatThrownBy(() -> sink.handshakeVersion(2)).isInstanceOf(IllegalStateException.class)
            .hasMessage("call handshakeVersion(int) before start(...)");
        assertThatThrownBy(sink::endpoint).isInstanceOf(IllegalStateException.class)
            .hasMessage("this sink is in memory and has no endpoint; call connect() for a channel to it");
      }
    }

    @Test
    void maxMessagesIsAtLeastOneAndSetBeforeStarting() throws Exception {
      assertThatThrownBy(() -> new RecordingSink().maxMessages(0)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("maxMessages must be at least 1, was 0");
      try (RecordingSink sink = new RecordingSink().startInMemory()) {
        assertThatThrownBy(() -> sink.maxMessages(5)).isInstanceOf(IllegalStateException.class)
            .hasMessage("call maxMessages(int) before start(...)");
      }
    }

    @Test
    void versionZeroCannotBeAnswered() {
      assertThatThrownBy(() -> new RecordingSink().handshakeVersion(0)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("handshake version must be at least 1, was 0");
    }
  }

  /** The packets of {@code trace}, in order. */
  private static List<ByteBuffer> packets(Path trace) throws IOException {
    return TraceFiles.records(trace).stream().map(ByteBuffer::wrap).toList();
  }

  /** A message of header number {@code type} with this payload, whatever it holds. */
  private static ByteBuffer packet(int type, byte... payload) {
    ByteBuffer packet = ByteBuffer.allocate(MessageHeader.SIZE + payload.length).order(ByteOrder.LITTLE_ENDIAN);
    new MessageHeader(MessageHeader.SIZE, type, 0).writeTo(packet);
    return packet.put(payload).flip();
  }

  /** A trace file in the test's folder holding these packets. */
  private Path trace(String name, ByteBuffer... packets) throws IOException {
    TraceFiles file = TraceFiles.withHeader();
    for (ByteBuffer packet : packets) {
      byte[] bytes = new byte[packet.remaining()];
      packet.duplicate().get(bytes);
      file.record(bytes);
    }
    return Files.write(dir.resolve(name), file.bytes());
  }
}
