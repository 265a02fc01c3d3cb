package dev.tracereplay;

import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.channel.UnixSeqPacketListener;
import dev.tracereplay.internal.wire.Handshake;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A sink that takes only the version it was made with, as gVisor's sinks check the client's
 * version: it accepts one client on a real socket, reads its handshake and, for any other version,
 * closes the connection without answering; for its own version it answers and then reads until
 * the client closes. It reports the version it read and whether it refused it.
 */
public final class RefusingSink implements AutoCloseable {
  private final UnixSeqPacketListener listener;
  private final int accepted;
  private final CompletableFuture<Integer> clientVersion = new CompletableFuture<>();
  private final CompletableFuture<Boolean> refused;

  private RefusingSink(UnixSeqPacketListener listener, int accepted) {
    this.listener = listener;
    this.accepted = accepted;
    this.refused = CompletableFuture.supplyAsync(this::serveOne);
  }

  /** Listens at {@code endpoint} for one client, taking version {@code accepted} only. */
  public static RefusingSink listen(Path endpoint, int accepted) throws IOException {
    return new RefusingSink(UnixSeqPacketListener.bind(endpoint), accepted);
  }

  private boolean serveOne() {
    try (SeqPacketChannel client = listener.accept()) {
      ByteBuffer buffer = ByteBuffer.allocate(1024);
      int length = client.receive(buffer);
      int version = length <= 0 ? 0 : Handshake.decode(buffer.flip());
      clientVersion.complete(version);
      if (version != accepted) {
        return true;
      }
      client.send(Handshake.encode(accepted));
      while (client.receive(buffer.clear()) >= 0) {
        // reads to the end of the session
      }
      return false;
    } catch (IOException e) {
      clientVersion.completeExceptionally(e);
      throw new IllegalStateException("the refusing sink failed: " + e.getMessage(), e);
    }
  }

  /** The version the client announced. */
  public int clientVersion(Duration timeout) throws Exception {
    return clientVersion.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Whether the sink refused the client's version, once it is done with the client. */
  public boolean refused(Duration timeout) throws Exception {
    return refused.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() throws IOException {
    listener.close();
  }
}
