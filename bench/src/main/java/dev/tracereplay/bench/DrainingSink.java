package dev.tracereplay.bench;

import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.channel.UnixSeqPacketListener;
import dev.tracereplay.internal.file.TraceFormat;
import dev.tracereplay.internal.wire.Handshake;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The replay benchmark's receiving end: the smallest sink that still does a sink's work, in this
 * JVM over a real socket, the counterpart of the C {@code seqsink}. It accepts one client, answers
 * its handshake with version 1, then receives packets one blocking call each into a reused direct
 * buffer, counting them and comparing every one with the expected message, until the client
 * closes.
 *
 * <p>Lifecycle: {@link #start} binds and starts the receiving thread; {@link #await} returns its
 * figures; {@link #close} unbinds (and ends a receive still blocked).
 */
final class DrainingSink implements AutoCloseable {

  /** What the sink saw: counted from its handshake answer to the end of stream. */
  record Result(long messages, long bytes, long mismatched, long nanos, JvmMemory.ThreadCost cost) {}

  private final UnixSeqPacketListener listener;
  private final ByteBuffer expected;
  private final CompletableFuture<Result> result = new CompletableFuture<>();
  private volatile SeqPacketChannel client;

  private DrainingSink(UnixSeqPacketListener listener, ByteBuffer expected) {
    this.listener = listener;
    this.expected = expected;
  }

  /** Binds {@code endpoint} and waits for one client in a thread of its own. */
  static DrainingSink start(Path endpoint, ByteBuffer expected) throws IOException {
    DrainingSink sink = new DrainingSink(UnixSeqPacketListener.bind(endpoint), expected.duplicate());
    Thread thread = new Thread(sink::serve, "bench-sink");
    thread.setDaemon(true);
    thread.start();
    return sink;
  }

  Result await(Duration timeout) throws IOException, InterruptedException {
    try {
      return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IOException("the draining sink failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IOException("the draining sink saw no end of stream within " + timeout.toSeconds() + " s");
    }
  }

  private void serve() {
    try (SeqPacketChannel channel = listener.accept()) {
      client = channel;
      ByteBuffer handshake = ByteBuffer.allocate(Handshake.MAX_SIZE);
      if (channel.receive(handshake) < 0) {
        throw new IOException("the client closed before its handshake");
      }
      channel.send(Handshake.encode(Handshake.CURRENT_VERSION));
      ByteBuffer packet = ByteBuffer.allocateDirect(TraceFormat.DEFAULT_MAX_RECORD_SIZE + 1);
      long messages = 0;
      long bytes = 0;
      long mismatched = 0;
      JvmMemory.Reading before = JvmMemory.now();
      long start = System.nanoTime();
      while (true) {
        packet.clear();
        int length = channel.receive(packet);
        if (length < 0) {
          break;
        }
        messages++;
        bytes += length;
        if (packet.flip().mismatch(expected) >= 0) {
          mismatched++;
        }
      }
      long nanos = System.nanoTime() - start;
      result.complete(new Result(messages, bytes, mismatched, nanos, before.untilNow()));
    } catch (IOException | RuntimeException e) {
      result.completeExceptionally(e);
    }
  }

  @Override
  public void close() throws IOException {
    SeqPacketChannel channel = client;
    if (channel != null) {
      channel.close();
    }
    listener.close();
  }
}
