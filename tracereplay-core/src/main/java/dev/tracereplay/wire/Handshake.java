package dev.tracereplay.wire;

import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.ByteBuffer;

/**
 * The version exchange that opens every connection: the client sends a protobuf
 * {@code gvisor.common.Handshake { uint32 version = 1; }}, the server answers with its own, and
 * each side goes on if the peer's version is at least {@link #MIN_SUPPORTED_VERSION}.
 *
 * <p>Version 0 encodes as an empty packet (proto3 leaves defaults out), and on a SOCK_SEQPACKET
 * socket an empty packet cannot be told apart from the peer closing: a version-0 peer therefore
 * looks like a peer that hung up during the handshake.
 */
public final class Handshake {

  /** The wire version this library speaks, and the one runsc sends. */
  public static final int CURRENT_VERSION = 1;

  /** The oldest peer version accepted: a newer peer is the one responsible for compatibility. */
  public static final int MIN_SUPPORTED_VERSION = 1;

  /**
   * The buffer gVisor's peers read a handshake into; a packet that fills it is "too big". Use a
   * receive buffer of exactly this size and reject a packet of this length.
   */
  public static final int MAX_SIZE = 10_240;

  private Handshake() {}

  /** The handshake packet announcing {@code version} (treated as unsigned 32-bit). */
  public static ByteBuffer encode(int version) {
    byte[] bytes =
        dev.tracereplay.points.common.Handshake.newBuilder().setVersion(version).build().toByteArray();
    return ByteBuffer.wrap(bytes);
  }

  /**
   * The version in the handshake packet between the buffer's position and limit. Callers check
   * the packet's size against their limit first (see {@link #MAX_SIZE}).
   *
   * @throws HandshakeException when the packet is not a Handshake message
   */
  public static int decode(ByteBuffer packet) throws HandshakeException {
    try {
      return dev.tracereplay.points.common.Handshake.parseFrom(packet.duplicate()).getVersion();
    } catch (InvalidProtocolBufferException e) {
      throw new HandshakeException("handshake message is not a gvisor.common.Handshake: " + e.getMessage());
    }
  }

  /** Whether a peer announcing {@code version} may be served. */
  public static boolean isSupported(int version) {
    return Integer.compareUnsigned(version, MIN_SUPPORTED_VERSION) >= 0;
  }
}
