package dev.tracereplay;

import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.channel.UnixSeqPacketChannel;
import dev.tracereplay.internal.wire.Handshake;
import dev.tracereplay.wire.MessageHeader;
import dev.tracereplay.wire.MessageType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;

/** A hand-driven client, like a (possibly compromised) runsc: sends whatever a test asks for. */
public final class RawClient implements AutoCloseable {
  private final SeqPacketChannel channel;

  private RawClient(SeqPacketChannel channel) {
    this.channel = channel;
  }

  /** Connects and completes a version-1 handshake. */
  public static RawClient connect(Path endpoint) throws IOException {
    RawClient client = connectWithoutHandshake(endpoint);
    int answered = client.handshake(ByteBuffer.wrap(new byte[] {0x08, 0x01}));
    if (answered < 0) {
      throw new IOException("the server closed the connection during the handshake");
    }
    return client;
  }

  public static RawClient connectWithoutHandshake(Path endpoint) throws IOException {
    SeqPacketChannel channel = UnixSeqPacketChannel.connect(endpoint);
    channel.setReceiveTimeout(Duration.ofSeconds(20));
    channel.setSendTimeout(Duration.ofSeconds(20));
    return new RawClient(channel);
  }

  /** Sends this handshake packet and returns the version answered, or -1 when the server closed. */
  public int handshake(ByteBuffer packet) throws IOException {
    channel.send(packet);
    ByteBuffer answer = ByteBuffer.allocate(Handshake.MAX_SIZE);
    int length = channel.receive(answer);
    return length < 0 ? -1 : Handshake.decode(answer.flip());
  }

  /** A well-formed message of type OPEN whose payload is {@code payloadSize} bytes of {@code seed}. */
  public static byte[] message(int seed, int payloadSize) {
    ByteBuffer packet = ByteBuffer.allocate(MessageHeader.SIZE + payloadSize).order(ByteOrder.LITTLE_ENDIAN);
    MessageHeader.of(MessageType.SYSCALL_OPEN, 0).writeTo(packet);
    while (packet.hasRemaining()) {
      packet.put((byte) seed);
    }
    return packet.array();
  }

  public RawClient send(byte[] packet) throws IOException {
    channel.send(ByteBuffer.wrap(packet));
    return this;
  }

  /** Blocks until the server closes the connection; true when it did (false: a packet came). */
  public boolean awaitServerClose() throws IOException {
    return channel.receive(ByteBuffer.allocate(64)) < 0;
  }

  public SeqPacketChannel channel() {
    return channel;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
