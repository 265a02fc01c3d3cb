package dev.tracereplay.internal.wire;

import java.nio.ByteBuffer;

/**
 * The version exchange that opens every connection: the client sends a protobuf
 * {@code gvisor.common.Handshake { uint32 version = 1; }}, the server answers with its own, and
 * each side goes on if the peer's version is at least {@link #MIN_SUPPORTED_VERSION}.
 *
 * <p>Version 0 encodes as an empty packet (proto3 leaves defaults out), and on a SOCK_SEQPACKET
 * socket an empty packet cannot be told apart from the peer closing: a version-0 peer therefore
 * looks like a peer that hung up during the handshake.
 *
 * <p>The message is encoded and decoded by hand rather than with the generated
 * {@code dev.tracereplay.points.common.Handshake}: that class builds the descriptors of the whole
 * of common.proto when first used, which costs a short-lived {@code tracereplay replay} a good
 * part of its start-up. {@link #decode} accepts and rejects exactly what the generated parser
 * does (unknown fields of every wire type are skipped, groups nest at most
 * {@value #MAX_GROUP_DEPTH} deep), and returns the same version; the tests compare the two.
 * Stateless and thread-safe.
 */
public final class Handshake {

  /** The wire version this library speaks, and the one runsc sends. */
  public static final int CURRENT_VERSION = 1;

  /** The oldest peer version accepted: a newer peer is the one responsible for compatibility. */
  public static final int MIN_SUPPORTED_VERSION = 1;

  /**
   * The largest handshake accepted, by the server and by the replayer's check of the answer alike:
   * 10,239 bytes, since gVisor's peers read a handshake into a 10,240-byte buffer and take a
   * packet that fills it as "too big". Receive into a buffer one byte larger and reject a packet
   * longer than this ({@link #isTooBig}).
   */
  public static final int MAX_SIZE = 10_239;

  /** protobuf-java's default recursion limit, which also bounds nested groups in unknown fields. */
  static final int MAX_GROUP_DEPTH = 100;

  /** The tag of field 1 ({@code version}) as a varint: field number 1, wire type 0. */
  private static final int VERSION_TAG = 1 << 3;

  private static final int VARINT = 0;
  private static final int FIXED64 = 1;
  private static final int LENGTH_DELIMITED = 2;
  private static final int START_GROUP = 3;
  private static final int END_GROUP = 4;
  private static final int FIXED32 = 5;

  /** A varint takes at most 10 bytes; protobuf rejects a longer one. */
  private static final int MAX_VARINT_SIZE = 10;

  private Handshake() {}

  /** The handshake packet announcing {@code version} (treated as unsigned 32-bit). */
  public static ByteBuffer encode(int version) {
    if (version == 0) {
      return ByteBuffer.allocate(0); // proto3 leaves a default value out
    }
    ByteBuffer packet = ByteBuffer.allocate(1 + 5);
    packet.put((byte) VERSION_TAG);
    int rest = version;
    while ((rest & ~0x7f) != 0) {
      packet.put((byte) ((rest & 0x7f) | 0x80));
      rest >>>= 7;
    }
    packet.put((byte) rest);
    return packet.flip();
  }

  /**
   * The version in the handshake packet between the buffer's position and limit (the buffer's
   * position is left as it is). Callers check the packet's size against their limit first (see
   * {@link #MAX_SIZE}). A packet without the version field, as an empty one, announces 0; when
   * the field occurs more than once, the last one counts, as in protobuf.
   *
   * @throws HandshakeException when the packet is not a Handshake message; the message says what
   *     is wrong at which byte of the packet
   */
  public static int decode(ByteBuffer packet) throws HandshakeException {
    Decoder decoder = new Decoder(packet);
    int version = 0;
    while (decoder.hasMore()) {
      int tag = decoder.tag();
      if (tag == VERSION_TAG) {
        version = (int) decoder.varint();
      } else if (!decoder.skipField(tag, 0)) {
        throw decoder.malformed(decoder.fieldStart, "an end-group tag outside of any group");
      }
    }
    return version;
  }

  /**
   * Whether a handshake packet of {@code length} bytes, received into a buffer of at least
   * {@code MAX_SIZE + 1} bytes, is over the limit.
   */
  public static boolean isTooBig(int length) {
    return length > MAX_SIZE;
  }

  /** Whether a peer announcing {@code version} may be served. */
  public static boolean isSupported(int version) {
    return Integer.compareUnsigned(version, MIN_SUPPORTED_VERSION) >= 0;
  }

  /**
   * {@code version}, when a peer announcing it may be served: for a setting that names the
   * version to announce or record.
   *
   * @param what the setting, as its error names it (e.g. "handshake version")
   * @throws IllegalArgumentException naming {@code what} and the version (unsigned) when it is not
   *     supported
   */
  public static int checkVersion(String what, int version) {
    if (!isSupported(version)) {
      throw new IllegalArgumentException(what + " must be at least " + MIN_SUPPORTED_VERSION + ", was "
          + Integer.toUnsignedString(version));
    }
    return version;
  }

  /** Reads protobuf's wire format from a packet: the few rules {@link #decode} needs. */
  private static final class Decoder {
    private final ByteBuffer packet;
    private final int start;
    private int position;
    /** Where the field being read began, for error messages. */
    int fieldStart;

    Decoder(ByteBuffer packet) {
      this.packet = packet;
      this.start = packet.position();
      this.position = start;
    }

    boolean hasMore() {
      return position < packet.limit();
    }

    /** The next field's tag; field number 0 is invalid. */
    int tag() throws HandshakeException {
      fieldStart = position;
      int tag = (int) varint();
      if (tag >>> 3 == 0) {
        throw malformed(fieldStart, "a field with the invalid number 0");
      }
      return tag;
    }

    /** A varint of at most 10 bytes, its value cut to 64 bits as protobuf does. */
    long varint() throws HandshakeException {
      int varintStart = position;
      long value = 0;
      for (int i = 0; i < MAX_VARINT_SIZE; i++) {
        if (!hasMore()) {
          throw malformed(varintStart, "a varint cut short by the end of the packet");
        }
        byte b = packet.get(position++);
        value |= (long) (b & 0x7f) << (7 * i);
        if (b >= 0) {
          return value;
        }
      }
      throw malformed(varintStart, "a varint longer than 10 bytes");
    }

    /**
     * Skips the field whose tag was just read, as protobuf skips an unknown field; returns false
     * for an end-group tag, which ends the enclosing group.
     */
    boolean skipField(int tag, int depth) throws HandshakeException {
      switch (tag & 7) {
        case VARINT -> varint();
        case FIXED64 -> skip(8, "a 64-bit field");
        case FIXED32 -> skip(4, "a 32-bit field");
        case LENGTH_DELIMITED -> {
          int lengthStart = position;
          int length = (int) varint();
          if (length < 0) {
            throw malformed(lengthStart, "a length-delimited field of negative length " + length);
          }
          skip(length, "a length-delimited field of " + length + " bytes");
        }
        case START_GROUP -> skipGroup(tag >>> 3, depth + 1);
        case END_GROUP -> {
          return false;
        }
        default -> throw malformed(fieldStart, "a field of the invalid wire type " + (tag & 7));
      }
      return true;
    }

    private void skipGroup(int fieldNumber, int depth) throws HandshakeException {
      int groupStart = fieldStart;
      if (depth > MAX_GROUP_DEPTH) {
        throw malformed(groupStart, "groups nested more than " + MAX_GROUP_DEPTH + " deep");
      }
      while (true) {
        if (!hasMore()) {
          throw malformed(groupStart, "a group (field " + fieldNumber + ") not ended before the end of the packet");
        }
        int tag = tag();
        if (!skipField(tag, depth)) {
          if (tag >>> 3 != fieldNumber) {
            throw malformed(fieldStart, "the end of group " + (tag >>> 3) + " inside group " + fieldNumber);
          }
          return;
        }
      }
    }

    private void skip(int length, String what) throws HandshakeException {
      if (length > packet.limit() - position) {
        throw malformed(fieldStart, what + " cut short by the end of the packet");
      }
      position += length;
    }

    HandshakeException malformed(int at, String what) {
      return new HandshakeException("handshake message is not a gvisor.common.Handshake: " + what
          + " at byte " + (at - start) + " of " + (packet.limit() - start));
    }
  }
}
