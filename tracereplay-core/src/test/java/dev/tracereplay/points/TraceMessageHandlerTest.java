package dev.tracereplay.points;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracereplay.Fixtures;
import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.channel.UnixSeqPacketChannel;
import dev.tracereplay.points.container.Start;
import dev.tracereplay.server.ClientInfo;
import dev.tracereplay.server.CloseReason;
import dev.tracereplay.server.SinkServer;
import dev.tracereplay.internal.wire.Handshake;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class TraceMessageHandlerTest {
  @TempDir Path dir;

  /** What one client's handler saw, filed under the id of the client's first message (a Start). */
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final CountDownLatch closed = new CountDownLatch(2);

  private final class Session implements TraceMessageHandler {
    final ClientInfo client;
    final List<TraceMessage> messages = new ArrayList<>();
    volatile CloseReason reason;

    Session(ClientInfo client) {
      this.client = client;
    }

    @Override
    public void onMessage(TraceMessage message) {
      messages.add(message.copy());
      if (messages.size() == 1) {
        sessions.put(message.as(Start.class).getId(), this);
      }
    }

    @Override
    public void onClose(CloseReason reason) {
      this.reason = reason;
      closed.countDown();
    }
  }

  @Test
  void twoClientsAtOnceOneSendingGarbageTheOtherGetsEveryMessageDecoded() throws Exception {
    Path endpoint = dir.resolve("sink.sock");
    List<ByteBuffer> fixture = packets(Fixtures.copy("shell-common.trace", dir));
    ByteBuffer undecodable = Payloads.packet(8, 7, 0, new byte[] {0x0A, 100});

    try (SinkServer server = SinkServer.builder(TraceMessageHandler.perClient(Session::new))
        .endpoint(endpoint).start();
        SeqPacketChannel bad = connect(endpoint)) {
      try (SeqPacketChannel good = connect(endpoint)) {
        good.send(TracePoints.encode(Start.newBuilder().setId("good").build(), 0));
        bad.send(TracePoints.encode(Start.newBuilder().setId("bad").build(), 0));
        for (int i = 0; i < fixture.size(); i++) {
          good.send(fixture.get(i).duplicate());
          if (i == fixture.size() / 2) {
            bad.send(ByteBuffer.wrap(new byte[] {8, 0, 7}));
            good.send(undecodable.duplicate());
          }
        }
      }
      assertThat(closed.await(30, TimeUnit.SECONDS)).as("both clients closed").isTrue();
      assertThat(server.awaitNoClients(Duration.ofSeconds(30))).isTrue();
    }

    Session bad = sessions.get("bad");
    assertThat(bad.messages).hasSize(1);
    assertThat(bad.reason.kind()).isEqualTo(CloseReason.Kind.MALFORMED);
    assertThat(bad.reason.detail())
        .isEqualTo("message 2 is malformed: packet of 3 bytes is shorter than the 8-byte message header");

    Session good = sessions.get("good");
    assertThat(good.reason.kind()).isEqualTo(CloseReason.Kind.PEER_CLOSED);
    assertThat(good.client.id()).isNotEqualTo(bad.client.id());
    List<TraceMessage> received = good.messages;
    assertThat(received).hasSize(1 + fixture.size() + 1);
    int undecodableAt = 1 + fixture.size() / 2 + 1;
    for (int i = 0; i < received.size(); i++) {
      TraceMessage message = received.get(i);
      assertThat(message.number()).isEqualTo(i + 1);
      assertThat(message.fileOffset()).isEqualTo(TraceMessage.NOT_FROM_FILE);
      if (i == undecodableAt) {
        assertThat(message.packet()).isEqualTo(undecodable);
        assertThat(message.decode()).isInstanceOf(DecodeResult.Undecodable.class);
      } else {
        assertThat(message.decode().isDecoded()).as("message %d decoded", i + 1).isTrue();
        if (i > 0) {
          ByteBuffer sent = fixture.get(i < undecodableAt ? i - 1 : i - 2);
          assertThat(message.packet()).as("message %d", i + 1).isEqualTo(sent);
        }
      }
    }
  }

  private static SeqPacketChannel connect(Path endpoint) throws IOException {
    SeqPacketChannel channel = UnixSeqPacketChannel.connect(endpoint);
    channel.setReceiveTimeout(Duration.ofSeconds(30));
    channel.send(Handshake.encode(Handshake.CURRENT_VERSION));
    ByteBuffer answer = ByteBuffer.allocate(Handshake.MAX_SIZE);
    assertThat(channel.receive(answer)).isPositive();
    assertThat(Handshake.decode(answer.flip())).isEqualTo(Handshake.CURRENT_VERSION);
    return channel;
  }

  private static List<ByteBuffer> packets(Path trace) throws IOException {
    List<ByteBuffer> packets = new ArrayList<>();
    try (TraceMessageReader reader = TraceMessageReader.open(trace)) {
      for (TraceMessage message; (message = reader.next()) != null; ) {
        packets.add(message.copy().packet());
      }
    }
    return packets;
  }
}
