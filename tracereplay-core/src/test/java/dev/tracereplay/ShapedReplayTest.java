package dev.tracereplay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.tracereplay.channel.InMemorySeqPacketChannel;
import dev.tracereplay.file.TraceFiles;
import dev.tracereplay.points.TracePoints;
import dev.tracereplay.points.container.Start;
import dev.tracereplay.points.syscall.Open;
import dev.tracereplay.replay.Fault;
import dev.tracereplay.replay.MessageRange;
import dev.tracereplay.replay.ShapeException;
import dev.tracereplay.internal.wire.Handshake;
import dev.tracereplay.wire.MessageHeader;
import dev.tracereplay.wire.MessageType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every fault and selection over a real socket into {@link RawSink}, which keeps each packet as
 * it arrived: the tests compare those bytes with the recording's, byte for byte.
 */
@Timeout(60)
class ShapedReplayTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  /** dropped_count of the last recorded message: the next drop wraps the counter. */
  static final long LAST_DROPPED_COUNT = 0xFFFF_FFFFL;

  @TempDir Path dir;
  /** The recorded packets: a Start, then Opens of /file-2 to /file-6; message 6 counts 2^32-1 drops. */
  List<byte[]> recorded;
  TraceReplayer replayer;
  int sinks;

  @BeforeEach
  void writeTrace() throws IOException {
    recorded = new ArrayList<>();
    recorded.add(packet(Start.newBuilder().setId("sandbox").build(), 0));
    for (int i = 2; i <= 6; i++) {
      recorded.add(packet(Open.newBuilder().setSysno(257).setPathname("/file-" + i).build(),
          i == 6 ? LAST_DROPPED_COUNT : 0));
    }
    TraceFiles file = TraceFiles.withHeader();
    recorded.forEach(file::record);
    replayer = TraceReplayer.of(Files.write(dir.resolve("client-0001"), file.bytes()));
  }

  static byte[] packet(com.google.protobuf.Message payload, long droppedCount) {
    ByteBuffer packet = TracePoints.encode(payload, droppedCount);
    byte[] bytes = new byte[packet.remaining()];
    packet.get(bytes);
    return bytes;
  }

  /** Message {@code number} as recorded, with {@code dropped} added to its dropped_count. */
  byte[] adjusted(int number, long dropped) {
    byte[] packet = recorded.get(number - 1).clone();
    ByteBuffer header = ByteBuffer.wrap(packet).order(ByteOrder.LITTLE_ENDIAN);
    header.putInt(4, (int) (MessageHeader.droppedCount(header, 0) + dropped));
    return packet;
  }

  /** What the sink received of a replay by {@code shaped}. */
  List<byte[]> received(TraceReplayer shaped) throws Exception {
    return session(shaped).packets;
  }

  record Session(ReplayResult result, byte[] handshake, List<byte[]> packets) {}

  Session session(TraceReplayer shaped) throws Exception {
    Path endpoint = dir.resolve("sink-" + ++sinks + ".sock");
    try (RawSink sink = RawSink.listen(endpoint)) {
      ReplayResult result = shaped.replayTo(endpoint);
      return new Session(result, sink.handshake(WAIT), sink.awaitSession(WAIT));
    }
  }

  @Test
  void asRecordedEveryPacketArrivesByteForByte() throws Exception {
    Session session = session(replayer);

    assertThat(session.packets).containsExactlyElementsOf(recorded);
    assertThat(session.handshake).containsExactly(0x08, 0x01);
    assertThat(session.result.messagesSelected()).isEqualTo(6);
    assertThat(session.result.messagesDropped()).isZero();
  }

  @Nested
  class Drops {

    @Test
    void aDroppedRangeIsNotSentAndEveryLaterHeaderCountsIt() throws Exception {
      Session session = session(replayer.withFaults(Fault.drop(2, 3)));

      assertThat(session.packets).containsExactly(recorded.get(0), adjusted(4, 2), adjusted(5, 2), adjusted(6, 2));
      assertThat(session.result.messagesDropped()).isEqualTo(2);
      assertThat(session.result.messagesSent()).isEqualTo(4);
      assertThat(session.result.messagesSelected()).isEqualTo(6);
    }

    @Test
    void theCountIsARunningTotalAsRunscKeepsItAndWrapsAt2To32() throws Exception {
      List<byte[]> packets = received(replayer.withFaults(Fault.drop(2), Fault.drop(4, 5)));

      assertThat(packets).containsExactly(recorded.get(0), adjusted(3, 1), adjusted(6, 3));
      // 2^32-1 recorded, 3 more dropped: the 32-bit counter wraps to 2.
      assertThat(MessageHeader.droppedCount(ByteBuffer.wrap(packets.get(2)), 0)).isEqualTo(2);
    }

    @Test
    void aRandomDropIsTheSameForTheSameSeedAndCountedTheSameWay() throws Exception {
      Path big = bigTrace(500);
      TraceReplayer random = TraceReplayer.of(big).withFaults(Fault.dropRandomly(30));

      Session first = session(random.withSeed(7));
      Session again = session(random.withSeed(7));
      Session other = session(random.withSeed(8));

      assertThat(again.packets).containsExactlyElementsOf(first.packets);
      assertThat(other.packets).isNotEqualTo(first.packets);
      long dropped = first.result.messagesDropped();
      assertThat(dropped).isBetween(100L, 200L); // 30% of 500, give or take; fixed by the seed
      assertThat(first.packets).hasSize(500 - (int) dropped);
      long lastCount = MessageHeader.droppedCount(ByteBuffer.wrap(first.packets.get(first.packets.size() - 1)), 0);
      assertThat(lastCount).isLessThanOrEqualTo(dropped).isGreaterThan(dropped - 10);
    }

    @Test
    void aDropOfAMessageTheSelectionLeavesOutDoesNothing() throws Exception {
      Session session = session(replayer.withMessages(MessageRange.of(3, 6)).withFaults(Fault.drop(2)));

      assertThat(session.packets).containsExactlyElementsOf(recorded.subList(2, 6));
      assertThat(session.result.messagesDropped()).isZero();
    }
  }

  /** A trace of {@code count} Opens, each with a pathname of its own. */
  Path bigTrace(int count) throws IOException {
    TraceFiles file = TraceFiles.withHeader();
    for (int i = 1; i <= count; i++) {
      file.record(packet(Open.newBuilder().setPathname("/" + i).build(), 0));
    }
    return Files.write(dir.resolve("big-" + count), file.bytes());
  }

  @Nested
  class Alterations {

    @Test
    void corruptKeepsTheHeaderAndLeavesAPayloadThatDoesNotParse() throws Exception {
      Session session = session(replayer.withFaults(Fault.corrupt(3)));
      byte[] corrupt = session.packets.get(2);
      byte[] original = recorded.get(2);

      assertThat(corrupt).hasSameSizeAs(original);
      assertThat(Arrays.copyOf(corrupt, 8)).containsExactly(Arrays.copyOf(original, 8));
      byte[] payload = Arrays.copyOfRange(corrupt, 8, corrupt.length);
      assertThat(payload).containsOnly(0xFF);
      assertThatThrownBy(() -> TracePoints.parser(MessageType.SYSCALL_OPEN).parseFrom(payload))
          .isInstanceOf(InvalidProtocolBufferException.class);
      assertThat(session.packets).element(3).isEqualTo(recorded.get(3));
      assertThat(session.result.messagesAltered()).isEqualTo(1);
    }

    @Test
    void shortSendsTheFirstFiveBytesOfThePacketAsItWouldOtherwiseBeSent() throws Exception {
      List<byte[]> packets = received(replayer.withFaults(Fault.drop(1), Fault.shortPacket(4)));

      assertThat(packets).containsExactly(adjusted(2, 1), adjusted(3, 1), Arrays.copyOf(adjusted(4, 1), 5),
          adjusted(5, 1), adjusted(6, 1));
    }

    @Test
    void badHeaderSetsHeaderSizeBeyondThePacket() throws Exception {
      byte[] bad = received(replayer.withFaults(Fault.badHeader(2))).get(1);
      byte[] expected = recorded.get(1).clone();
      ByteBuffer.wrap(expected).order(ByteOrder.LITTLE_ENDIAN).putShort(0, (short) (expected.length + 1));

      assertThat(bad).containsExactly(expected);
      assertThat(MessageHeader.malformation(ByteBuffer.wrap(bad))).contains("beyond the end");
    }

    @Test
    void unknownTypeSetsTheTypeTo999() throws Exception {
      Session session = session(replayer.withFaults(Fault.unknownType(2)));
      byte[] expected = recorded.get(1).clone();
      ByteBuffer.wrap(expected).order(ByteOrder.LITTLE_ENDIAN).putShort(2, (short) 999);

      assertThat(session.packets.get(1)).containsExactly(expected);
      assertThat(session.result.messagesByType()).containsEntry(999, 1L).containsEntry(7, 4L);
    }

    @Test
    void oversizePadsWithZerosToOneMebibytePlusOne() throws Exception {
      Session session = session(replayer.withFaults(Fault.oversize(2)));
      byte[] big = session.packets.get(1);
      byte[] original = recorded.get(1);

      assertThat(big).hasSize((1 << 20) + 1);
      assertThat(Arrays.copyOf(big, original.length)).containsExactly(original);
      assertThat(Arrays.copyOfRange(big, original.length, big.length)).containsOnly(0);
      assertThat(session.result.bytesSent()).isEqualTo(totalSize() - original.length + (1 << 20) + 1);
    }

    @Test
    void combinedFaultsApplyInTheirOrderToOnePacket() throws Exception {
      List<byte[]> packets = received(replayer.withFaults(Fault.shortPacket(3), Fault.unknownType(3), Fault.drop(2)));
      byte[] expected = Arrays.copyOf(adjusted(3, 1), 5);
      ByteBuffer.wrap(expected).order(ByteOrder.LITTLE_ENDIAN).putShort(2, (short) 999);

      assertThat(packets.get(1)).containsExactly(expected);
    }
  }

  long totalSize() {
    return recorded.stream().mapToLong(packet -> packet.length).sum();
  }

  @Nested
  class TheSession {

    @Test
    void closeEndsTheConnectionRightAfterTheMessageAndSendsNothingAfterIt() throws Exception {
      Session session = session(replayer.withFaults(Fault.closeAfter(3)));

      assertThat(session.packets).containsExactlyElementsOf(recorded.subList(0, 3));
      assertThat(session.result.closedOnPurpose()).isTrue();
      assertThat(session.result.closedAfterMessage()).hasValue(3);
      assertThat(session.result.deliveredAll()).isTrue();
    }

    @Test
    void closeAfterADroppedMessageClosesAtItsPosition() throws Exception {
      Session session = session(replayer.withFaults(Fault.drop(3), Fault.closeAfter(3)));

      assertThat(session.packets).containsExactlyElementsOf(recorded.subList(0, 2));
      assertThat(session.result.closedAfterMessage()).hasValue(3);
    }

    @Test
    void aHandshakeFaultAnnouncesAnotherVersion() throws Exception {
      ByteBuffer expected = Handshake.encode(300);

      assertThat(ByteBuffer.wrap(session(replayer.withFaults(Fault.handshakeVersion(300))).handshake))
          .isEqualTo(expected);
    }

    @Test
    void aSinkThatRefusesTheHandshakeFaultsVersionEndsTheReplayAsTheFaultIntends() throws Exception {
      Path endpoint = dir.resolve("refusing.sock");
      try (RefusingSink sink = RefusingSink.listen(endpoint, 1)) {
        ReplayResult result = replayer.withFaults(Fault.handshakeVersion(300)).replayTo(endpoint);

        assertThat(sink.clientVersion(WAIT)).isEqualTo(300);
        assertThat(sink.refused(WAIT)).isTrue();
        assertThat(result.closedAfterHandshakeFault()).isTrue();
        assertThat(result.messagesSent()).isZero();
        assertThat(result.sinkVersion()).isZero();
        assertThat(result.sinkClosedAtMessage()).isEmpty();
        assertThat(result.deliveredAll()).isFalse();
        assertThat(result).hasToString("ReplayResult[" + replayer.trace() + " -> " + endpoint + ": 0 messages, 0 bytes,"
            + " sink version 0, the sink closed the connection after the handshake fault, as expected]");
      }
    }

    @Test
    void theProjectsOwnSinkRefusingVersion0IsTheFaultsExpectedAnswerToo() throws Exception {
      try (dev.tracereplay.testing.RecordingSink sink = new dev.tracereplay.testing.RecordingSink()
          .start(dir.resolve("recording.sock"))) {
        ReplayResult result = replayer.withFaults(Fault.handshakeVersion(0)).replayTo(sink.endpoint());

        assertThat(result.closedAfterHandshakeFault()).isTrue();
        assertThat(result.messagesSent()).isZero();
        assertThat(sink.messages()).isEmpty();
      }
    }

    @Test
    void aSinkThatTakesTheFaultsVersionGetsEverythingAndNothingSaysItClosed() throws Exception {
      Path endpoint = dir.resolve("taking.sock");
      try (RefusingSink sink = RefusingSink.listen(endpoint, 300)) {
        ReplayResult result = replayer.withFaults(Fault.handshakeVersion(300)).replayTo(endpoint);

        assertThat(sink.refused(WAIT)).isFalse();
        assertThat(result.closedAfterHandshakeFault()).isFalse();
        assertThat(result.messagesSent()).isEqualTo(6);
        assertThat(result.deliveredAll()).isTrue();
      }
    }

    @Test
    void withoutAHandshakeFaultASinkClosingAtTheHandshakeIsStillAFailure() throws Exception {
      Path endpoint = dir.resolve("strict.sock");
      try (RefusingSink sink = RefusingSink.listen(endpoint, 300)) {
        assertThatThrownBy(() -> replayer.replayTo(endpoint)).isInstanceOf(ReplayException.class)
            .hasMessageContaining("closed the connection instead of answering the handshake");
        assertThat(sink.refused(WAIT)).isTrue();
      }
    }

    @Test
    void aCombinationOfDropsAlterationsAndACloseDeliversExactlyThat() throws Exception {
      Session session = session(replayer.withFaults(Fault.drop(2), Fault.corrupt(4), Fault.shortPacket(4),
          Fault.closeAfter(5), Fault.stall(5, Duration.ofMillis(1))));

      byte[] corruptShort = adjusted(4, 1);
      Arrays.fill(corruptShort, 8, corruptShort.length, (byte) 0xFF);
      assertThat(session.packets).containsExactly(recorded.get(0), adjusted(3, 1), Arrays.copyOf(corruptShort, 5),
          adjusted(5, 1));
      assertThat(session.result).satisfies(result -> {
        assertThat(result.messagesSent()).isEqualTo(4);
        assertThat(result.messagesDropped()).isEqualTo(1);
        assertThat(result.messagesAltered()).isEqualTo(1);
        assertThat(result.closedAfterMessage()).hasValue(5);
      });
    }
  }

  @Nested
  class Selection {

    @Test
    void byTypeSendsTheSelectedMessagesByteForByteWithHeadersUntouched() throws Exception {
      Session session = session(replayer.withTypes(MessageType.SYSCALL_OPEN));

      assertThat(session.packets).containsExactlyElementsOf(recorded.subList(1, 6));
      assertThat(session.result.messagesSelected()).isEqualTo(5);
      assertThat(session.result.messagesDropped()).isZero();
    }

    @Test
    void byRangeSendsThoseMessagesOnly() throws Exception {
      assertThat(received(replayer.withMessages(MessageRange.of(2, 3)))).containsExactlyElementsOf(recorded.subList(1, 3));
      assertThat(received(replayer.withMessages(MessageRange.startingAt(5)))).containsExactlyElementsOf(recorded.subList(4, 6));
    }

    @Test
    void byUnknownTypeNumber() throws Exception {
      TraceFiles file = TraceFiles.withHeader().record(recorded.get(0)).record(TraceFiles.packet(3));
      byte[] unknown = TraceFiles.packet(4);
      ByteBuffer.wrap(unknown).order(ByteOrder.LITTLE_ENDIAN).putShort(2, (short) 999);
      Path trace = Files.write(dir.resolve("unknown"), file.record(unknown).bytes());

      assertThat(received(TraceReplayer.of(trace).withTypeNumbers(999))).containsExactly(unknown);
    }

    @Test
    void faultsCountPositionsInTheFileWhateverIsSelected() throws Exception {
      List<byte[]> packets = received(replayer.withTypes(MessageType.SYSCALL_OPEN).withFaults(Fault.corrupt(2)));

      assertThat(packets.get(0)).isNotEqualTo(recorded.get(1)).startsWith(Arrays.copyOf(recorded.get(1), 8));
      assertThat(packets.subList(1, 5)).containsExactlyElementsOf(recorded.subList(2, 6));
    }
  }

  @Nested
  class InMemory {

    @Test
    void everyFaultArrivesAsOverASocket() throws Exception {
      TraceReplayer shaped = replayer.withFaults(Fault.drop(2), Fault.corrupt(3), Fault.badHeader(4),
          Fault.unknownType(5), Fault.oversize(6), Fault.handshakeVersion(2));
      Session overSocket = session(shaped);

      InMemorySeqPacketChannel.Pair pair = InMemorySeqPacketChannel.pair();
      CompletableFuture<List<byte[]>> sink = CompletableFuture.supplyAsync(() -> drain(pair.server()));
      ReplayResult result = shaped.replayTo(pair.client());
      pair.client().close();

      assertThat(sink.get()).containsExactlyElementsOf(overSocket.packets);
      assertThat(result.bytesSent()).isEqualTo(overSocket.result.bytesSent());
    }

    @Test
    void shortAndCloseToo() throws Exception {
      TraceReplayer shaped = replayer.withFaults(Fault.shortPacket(2), Fault.closeAfter(4));
      InMemorySeqPacketChannel.Pair pair = InMemorySeqPacketChannel.pair();
      CompletableFuture<List<byte[]>> sink = CompletableFuture.supplyAsync(() -> drain(pair.server()));

      assertThat(shaped.replayTo(pair.client()).closedOnPurpose()).isTrue();

      assertThat(sink.get()).containsExactlyElementsOf(received(shaped));
    }

    private List<byte[]> drain(InMemorySeqPacketChannel server) {
      try {
        ByteBuffer buffer = ByteBuffer.allocate(4 << 20);
        server.receive(buffer);
        server.send(ByteBuffer.wrap(new byte[] {0x08, 0x01}));
        List<byte[]> packets = new ArrayList<>();
        while (true) {
          buffer.clear();
          if (server.receive(buffer) < 0) {
            return packets;
          }
          packets.add(Arrays.copyOf(buffer.array(), buffer.position()));
        }
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  @Test
  void aSinkClosingAfterAMalformedPacketEndsTheReplayNormally() throws Exception {
    Path endpoint = dir.resolve("closing.sock");
    Path big = bigTrace(5000);
    try (var listener = dev.tracereplay.channel.UnixSeqPacketListener.bind(endpoint)) {
      CompletableFuture<Void> sink = CompletableFuture.runAsync(() -> {
        try (var client = listener.accept()) {
          ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
          client.receive(buffer);
          client.send(ByteBuffer.wrap(new byte[] {0x08, 0x01}));
          for (int i = 0; i < 3; i++) {
            buffer.clear();
            client.receive(buffer); // messages 1 and 2, then the short one: the sink hangs up
          }
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });

      ReplayResult result = TraceReplayer.of(big).withFaults(Fault.shortPacket(3)).replayTo(endpoint);
      sink.get();

      assertThat(result.sinkClosedAtMessage()).isPresent();
      assertThat(result.sinkClosedAtMessage().getAsLong()).isGreaterThan(3);
      assertThat(result.messagesAltered()).isEqualTo(1);
    }
  }

  @Test
  void contradictoryFaultsAreRefusedWhenSet() {
    assertThatThrownBy(() -> replayer.withFaults(Fault.dropRandomly(5), Fault.dropRandomly(10)))
        .isInstanceOf(ShapeException.class)
        .hasMessage("only one drop~P% fault may be given, found drop~5% and drop~10%");
    assertThatThrownBy(() -> replayer.withFaults(Fault.oversize(2), Fault.badHeader(2)))
        .isInstanceOf(ShapeException.class)
        .hasMessageStartingWith("bad-header@2 and oversize@2 cannot be combined");
  }
}
