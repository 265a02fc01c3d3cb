package dev.tracereplay.examples.bench;

import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.channel.UnixSeqPacketChannel;
import dev.tracereplay.wire.Handshake;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The save benchmark's sending end, in this JVM over a real socket, the counterpart of the C
 * {@code seqsend}: connects, does the client handshake, then sends the same message again and
 * again, one blocking call each, from the calling thread. Stateless.
 */
final class PacketSender {

  /** What the sender did: counted from the handshake answer to the last send. */
  record Result(long messages, long nanos, long allocatedBytes) {}

  private PacketSender() {}

  static Result send(Path endpoint, ByteBuffer message, long count) throws IOException {
    try (SeqPacketChannel channel = UnixSeqPacketChannel.connect(endpoint)) {
      channel.send(Handshake.encode(Handshake.CURRENT_VERSION));
      ByteBuffer answer = ByteBuffer.allocate(Handshake.MAX_SIZE);
      if (channel.receive(answer) < 0) {
        throw new IOException("the saver at " + endpoint + " closed instead of answering the handshake");
      }
      ByteBuffer packet = message.duplicate();
      long allocatedBefore = JvmMemory.allocatedBytes();
      long start = System.nanoTime();
      for (long i = 0; i < count; i++) {
        packet.clear();
        channel.send(packet);
      }
      long nanos = System.nanoTime() - start;
      return new Result(count, nanos, JvmMemory.allocatedBytes() - allocatedBefore);
    }
  }
}
