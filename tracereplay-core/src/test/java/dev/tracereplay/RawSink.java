package dev.tracereplay;

import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.channel.UnixSeqPacketListener;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A sink that knows nothing of the protocol beyond the handshake, for tests that check the exact
 * bytes a sender puts on the wire: it accepts one client on a real socket, keeps its handshake
 * packet, answers {@code 08 01} (version 1), then receives every packet raw, into a buffer far
 * larger than any packet a sender may send, until the client closes. No code of the replayer is
 * on its path.
 */
public final class RawSink implements AutoCloseable {
  /** Larger than the largest packet any test sends (an {@code oversize} fault's 1 MiB + 1). */
  private static final int RECEIVE_BUFFER = 4 << 20;

  private final UnixSeqPacketListener listener;
  private final List<byte[]> packets = Collections.synchronizedList(new ArrayList<>());
  private final CompletableFuture<byte[]> handshake = new CompletableFuture<>();
  private final CompletableFuture<List<byte[]>> session;

  private RawSink(UnixSeqPacketListener listener) {
    this.listener = listener;
    this.session = CompletableFuture.supplyAsync(this::serveOne);
  }

  /** Listens at {@code endpoint} for one client. */
  public static RawSink listen(Path endpoint) throws IOException {
    return new RawSink(UnixSeqPacketListener.bind(endpoint));
  }

  private List<byte[]> serveOne() {
    try (SeqPacketChannel client = listener.accept()) {
      ByteBuffer buffer = ByteBuffer.allocateDirect(RECEIVE_BUFFER);
      int length = client.receive(buffer);
      handshake.complete(length < 0 ? new byte[0] : bytes(buffer));
      client.send(ByteBuffer.wrap(new byte[] {0x08, 0x01}));
      while (true) {
        buffer.clear();
        if (client.receive(buffer) < 0) {
          return List.copyOf(packets);
        }
        packets.add(bytes(buffer));
      }
    } catch (IOException e) {
      handshake.completeExceptionally(e);
      throw new IllegalStateException("the raw sink failed: " + e.getMessage(), e);
    }
  }

  private static byte[] bytes(ByteBuffer buffer) {
    buffer.flip();
    byte[] packet = new byte[buffer.remaining()];
    buffer.get(packet);
    return packet;
  }

  /** The client's handshake packet, as it came (empty for an empty packet, which also reads as a close). */
  public byte[] handshake(Duration timeout) throws Exception {
    return handshake.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Every packet after the handshake, once the client has closed the connection. */
  public List<byte[]> awaitSession(Duration timeout) throws Exception {
    return session.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() throws IOException {
    listener.close();
  }
}
