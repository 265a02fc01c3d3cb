package dev.tracereplay.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracereplay.Deadline;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
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

  /** A heap buffer of these bytes, between position and limit. */
  static ByteBuffer bytes(int... values) {
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
  void receivesThePacketsQueuedBeforeAResetAndThenTheEndOfStream() throws IOException {
    // The kernel reports the reset (a peer that closed with packets of ours unread) before the
    // packets it sent: taking the reset for the end of stream lost them.
    client.send(bytes(1, 2, 3));
    client.send(bytes(4, 5));
    server.send(bytes(9));
    client.close();

    ByteBuffer in = ByteBuffer.allocate(8);
    assertThat(server.receive(in)).isEqualTo(3);
    assertThat(server.receive(in)).isEqualTo(2);
    assertThat(server.receive(in)).isEqualTo(-1);
    assertThat(in.flip()).isEqualTo(bytes(1, 2, 3, 4, 5));
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
  void aReceiveWithoutTimeoutIsNotEndedByTheSendTimeoutOfASendInAnotherThread() throws Exception {
    // Before JDK 22 the socket has one kernel timeout for both directions. The channel used to set
    // it to the timeout of each call just before the call, so a send in another thread could set
    // its own short timeout under a receive that waits forever, which then read as the end of
    // stream after 5 ms.
    server.setSendTimeout(Duration.ofMillis(5));
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong sends = new AtomicLong();
    ExecutorService threads = Executors.newCachedThreadPool();
    CompletableFuture<Void> drain = CompletableFuture.runAsync(() -> drain(client, stop), threads);
    CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> sendUntil(server, stop, sends), threads);
    try {
      for (int i = 0; i < 60; i++) {
        CompletableFuture<Object> receive = CompletableFuture.supplyAsync(() -> receiveOrFailure(server), threads);
        long start = System.nanoTime();
        long before = sends.get();
        // Gives a 5 ms timeout time to expire under the receive, while sends go on.
        Deadline.await(Duration.ofSeconds(20), () -> receive.isDone()
            || System.nanoTime() - start > 20_000_000 && sends.get() - before >= 100);
        client.send(bytes(i));
        assertThat(receive.get(10, TimeUnit.SECONDS)).as("receive %d", i).isEqualTo(1);
      }
    } finally {
      stop.set(true);
      threads.shutdown();
    }
    sender.get(10, TimeUnit.SECONDS);
    client.close();
    drain.get(10, TimeUnit.SECONDS);
  }

  @Test
  void aBatchSendSendsEachPacketInOrder() throws IOException {
    PacketBatch batch = new PacketBatch(8, 16);
    assertThat(batch.add(bytes(1, 2, 3))).isTrue();
    assertThat(batch.add(bytes(4))).isTrue();
    assertThat(batch.add(ByteBuffer.allocate(100).put(0, (byte) 5))).isTrue();

    client.send(batch);

    assertThat(batch.position()).isEqualTo(3);
    ByteBuffer in = ByteBuffer.allocateDirect(200);
    assertThat(server.receive(in)).isEqualTo(3);
    assertThat(server.receive(in)).isEqualTo(1);
    assertThat(server.receive(in)).isEqualTo(100);
    assertThat(in.flip().limit(5)).isEqualTo(bytes(1, 2, 3, 4, 5));
  }

  @Test
  void aBatchSendOfAZeroLengthPacketSendsAnEmptyPacket() throws IOException {
    PacketBatch batch = new PacketBatch(4, 8);
    batch.add(bytes(1));
    batch.add(ByteBuffer.allocate(0));
    batch.add(bytes(2, 3));

    client.send(batch);

    assertThat(receiveAll(server, new PacketBatch(8, 8), 3)).containsExactly("1", "-1", "2,3");
  }

  @Test
  void aBatchReceiveTakesThePacketsQueuedInOrder() throws IOException {
    for (int i = 0; i < 5; i++) {
      client.send(bytes(i, i));
    }

    PacketBatch batch = new PacketBatch(8, 16);
    assertThat(receiveAll(server, batch, 5)).containsExactly("0,0", "1,1", "2,2", "3,3", "4,4");
  }

  @Test
  void aBatchReceiveTakesNoMorePacketsThanTheBatchHolds() throws IOException {
    for (int i = 0; i < 5; i++) {
      client.send(bytes(i));
    }

    PacketBatch batch = new PacketBatch(2, 4);
    int first = server.receive(batch);
    assertThat(first).isBetween(1, 2);
    assertThat(receiveAll(server, batch, 5 - first)).isEqualTo(List.of("0", "1", "2", "3", "4").subList(first, 5));
  }

  @Test
  void aBatchWithSlotsForTheLargestPacketTakesSmallAndLargePacketsInOrderWithTheirBytes() throws IOException {
    int[] sizes = {64, 9, 100_000, 64, 1, 70_000, 64};
    for (int i = 0; i < sizes.length; i++) {
      client.send(pattern(sizes[i], i));
    }

    // Slots for the default message limit: on the fast path, a batch whose memory is used only where packets land.
    PacketBatch batch = new PacketBatch(64, (1 << 20) + 1);
    int received = 0;
    while (received < sizes.length) {
      int count = server.receive(batch);
      for (int i = 0; i < count; i++, received++) {
        assertThat(batch.length(i)).as("packet %d's length", received).isEqualTo(sizes[received]);
        assertThat(batch.packet(i)).as("packet %d's bytes", received).isEqualTo(pattern(sizes[received], received));
      }
    }
    assertThat(received).isEqualTo(sizes.length);
  }

  /** {@code size} bytes that differ from packet to packet and along the packet. */
  static ByteBuffer pattern(int size, int seed) {
    ByteBuffer buffer = ByteBuffer.allocateDirect(size);
    for (int i = 0; i < size; i++) {
      buffer.put((byte) (i * 31 + seed * 7 + (i >> 8)));
    }
    return buffer.flip();
  }

  @Test
  void aBatchReceiveCutsAPacketLongerThanItsSlotAndGoesOnWithTheNext() throws IOException {
    client.send(bytes(1, 2, 3, 4, 5, 6, 7));
    client.send(bytes(8));

    assertThat(receiveAll(server, new PacketBatch(4, 3), 2)).containsExactly("1,2,3", "8");
  }

  @Test
  void aBatchReceiveEndsWithTheEndOfStreamAfterThePacketsQueued() throws IOException {
    client.send(bytes(1));
    client.send(bytes(2));
    client.close();

    PacketBatch batch = new PacketBatch(8, 8);
    assertThat(receiveAll(server, batch, 3)).containsExactly("1", "2", "-1");
    assertThat(batch.length(batch.size() - 1)).isEqualTo(-1);
    assertThat(server.receive(batch)).isEqualTo(1);
    assertThat(batch.length(0)).isEqualTo(-1);
  }

  @Test
  void aBatchReceiveTakesThePacketsQueuedBeforeAResetAndThenTheEndOfStream() throws IOException {
    client.send(bytes(1));
    client.send(bytes(2, 2));
    client.send(bytes(3));
    server.send(bytes(9));
    client.close();

    assertThat(receiveAll(server, new PacketBatch(8, 8), 4)).containsExactly("1", "2,2", "3", "-1");
  }

  @Test
  void aBatchReceiveTimesOutWithSocketTimeoutExceptionAndAnEmptyBatch() throws IOException {
    server.setReceiveTimeout(Duration.ofMillis(100));
    PacketBatch batch = new PacketBatch(4, 8);
    client.send(bytes(1));
    assertThat(server.receive(batch)).isEqualTo(1);

    assertThatThrownBy(() -> server.receive(batch))
        .isInstanceOf(SocketTimeoutException.class).hasMessageContaining("timed out after 100 ms");
    assertThat(batch.size()).isZero();
  }

  @Test
  void aShortBatchReceiveTimeoutNeverReadsAsTheEndOfStream() throws IOException {
    // The recorder's receive loop: a timeout taken for the end of stream closes a live client.
    server.setReceiveTimeout(Duration.ofMillis(1));
    PacketBatch batch = new PacketBatch(4, 8);
    for (int i = 0; i < 200; i++) {
      assertThatThrownBy(() -> server.receive(batch)).as("receive %d", i).isInstanceOf(SocketTimeoutException.class);
    }
    client.send(bytes(5));
    client.close();

    assertThat(receiveAll(server, batch, 2)).containsExactly("5", "-1");
  }

  @Test
  void aBatchSendThatTimesOutPartwaySaysHowManyPacketsWent() throws IOException {
    client.setSendTimeout(Duration.ofMillis(100));
    PacketBatch batch = new PacketBatch(PacketBatch.MAX_PACKETS, 1000);
    ByteBuffer packet = ByteBuffer.allocate(1000);
    for (int i = 0; i < batch.maxPackets(); i++) {
      packet.put(0, (byte) i).put(999, (byte) i);
      batch.add(packet);
    }

    assertThatThrownBy(() -> client.send(batch)).isInstanceOf(SocketTimeoutException.class);

    int sent = batch.position();
    assertThat(sent).isBetween(1, batch.maxPackets() - 1);
    server.setReceiveTimeout(Duration.ofMillis(100));
    ByteBuffer in = ByteBuffer.allocateDirect(2000);
    for (int i = 0; i < sent; i++) {
      assertThat(server.receive(in.clear())).as("packet %d", i).isEqualTo(1000);
      assertThat(in.get(0)).isEqualTo((byte) i);
      assertThat(in.get(999)).isEqualTo((byte) i);
    }
    assertThatThrownBy(() -> server.receive(in.clear())).isInstanceOf(SocketTimeoutException.class);
  }

  @Test
  void aBatchSendToAClosedPeerFailsWithPeerClosedAndSendsNothing() throws IOException {
    server.close();
    PacketBatch batch = new PacketBatch(4, 8);
    batch.add(bytes(1));
    batch.add(bytes(2));

    assertThatThrownBy(() -> client.send(batch)).isInstanceOf(PeerClosedException.class);
    assertThat(batch.position()).isZero();
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

  /**
   * Receives batches until {@code count} packets came, each as its bytes joined by commas, or "-1"
   * for an end of stream.
   */
  private static List<String> receiveAll(SeqPacketChannel channel, PacketBatch batch, int count) throws IOException {
    List<String> packets = new ArrayList<>();
    while (packets.size() < count) {
      int received = channel.receive(batch);
      assertThat(received).isEqualTo(batch.size()).isBetween(1, batch.maxPackets());
      for (int i = 0; i < received; i++) {
        if (batch.length(i) < 0) {
          assertThat(batch.packet(i).remaining()).isZero();
          packets.add("-1");
          continue;
        }
        ByteBuffer packet = batch.packet(i);
        assertThat(packet.remaining()).isEqualTo(batch.length(i));
        StringJoiner bytes = new StringJoiner(",");
        while (packet.hasRemaining()) {
          bytes.add(Integer.toString(packet.get()));
        }
        packets.add(bytes.toString());
      }
    }
    return packets;
  }

  private static Object receiveOrFailure(SeqPacketChannel channel) {
    try {
      // Over 1 MiB on the heap: junixsocket's channel took a while to start such a receive (a
      // new direct buffer each time), so a send always set its timeout in between.
      return channel.receive(ByteBuffer.allocate(2 << 20));
    } catch (IOException e) {
      return e;
    }
  }

  /** Sends until told to stop; a send that times out (the peer is slow) is not what is tested. */
  private static void sendUntil(SeqPacketChannel channel, AtomicBoolean stop, AtomicLong sends) {
    ByteBuffer packet = ByteBuffer.allocateDirect(64);
    try {
      while (!stop.get()) {
        try {
          channel.send(packet.clear());
          sends.incrementAndGet();
        } catch (SocketTimeoutException slowPeer) {
          // go on
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void drain(SeqPacketChannel channel, AtomicBoolean stop) {
    ByteBuffer in = ByteBuffer.allocateDirect(64);
    try {
      while (channel.receive(in.clear()) >= 0) {
        // drained
      }
    } catch (IOException e) {
      if (!stop.get()) {
        throw new IllegalStateException(e);
      }
    }
  }
}
