package dev.tracereplay.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The socket contract on direct buffers, which take the FFM fast path on JDK 22 and later and
 * junixsocket's calls before: the same tests pass on both (run them with each JDK).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ForeignSocketIoTest {
  @TempDir
  Path dir;

  UnixSeqPacketListener listener;
  SeqPacketChannel client;
  SeqPacketChannel server;

  @BeforeEach
  void connect() throws IOException {
    listener = UnixSeqPacketListener.bind(dir.resolve("s.sock"));
    client = UnixSeqPacketChannel.connect(dir.resolve("s.sock"));
    server = listener.accept();
  }

  @AfterEach
  void close() throws IOException {
    client.close();
    server.close();
    listener.close();
  }

  @Test
  void theFastPathIsUsedFromJdk22On() {
    assertThat(ForeignSocketIo.AVAILABLE).isEqualTo(Runtime.version().feature() >= 22);
  }

  @Test
  void packetsKeepTheirBoundariesAndBytes() throws IOException {
    ByteBuffer small = direct("hello");
    ByteBuffer large = ByteBuffer.allocateDirect(100_000);
    for (int i = 0; i < large.capacity(); i++) {
      large.put(i, (byte) i);
    }

    client.send(small);
    client.send(large);

    assertThat(small.hasRemaining()).isFalse();
    assertThat(large.hasRemaining()).isFalse();
    ByteBuffer received = ByteBuffer.allocateDirect(200_000);
    assertThat(server.receive(received)).isEqualTo(5);
    assertThat(received.flip()).isEqualTo(direct("hello"));
    received.clear().position(7);
    assertThat(server.receive(received)).isEqualTo(100_000);
    assertThat(received.position()).isEqualTo(100_007);
    assertThat(received.flip().position(7)).isEqualTo(large.flip());
  }

  @Test
  void aPacketLongerThanTheSpaceIsCutSilently() throws IOException {
    client.send(direct("0123456789"));
    client.send(direct("next"));

    ByteBuffer three = ByteBuffer.allocateDirect(3);
    assertThat(server.receive(three)).isEqualTo(3);
    assertThat(three.flip()).isEqualTo(direct("012"));
    ByteBuffer rest = ByteBuffer.allocateDirect(100);
    assertThat(server.receive(rest)).isEqualTo(4);
  }

  @Test
  void tryReceiveReturnsZeroWhenNothingIsQueuedAndLeavesTheSocketBlocking() throws IOException {
    ByteBuffer buffer = ByteBuffer.allocateDirect(100);
    assertThat(server.tryReceive(buffer)).isZero();

    client.send(direct("abc"));
    assertThat(waitForPacket(buffer)).isEqualTo(3);

    CompletableFuture<Integer> blocked = CompletableFuture.supplyAsync(() -> receive(server, 100));
    client.send(direct("later"));
    assertThat(blocked.join()).isEqualTo(5);
  }

  @Test
  void theEndOfStreamReadsAsMinusOne() throws IOException {
    client.send(direct("last"));
    client.close();

    ByteBuffer buffer = ByteBuffer.allocateDirect(100);
    assertThat(server.receive(buffer)).isEqualTo(4);
    buffer.clear();
    assertThat(server.receive(buffer)).isEqualTo(-1);
    buffer.clear();
    assertThat(server.tryReceive(buffer)).isIn(-1, 0);
  }

  @Test
  void anExpiredReceiveTimeoutIsATimeoutAndTheChannelStaysUsable() throws IOException {
    server.setReceiveTimeout(Duration.ofMillis(50));
    ByteBuffer buffer = ByteBuffer.allocateDirect(100);

    assertThatThrownBy(() -> server.receive(buffer))
        .isInstanceOf(SocketTimeoutException.class)
        .hasMessageContaining("timed out after 50 ms");

    client.send(direct("ok"));
    assertThat(server.receive(buffer)).isEqualTo(2);
  }

  @Test
  void sendingToAClosedPeerIsPeerClosed() throws IOException {
    server.close();

    assertThatThrownBy(() -> {
      for (int i = 0; i < 10; i++) {
        client.send(direct("x"));
      }
    }).isInstanceOf(PeerClosedException.class).hasMessageContaining("has closed the connection");
  }

  @Test
  void aSendThatCannotProceedTimesOut() throws IOException {
    client.setSendTimeout(Duration.ofMillis(50));
    ByteBuffer packet = ByteBuffer.allocateDirect(1000);

    assertThatThrownBy(() -> {
      for (int i = 0; i < 100_000; i++) {
        packet.clear();
        client.send(packet);
      }
    }).isInstanceOf(SocketTimeoutException.class).hasMessageContaining("the peer is not reading");
  }

  @Test
  void closingUnblocksABlockedReceive() throws Exception {
    CompletableFuture<Boolean> ended = new CompletableFuture<>();
    Thread receiver = new Thread(() -> {
      try {
        ended.complete(server.receive(ByteBuffer.allocateDirect(100)) == -1);
      } catch (IOException e) {
        ended.complete(true);
      }
    });
    receiver.start();
    awaitInSocketCall(receiver, "receive");

    server.close();

    assertThat(ended.get(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void closingUnblocksABlockedSend() throws Exception {
    CompletableFuture<Boolean> ended = new CompletableFuture<>();
    Thread sender = new Thread(() -> {
      ByteBuffer packet = ByteBuffer.allocateDirect(1000);
      try {
        while (true) {
          packet.clear();
          client.send(packet);
        }
      } catch (IOException e) {
        ended.complete(true);
      }
    });
    sender.start();
    awaitInSocketCall(sender, "send");

    client.close();

    assertThat(ended.get(10, TimeUnit.SECONDS)).isTrue();
  }

  private int waitForPacket(ByteBuffer buffer) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    int length;
    do {
      buffer.clear();
      length = server.tryReceive(buffer);
    } while (length == 0 && System.nanoTime() < deadline);
    return length;
  }

  /**
   * Waits until {@code thread} is inside the socket call (junixsocket's native method or the FFM
   * fast path), where it blocks; the test holds even if the call has not reached the kernel yet.
   */
  private static void awaitInSocketCall(Thread thread, String method) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      for (StackTraceElement frame : thread.getStackTrace()) {
        if ((frame.getClassName().endsWith("NativeUnixSocket") || frame.getClassName().endsWith("ForeignSocketIo"))
            && frame.getMethodName().equals(method)) {
          return;
        }
      }
      Thread.onSpinWait();
    }
    throw new AssertionError(thread + " did not reach its " + method + " call");
  }

  private static int receive(SeqPacketChannel channel, int capacity) {
    try {
      return channel.receive(ByteBuffer.allocateDirect(capacity));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ByteBuffer direct(String text) {
    byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
  }
}
