package dev.tracereplay.bench;

import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.channel.UnixSeqPacketChannel;
import dev.tracereplay.internal.wire.Handshake;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The save benchmark's sending end, in this JVM over a real socket, the counterpart of the C
 * {@code seqsend}: connects, does the client handshake, then sends the same message again and
 * again, one blocking call each, from the calling thread. Optionally paced, spinning between
 * sends, to hold a receiver that is faster than its sender (the case where a receiver keeps
 * finding its queue empty). Stateless.
 */
final class PacketSender {

  /** What the sender did: counted from the handshake answer to the last send. */
  record Result(long messages, long nanos, JvmMemory.ThreadCost cost) {}

  private PacketSender() {}

  /** Sends {@code count} copies of {@code message}, at most {@code pace} per second (0: no limit). */
  static Result send(Path endpoint, ByteBuffer message, long count, long pace) throws IOException {
    try (SeqPacketChannel channel = UnixSeqPacketChannel.connect(endpoint)) {
      channel.send(Handshake.encode(Handshake.CURRENT_VERSION));
      ByteBuffer answer = ByteBuffer.allocate(Handshake.MAX_SIZE);
      if (channel.receive(answer) < 0) {
        throw new IOException("the saver at " + endpoint + " closed instead of answering the handshake");
      }
      ByteBuffer packet = message.duplicate();
      JvmMemory.Reading before = JvmMemory.now();
      long start = System.nanoTime();
      double interval = pace > 0 ? 1e9 / pace : 0;
      for (long i = 0; i < count; i++) {
        if (pace > 0) {
          long due = start + (long) (i * interval);
          while (System.nanoTime() < due) {
            Thread.onSpinWait();
          }
        }
        packet.clear();
        channel.send(packet);
      }
      long nanos = System.nanoTime() - start;
      return new Result(count, nanos, before.untilNow());
    }
  }
}
