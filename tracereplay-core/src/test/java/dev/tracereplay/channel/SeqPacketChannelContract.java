package dev.tracereplay.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The same contract, checked against the real socket and the in-memory channel. */
@Timeout(30)
abstract class SeqPacketChannelContract {
  SeqPacketChannel client;
  SeqPacketChannel server;

  abstract void connect() throws IOException;

  @AfterEach
  void closeBoth() throws IOException {
    client.close();
    server.close();
  }

  private static ByteBuffer bytes(int... values) {
    ByteBuffer buffer = ByteBuffer.allocate(values.length);
    for (int value : values) {
      buffer.put((byte) value);
    }
    return buffer.flip();
  }

  @Test
  void keepsPacketBoundaries() throws IOException {
    client.send(bytes(1, 2, 3));
    client.send(bytes(4));

    ByteBuffer in = ByteBuffer.allocateDirect(64);
    assertThat(server.receive(in)).isEqualTo(3);
    assertThat(server.receive(in)).isEqualTo(1);
    assertThat(in.flip()).isEqualTo(bytes(1, 2, 3, 4));
  }

  @Test
  void cutsAPacketLongerThanTheBufferAndGoesOnWithTheNext() throws IOException {
    client.send(bytes(1, 2, 3, 4, 5));
    client.send(bytes(6));

    ByteBuffer small = ByteBuffer.allocate(2);
    assertThat(server.receive(small)).isEqualTo(2);
    ByteBuffer next = ByteBuffer.allocate(8);
    assertThat(server.receive(next)).isEqualTo(1);
    assertThat(next.get(0)).isEqualTo((byte) 6);
  }

  @Test
  void readsTheEndOfStreamAfterTheQueuedPacketsWhenThePeerCloses() throws IOException {
    client.send(bytes(7));
    client.close();

    ByteBuffer in = ByteBuffer.allocate(8);
    assertThat(server.receive(in)).isEqualTo(1);
    assertThat(server.receive(in)).isEqualTo(-1);
  }

  @Test
  void readsTheEndOfStreamWhenThePeerClosesWithPacketsOfOursUnread() throws IOException {
    // A client that hangs up without reading the handshake answer: the kernel reports that once
    // as ECONNRESET, which for a receiver is the end of stream like any other close.
    server.send(bytes(9));
    client.close();

    assertThat(server.receive(ByteBuffer.allocateDirect(8))).isEqualTo(-1);
  }

  @Test
  void readsAZeroLengthPacketAsTheEndOfStream() throws IOException {
    client.send(ByteBuffer.allocate(0));
    client.send(bytes(1));

    assertThat(server.receive(ByteBuffer.allocate(8))).isEqualTo(-1);
    assertThat(server.receive(ByteBuffer.allocate(8))).isEqualTo(1);
  }

  @Test
  void tryReceiveReturnsZeroWhenNothingIsQueued() throws IOException {
    assertThat(server.tryReceive(ByteBuffer.allocate(8))).isZero();
    client.send(bytes(1, 2));
    assertThat(server.tryReceive(ByteBuffer.allocate(8))).isEqualTo(2);
    client.send(bytes(3));
    assertThat(server.receive(ByteBuffer.allocate(8))).isEqualTo(1);
  }

  @Test
  void sendingToAClosedPeerFailsWithPeerClosed() throws IOException {
    server.close();

    assertThatThrownBy(() -> client.send(bytes(1))).isInstanceOf(PeerClosedException.class);
  }

  @Test
  void sendingAfterThePeerShutItsInputFailsWhileQueuedPacketsStayReadable() throws IOException {
    client.send(bytes(1));
    server.shutdownInput();

    assertThat(server.receive(ByteBuffer.allocate(8))).isEqualTo(1);
    assertThat(server.receive(ByteBuffer.allocate(8))).isEqualTo(-1);
    assertThatThrownBy(() -> client.send(bytes(2))).isInstanceOf(PeerClosedException.class);
  }

  @Test
  void aReceiveTimesOutWithSocketTimeoutException() throws IOException {
    server.setReceiveTimeout(Duration.ofMillis(100));

    assertThatThrownBy(() -> server.receive(ByteBuffer.allocate(8)))
        .isInstanceOf(SocketTimeoutException.class).hasMessageContaining("timed out after 100 ms");
  }

  @Test
  void aShortReceiveTimeoutNeverReadsAsTheEndOfStream() throws IOException {
    // The recorder waits with a short timeout between packets; a timeout taken for the end of
    // stream closes a live client and loses the rest of its session.
    server.setReceiveTimeout(Duration.ofMillis(1));
    for (int i = 0; i < 200; i++) {
      assertThatThrownBy(() -> server.receive(ByteBuffer.allocateDirect(8))).as("receive %d", i)
          .isInstanceOf(SocketTimeoutException.class);
    }
    client.send(bytes(5));
    assertThat(server.receive(ByteBuffer.allocateDirect(8))).isEqualTo(1);
  }

  @Test
  void theEndOfStreamReadsAsSuchWithAShortReceiveTimeout() throws IOException {
    server.setReceiveTimeout(Duration.ofMillis(1));
    client.send(bytes(7));
    client.close();

    assertThat(server.receive(ByteBuffer.allocateDirect(8))).isEqualTo(1);
    assertThat(server.receive(ByteBuffer.allocateDirect(8))).isEqualTo(-1);
  }

  @Test
  void aSendToAPeerThatStoppedReadingTimesOut() throws IOException {
    client.setSendTimeout(Duration.ofMillis(100));
    ByteBuffer packet = ByteBuffer.allocate(1000);

    assertThatThrownBy(() -> {
      for (int i = 0; i < 100_000; i++) {
        client.send(packet.clear());
      }
    }).isInstanceOf(SocketTimeoutException.class);
  }

  @Test
  void closingUnblocksAReceiveInAnotherThread() throws Exception {
    CompletableFuture<Object> receive = CompletableFuture.supplyAsync(() -> {
      try {
        return server.receive(ByteBuffer.allocate(8));
      } catch (IOException e) {
        return e;
      }
    });
    server.close();

    assertThat(receive.get(10, TimeUnit.SECONDS)).satisfiesAnyOf(
        result -> assertThat(result).isEqualTo(-1),
        result -> assertThat(result).isInstanceOf(IOException.class));
  }
}
