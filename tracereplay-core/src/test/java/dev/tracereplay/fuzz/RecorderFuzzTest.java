package dev.tracereplay.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tracereplay.Deadline;
import dev.tracereplay.Fixtures;
import dev.tracereplay.TraceRecorder;
import dev.tracereplay.channel.InMemorySeqPacketListener;
import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.channel.UnixSeqPacketChannel;
import dev.tracereplay.file.TraceFileReader;
import dev.tracereplay.record.Recording;
import dev.tracereplay.server.CloseReason;
import dev.tracereplay.internal.wire.Handshake;
import dev.tracereplay.wire.MessageHeader;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Arbitrary packets sent by a client after a valid handshake, into one {@link TraceRecorder} that
 * lives for the whole run: the recorder either records every packet, or closes the client at the
 * first bad one (empty, malformed, over the size limit) with the matching {@link CloseReason};
 * the recording on disk is a valid trace holding exactly the packets before that one; and a second,
 * honest client connecting afterwards is recorded completely. One recorder listens on a real
 * AF_UNIX socket, one on an in-memory listener (the same server code, several times faster).
 *
 * <p>Input format (so that seeds are plain packets): a sequence of {uint16 little-endian length,
 * that many bytes}, each one packet; a length beyond the input's end takes what is left. Lengths
 * above {@link #MAX_MESSAGE_SIZE} make oversized packets; at most {@link #MAX_PACKETS} are sent.
 */
@Timeout(30)
class RecorderFuzzTest {
  static final int MAX_MESSAGE_SIZE = 4096;
  private static final int MAX_PACKETS = 200;
  private static final Duration DEADLINE = Duration.ofSeconds(20);

  /** How many real packets the honest client sends: the start of a real runsc session. */
  private static final int HONEST_PACKETS = 20;

  private static final BufferPoolMXBean DIRECT_BUFFERS = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)
      .stream().filter(pool -> pool.getName().equals("direct")).findFirst().orElseThrow();

  @TempDir static Path dir;
  /** What the honest client sends: the first packets of the shell-common fixture. */
  private static List<byte[]> honest;
  private static TraceRecorder socketRecorder;
  private static InMemorySeqPacketListener memoryListener;
  private static TraceRecorder memoryRecorder;

  @BeforeAll
  static void startRecorders() throws IOException {
    honest = new ArrayList<>();
    try (TraceFileReader reader = TraceFileReader.open(Fixtures.copy("shell-common.trace", dir))) {
      while (honest.size() < HONEST_PACKETS && reader.next()) {
        honest.add(bytes(reader.record()));
      }
    }
    socketRecorder = TraceRecorder.builder(dir.resolve("sink.sock"), dir.resolve("socket-out"))
        .maxMessageSize(MAX_MESSAGE_SIZE).start();
    memoryListener = new InMemorySeqPacketListener("fuzz");
    memoryRecorder = TraceRecorder.builder(memoryListener, dir.resolve("memory-out"))
        .maxMessageSize(MAX_MESSAGE_SIZE).start();
  }

  @AfterAll
  static void closeRecorders() {
    if (socketRecorder != null) {
      socketRecorder.close();
    }
    if (memoryRecorder != null) {
      memoryRecorder.close();
    }
  }

  @FuzzTest
  void anyPacketsOverASocketAreRecordedOrCloseTheClient(byte[] input) throws Exception {
    Path endpoint = dir.resolve("sink.sock");
    check(socketRecorder, input, () -> UnixSeqPacketChannel.connect(endpoint));
  }

  @FuzzTest
  void anyPacketsInMemoryAreRecordedOrCloseTheClient(byte[] input) throws Exception {
    check(memoryRecorder, input, memoryListener::connect);
  }

  /**
   * Regression for what fuzzing found: each closed recording kept its writer's direct buffer (256
   * KiB by default) for as long as the recorder lived, since the recorder lists every recording it
   * made; a long-running recorder ran out of direct memory after a few thousand clients.
   */
  @Test
  void closedRecordingsLetGoOfTheirWriteBuffers() throws Exception {
    int bufferSize = 4 << 20;
    int clients = 32;
    InMemorySeqPacketListener listener = new InMemorySeqPacketListener("buffers");
    try (TraceRecorder recorder = TraceRecorder.builder(listener, dir.resolve("buffers-out"))
        .bufferSize(bufferSize).start()) {
      long before = DIRECT_BUFFERS.getTotalCapacity();
      for (int i = 0; i < clients; i++) {
        session(recorder, listener::connect, honest, honest.size());
      }
      assertThat(recorder.recordings()).hasSize(clients).noneMatch(Recording::isOpen);
      // 128 MiB of write buffers were allocated; once collected, the closed recordings hold none.
      Deadline.await(DEADLINE, () -> {
        System.gc();
        return DIRECT_BUFFERS.getTotalCapacity() - before < 2L * bufferSize;
      });
    }
  }

  private interface Connector {
    SeqPacketChannel connect() throws IOException;
  }

  private static void check(TraceRecorder recorder, byte[] input, Connector connector) throws Exception {
    List<byte[]> packets = packets(input);
    Expected expected = Expected.of(packets);

    Recording fuzzed = session(recorder, connector, packets, expected.packetsToSend);
    assertThat(fuzzed.closeReason().kind()).as("close reason: %s", fuzzed.closeReason()).isIn(expected.kinds);
    assertRecording(fuzzed, expected.recorded);

    Recording second = session(recorder, connector, honest, honest.size());
    assertThat(second.closeReason().kind()).as("close reason: %s", second.closeReason())
        .isEqualTo(CloseReason.Kind.PEER_CLOSED);
    assertRecording(second, honest);
  }

  /**
   * Connects, handshakes, sends the packets (the first {@code mustSend} without fail; the server
   * may have closed the connection before the rest), closes, and returns the finished recording.
   */
  private static Recording session(TraceRecorder recorder, Connector connector, List<byte[]> packets, int mustSend)
      throws Exception {
    long before = recorder.recordingsStarted();
    try (SeqPacketChannel client = connector.connect()) {
      client.setReceiveTimeout(DEADLINE);
      client.setSendTimeout(DEADLINE);
      client.send(Handshake.encode(Handshake.CURRENT_VERSION));
      ByteBuffer answer = ByteBuffer.allocate(Handshake.MAX_SIZE);
      assertThat(client.receive(answer)).as("the handshake is answered").isPositive();
      assertThat(Handshake.decode(answer.flip())).isEqualTo(Handshake.CURRENT_VERSION);
      for (int i = 0; i < packets.size(); i++) {
        try {
          client.send(ByteBuffer.wrap(packets.get(i)));
        } catch (IOException e) {
          if (i < mustSend) {
            throw new AssertionError("sending packet " + (i + 1) + " failed", e);
          }
          break;
        }
      }
    }
    assertThat(recorder.awaitNoClients(DEADLINE)).as("the recorder let the client go").isTrue();
    // The recorder lists the last closed recordings only (its memory is bounded): this one is the last.
    assertThat(recorder.recordingsStarted()).isEqualTo(before + 1);
    List<Recording> recordings = recorder.recordings();
    Recording recording = recordings.get(recordings.size() - 1);
    assertThat(recording.isOpen()).isFalse();
    return recording;
  }

  /** The file is a valid trace holding exactly these packets; it is deleted after the check. */
  private static void assertRecording(Recording recording, List<byte[]> packets) throws IOException {
    assertThat(recording.messages()).isEqualTo(packets.size());
    assertThat(recording.closeReason().messages()).isEqualTo(packets.size());
    List<byte[]> records = new ArrayList<>();
    try (TraceFileReader reader = TraceFileReader.open(recording.file())) {
      while (reader.next()) {
        records.add(bytes(reader.record()));
      }
    }
    assertThat(records).containsExactlyElementsOf(packets);
    assertThat(Files.size(recording.file())).isEqualTo(recording.bytes());
    Files.delete(recording.file());
  }

  /** The packets the input frames: {uint16 LE length, bytes} each. */
  static List<byte[]> packets(byte[] input) {
    List<byte[]> packets = new ArrayList<>();
    int at = 0;
    while (at < input.length && packets.size() < MAX_PACKETS) {
      int length = input[at++] & 0xFF;
      if (at < input.length) {
        length |= (input[at++] & 0xFF) << 8;
      }
      int take = Math.min(length, input.length - at);
      byte[] packet = new byte[take];
      System.arraycopy(input, at, packet, 0, take);
      packets.add(packet);
      at += take;
    }
    return packets;
  }

  private static byte[] bytes(ByteBuffer record) {
    byte[] bytes = new byte[record.remaining()];
    record.get(bytes);
    return bytes;
  }

  /**
   * What the recorder must do with a sequence of packets: record them up to the first bad one. An
   * empty packet reads as the end of stream (SOCK_SEQPACKET cannot tell them apart): MALFORMED
   * when the client is still connected after it, its close when the client closed right after
   * (which one the recorder sees depends on when this client's close comes); a malformed or
   * oversized packet closes the client as MALFORMED.
   */
  private record Expected(List<byte[]> recorded, Set<CloseReason.Kind> kinds, int packetsToSend) {
    static Expected of(List<byte[]> packets) {
      List<byte[]> recorded = new ArrayList<>();
      for (byte[] packet : packets) {
        if (packet.length == 0) {
          return new Expected(recorded, EnumSet.of(CloseReason.Kind.MALFORMED, CloseReason.Kind.PEER_CLOSED),
              recorded.size() + 1);
        }
        if (packet.length > MAX_MESSAGE_SIZE || MessageHeader.malformation(ByteBuffer.wrap(packet)) != null) {
          return new Expected(recorded, EnumSet.of(CloseReason.Kind.MALFORMED), recorded.size() + 1);
        }
        recorded.add(packet);
      }
      return new Expected(recorded, EnumSet.of(CloseReason.Kind.PEER_CLOSED), packets.size());
    }
  }
}
