package dev.tracereplay.internal.record;

import dev.tracereplay.record.RecordingListener;
import dev.tracereplay.record.Recording;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tracereplay.channel.InMemorySeqPacketListener;
import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.file.TraceConfig;
import dev.tracereplay.file.TraceFileWriter;
import dev.tracereplay.server.CloseReason;
import dev.tracereplay.internal.server.DirectBufferPool;
import dev.tracereplay.server.SinkServer;
import dev.tracereplay.internal.wire.Handshake;
import dev.tracereplay.wire.MessageHeader;
import dev.tracereplay.wire.MessageType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the recorder keeps follows the clients connected now, not the clients ever seen. */
@Timeout(300)
class RecordingHandlerFactoryTest {
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  @TempDir Path dir;

  private static ByteBuffer message(int number) {
    ByteBuffer packet = ByteBuffer.allocate(MessageHeader.SIZE + 4).order(ByteOrder.LITTLE_ENDIAN);
    MessageHeader.of(MessageType.SYSCALL_OPEN, 0).writeTo(packet);
    return packet.putInt(number).flip();
  }

  /** One short session: handshake, one message, hang up; waits until the server let it go. */
  private static void session(InMemorySeqPacketListener listener, SinkServer server, int number) throws Exception {
    try (SeqPacketChannel client = listener.connect()) {
      client.setReceiveTimeout(DEADLINE);
      client.send(Handshake.encode(1));
      assertThat(client.receive(ByteBuffer.allocate(16))).isPositive();
      client.send(message(number));
    }
    assertThat(server.awaitNoClients(DEADLINE)).isTrue();
  }

  @Test
  void twentyThousandSessionsLeaveABoundedHistoryAndEveryBufferReturned() throws Exception {
    int sessions = 20_000;
    RecordingHandlerFactory factory = new RecordingHandlerFactory(new RecordingDirectory(dir.resolve("out"),
        "client-"), TraceConfig.CURRENT, new RecordingListener() {}, 0, TraceFileWriter.DEFAULT_BUFFER_SIZE);
    InMemorySeqPacketListener listener = new InMemorySeqPacketListener("flood");
    try (SinkServer server = SinkServer.builder(factory).listener(listener).start()) {
      for (int i = 0; i < sessions; i++) {
        session(listener, server, i);
      }
      assertThat(factory.recordingsStarted()).isEqualTo(sessions);
      assertThat(factory.openRecordings()).isZero();
      assertThat(factory.closedKept()).isEqualTo(RecordingHandlerFactory.CLOSED_KEPT);
      List<Recording> listed = factory.recordings();
      assertThat(listed).hasSize(RecordingHandlerFactory.CLOSED_KEPT);
      assertThat(listed.get(listed.size() - 1).clientId()).as("the most recent are kept").isEqualTo(sessions);
      assertThat(listed).allSatisfy(r -> assertThat(r.closeReason().kind()).isEqualTo(CloseReason.Kind.PEER_CLOSED));
      // One client at a time: the same few buffers serve every session, none is left to the collector.
      assertThat(factory.buffers().lent()).isZero();
      assertThat(factory.buffers().allocated()).isLessThanOrEqualTo(2);
    }
    try (var files = Files.list(dir.resolve("out"))) {
      assertThat(files.count()).as("every session recorded").isEqualTo(sessions);
    }
  }

  @Test
  void aClientThatCannotHaveAWriteBufferIsRefusedWithoutAFile() throws Exception {
    AtomicInteger allocations = new AtomicInteger();
    DirectBufferPool<ByteBuffer> noMemoryAtFirst = DirectBufferPool.ofBuffers(4096, 4, bytes -> {
      if (allocations.incrementAndGet() == 1) {
        throw new OutOfMemoryError("Cannot reserve " + bytes + " bytes of direct buffer memory");
      }
      return ByteBuffer.allocateDirect(bytes);
    });
    Path out = dir.resolve("out");
    RecordingHandlerFactory factory = new RecordingHandlerFactory(new RecordingDirectory(out, "client-"),
        TraceConfig.CURRENT, new RecordingListener() {}, 0, noMemoryAtFirst);
    InMemorySeqPacketListener listener = new InMemorySeqPacketListener("no-memory");
    try (SinkServer server = SinkServer.builder(factory).listener(listener).start()) {
      try (SeqPacketChannel refused = listener.connect()) {
        refused.setReceiveTimeout(DEADLINE);
        refused.send(Handshake.encode(1));
        assertThat(refused.receive(ByteBuffer.allocate(16))).as("no answer").isEqualTo(-1);
      }
      assertThat(server.awaitNoClients(DEADLINE)).isTrue();
      assertThat(server.refusedClients()).isEqualTo(1);
      try (var files = Files.list(out)) {
        assertThat(files.count()).as("no file for the refused client").isZero();
      }
      session(listener, server, 1);
      assertThat(factory.recordings()).singleElement()
          .satisfies(r -> assertThat(r.messages()).isEqualTo(1));
      assertThat(noMemoryAtFirst.lent()).isZero();
    }
  }
}
