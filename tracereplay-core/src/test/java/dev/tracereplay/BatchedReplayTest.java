package dev.tracereplay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.channel.UnixSeqPacketListener;
import dev.tracereplay.file.TraceFiles;
import dev.tracereplay.points.TracePoints;
import dev.tracereplay.points.syscall.Open;
import dev.tracereplay.replay.Fault;
import dev.tracereplay.wire.MessageHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays long enough to take many batches ({@link ReplayRun#BATCH_PACKETS} records per call),
 * over real sockets: what the sink receives is what sending one record per call delivers (a
 * trace read from a pipe goes one by one), byte for byte, also where a fault, a stall or a close
 * cuts a batch; and when the sink closes in the middle of a batch, the result counts only the
 * packets the kernel took.
 */
@Timeout(120)
class BatchedReplayTest {
  static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;
  int sinks;

  /** {@code count} records, each an Open of its own path; every {@code bigEvery}th is 100 KB or more. */
  static List<byte[]> records(int count, int bigEvery) {
    List<byte[]> records = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      String path = bigEvery > 0 && i % bigEvery == 0 ? "/" + i + "/" + "x".repeat(ReplayRun.BATCH_BYTES + i) : "/" + i;
      ByteBuffer packet = TracePoints.encode(Open.newBuilder().setSysno(257).setPathname(path).build(), 0);
      byte[] bytes = new byte[packet.remaining()];
      packet.get(bytes);
      records.add(bytes);
    }
    return records;
  }

  Path trace(List<byte[]> records) throws IOException {
    TraceFiles file = TraceFiles.withHeader();
    records.forEach(file::record);
    return Files.write(dir.resolve("trace-" + records.size()), file.bytes());
  }

  record Session(ReplayResult result, List<byte[]> packets) {}

  Session session(TraceReplayer replayer) throws Exception {
    Path endpoint = dir.resolve("sink-" + ++sinks + ".sock");
    try (RawSink sink = RawSink.listen(endpoint)) {
      ReplayResult result = replayer.replayTo(endpoint);
      return new Session(result, sink.awaitSession(WAIT));
    }
  }

  /** The same replay from a pipe: read once, so sent one record per call. */
  Session unbatched(Path trace, Fault... faults) throws Exception {
    Path fifo = Fifos.fifoOf(trace, dir.resolve("fifo-" + ++sinks));
    return session(TraceReplayer.of(fifo).withFaults(faults));
  }

  @Test
  void aReplayAsRecordedArrivesByteForByteWithBigRecordsBetweenBatches() throws Exception {
    List<byte[]> records = records(3000, 97);
    Path trace = trace(records);

    Session batched = session(TraceReplayer.of(trace));

    assertThat(batched.packets).hasSize(records.size());
    for (int i = 0; i < records.size(); i++) {
      assertThat(batched.packets.get(i)).as("message %d", i + 1).isEqualTo(records.get(i));
    }
    assertThat(batched.result.messagesSent()).isEqualTo(records.size());
    assertThat(batched.result.bytesSent()).isEqualTo(records.stream().mapToLong(r -> r.length).sum());
    assertThat(batched.result.deliveredAll()).isTrue();
    assertThat(unbatched(trace).packets).containsExactlyElementsOf(batched.packets);
  }

  @Test
  void faultsAStallAndACloseCutTheBatchesAndTheSinkGetsExactlyWhatSingleSendsDeliver() throws Exception {
    List<byte[]> records = records(2000, 0);
    Path trace = trace(records);
    // 300 and 700 fall inside the second and third batch; the drop and the close inside others.
    Fault[] faults = {Fault.unknownType(300), Fault.stall(700, Duration.ofMillis(1)), Fault.drop(1000, 1010),
        Fault.closeAfter(1500)};

    Session batched = session(TraceReplayer.of(trace).withFaults(faults));

    List<byte[]> expected = new ArrayList<>();
    for (int number = 1; number <= 1500; number++) {
      if (number >= 1000 && number <= 1010) {
        continue;
      }
      byte[] packet = records.get(number - 1).clone();
      ByteBuffer header = ByteBuffer.wrap(packet).order(ByteOrder.LITTLE_ENDIAN);
      if (number == 300) {
        header.putShort(2, (short) Fault.UNKNOWN_TYPE);
      }
      if (number > 1010) {
        header.putInt(4, (int) (MessageHeader.droppedCount(header, 0) + 11));
      }
      expected.add(packet);
    }
    assertThat(batched.packets).hasSize(expected.size());
    for (int i = 0; i < expected.size(); i++) {
      assertThat(batched.packets.get(i)).as("packet %d", i + 1).isEqualTo(expected.get(i));
    }
    assertThat(batched.result.messagesSent()).isEqualTo(1500 - 11);
    assertThat(batched.result.messagesDropped()).isEqualTo(11);
    assertThat(batched.result.messagesAltered()).isEqualTo(1);
    assertThat(batched.result.closedAfterMessage()).hasValue(1500);
    assertThat(unbatched(trace, faults).packets).containsExactlyElementsOf(batched.packets);
  }

  @Test
  void aSinkClosingInTheMiddleOfABatchLeavesCountsOfWhatTheKernelTook() throws Exception {
    List<byte[]> records = records(50_000, 0);
    Path trace = trace(records);
    AtomicLong lastCount = new AtomicLong();
    Path endpoint = dir.resolve("closing.sock");
    try (UnixSeqPacketListener listener = UnixSeqPacketListener.bind(endpoint)) {
      CompletableFuture<Integer> sink = readThenClose(listener, 1000);

      ReplayResult result = TraceReplayer.of(trace).withEarlyCloseAllowed(true)
          .withListener(new ReplayListener() {
            @Override
            public void messageSent(long count) {
              lastCount.set(count);
            }
          }).replayTo(endpoint);

      assertThat(sink.get()).isEqualTo(1000);
      assertTaken(result, records, 1000);
      assertThat(lastCount.get()).isEqualTo(result.messagesSent());
    }
  }

  @Test
  void aSinkClosingInTheMiddleOfABatchFailsTheReplayWithCountsOfWhatTheKernelTook() throws Exception {
    List<byte[]> records = records(50_000, 0);
    Path trace = trace(records);
    Path endpoint = dir.resolve("closing.sock");
    try (UnixSeqPacketListener listener = UnixSeqPacketListener.bind(endpoint)) {
      CompletableFuture<Integer> sink = readThenClose(listener, 700);

      assertThatThrownBy(() -> TraceReplayer.of(trace).replayTo(endpoint))
          .isInstanceOfSatisfying(ReplayException.class, e -> {
            assertThat(e.getMessage()).contains("had closed the connection: sending message "
                + (e.partialResult().messagesSent() + 1) + " failed (" + e.partialResult().messagesSent() + " sent");
            assertTaken(e.partialResult(), records, 700);
          });
      assertThat(sink.get()).isEqualTo(700);
    }
  }

  /**
   * The result of a plain replay the sink ended after reading {@code read} packets: the packets
   * counted are the first ones of the file (at least those read), the failed send the one right after, the bytes and types theirs.
   */
  static void assertTaken(ReplayResult result, List<byte[]> records, int read) {
    long sent = result.messagesSent();
    assertThat(sent).isBetween((long) read, records.size() - 1L);
    assertThat(result.sinkClosedAtMessage()).hasValue(sent + 1);
    assertThat(result.bytesSent()).isEqualTo(records.stream().limit(sent).mapToLong(r -> r.length).sum());
    assertThat(result.messagesByType().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(sent);
    assertThat(result.deliveredAll()).isFalse();
  }

  /** A sink that answers the handshake, reads {@code count} packets and closes with the rest unread. */
  static CompletableFuture<Integer> readThenClose(UnixSeqPacketListener listener, int count) {
    return CompletableFuture.supplyAsync(() -> {
      try (SeqPacketChannel client = listener.accept()) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 16);
        client.receive(buffer);
        client.send(ByteBuffer.wrap(new byte[] {0x08, 0x01}));
        int read = 0;
        while (read < count) {
          buffer.clear();
          if (client.receive(buffer) < 0) {
            break;
          }
          read++;
        }
        return read;
      } catch (IOException e) {
        throw new IllegalStateException("the closing sink failed: " + e.getMessage(), e);
      }
    });
  }
}
