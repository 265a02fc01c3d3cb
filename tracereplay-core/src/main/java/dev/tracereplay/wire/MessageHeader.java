package dev.tracereplay.wire;

import java.nio.ByteBuffer;

/**
 * The header in front of every message after the handshake: {@code header_size} (uint16),
 * {@code message_type} (uint16) and {@code dropped_count} (uint32), all little-endian. The payload
 * starts at {@code header_size}, not at {@link #SIZE}: a newer sender may grow the header and
 * readers skip what they do not know.
 *
 * <p>The static accessors read a header in place from a packet buffer (its position is the first
 * byte of the packet) without changing the buffer or allocating, for the hot receive and replay
 * paths. Instances are plain values for everything else.
 *
 * @param headerSize size of the header in bytes, 8 today, never less
 * @param messageType the header's type number, kept even when {@link MessageType} does not know it
 * @param droppedCount points the sender dropped so far, an unsigned 32-bit counter that wraps
 */
public record MessageHeader(int headerSize, int messageType, long droppedCount) {

  /** The size of today's header, and the smallest a well-formed packet can be. */
  public static final int SIZE = 8;

  public MessageHeader {
    if (headerSize < SIZE || headerSize > 0xFFFF) {
      throw new IllegalArgumentException("header_size must be 8..65535, was " + headerSize);
    }
    if (messageType < 0 || messageType > 0xFFFF) {
      throw new IllegalArgumentException("message_type must be 0..65535, was " + messageType);
    }
    if (droppedCount < 0 || droppedCount > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("dropped_count must be 0..2^32-1, was " + droppedCount);
    }
  }

  /** A header of today's size for a message of this type. */
  public static MessageHeader of(MessageType type, long droppedCount) {
    return new MessageHeader(SIZE, type.number(), droppedCount);
  }

  /** The known type, or {@code null} for a number this library does not know. */
  public MessageType type() {
    return MessageType.forNumber(messageType);
  }

  /**
   * Reads the header of the packet between {@code packet.position()} and {@code packet.limit()}.
   *
   * @throws MalformedMessageException when the packet is not a well-formed message
   */
  public static MessageHeader read(ByteBuffer packet) throws MalformedMessageException {
    String problem = malformation(packet);
    if (problem != null) {
      throw new MalformedMessageException(problem);
    }
    int at = packet.position();
    return new MessageHeader(headerSize(packet, at), messageType(packet, at), droppedCount(packet, at));
  }

  /**
   * Why the packet between position and limit is not a well-formed message, or {@code null} when
   * it is: shorter than 8 bytes, or a {@code header_size} below 8 or beyond the packet's end.
   */
  public static String malformation(ByteBuffer packet) {
    int length = packet.remaining();
    if (length < SIZE) {
      return "packet of " + length + " bytes is shorter than the 8-byte message header";
    }
    int headerSize = headerSize(packet, packet.position());
    if (headerSize < SIZE) {
      return "header_size " + headerSize + " is smaller than the 8-byte header";
    }
    if (headerSize > length) {
      return "header_size " + headerSize + " is beyond the end of the " + length + "-byte packet";
    }
    return null;
  }

  /** The {@code header_size} field of the header starting at {@code at}. */
  public static int headerSize(ByteBuffer buffer, int at) {
    return uint16(buffer, at);
  }

  /** The {@code message_type} field of the header starting at {@code at}. */
  public static int messageType(ByteBuffer buffer, int at) {
    return uint16(buffer, at + 2);
  }

  /** The {@code dropped_count} field of the header starting at {@code at}, as an unsigned value. */
  public static long droppedCount(ByteBuffer buffer, int at) {
    return uint16(buffer, at + 4) | (long) uint16(buffer, at + 6) << 16;
  }

  /** Writes this header at the buffer's position, advancing it by {@link #headerSize()} bytes. */
  public void writeTo(ByteBuffer dst) {
    int at = dst.position();
    putUint16(dst, at, headerSize);
    putUint16(dst, at + 2, messageType);
    putUint16(dst, at + 4, (int) (droppedCount & 0xFFFF));
    putUint16(dst, at + 6, (int) (droppedCount >>> 16));
    for (int i = SIZE; i < headerSize; i++) {
      dst.put(at + i, (byte) 0);
    }
    dst.position(at + headerSize);
  }

  private static int uint16(ByteBuffer buffer, int at) {
    return (buffer.get(at) & 0xFF) | (buffer.get(at + 1) & 0xFF) << 8;
  }

  private static void putUint16(ByteBuffer buffer, int at, int value) {
    buffer.put(at, (byte) value);
    buffer.put(at + 1, (byte) (value >>> 8));
  }
}
