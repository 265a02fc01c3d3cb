package dev.tracereplay.points;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.tracereplay.wire.MalformedMessageException;
import dev.tracereplay.wire.MessageHeader;
import dev.tracereplay.wire.MessageType;
import java.nio.ByteBuffer;
import java.util.OptionalLong;

/**
 * One trace message, received or recorded: its header fields, its raw packet and payload, its
 * payload decoded on demand, and where it came from (a record of a file, or a message of a
 * connection).
 *
 * <p>A message wraps the packet buffer it is given without copying it, so it is only as long-lived
 * as that buffer: a message from {@link TraceMessageReader} or from a {@link TraceMessageHandler}
 * is valid until the next message is read or the handler call returns. {@link #decode()} copies
 * what it needs out of the buffer (the payload is copied once, into the protobuf message), and
 * {@link #copy()} makes a message that owns its bytes, to keep. (Protobuf reads a direct or a
 * writable heap buffer in place; a read-only heap buffer it first copies, so do not wrap one on a
 * hot path.)
 *
 * <p>Not thread-safe (the decoded payload is cached); a {@link #copy()} may be handed to another
 * thread.
 */
public final class TraceMessage {
  /** The {@link #fileOffset()} of a message that does not come from a file. */
  public static final long NOT_FROM_FILE = -1;

  /** The packet between index 0 and its limit; writable or not, never handed out as is. */
  private final ByteBuffer packet;
  private final int headerSize;
  private final int messageType;
  private final long droppedCount;
  private final long number;
  private final long fileOffset;
  private DecodeResult decoded;

  private TraceMessage(ByteBuffer packet, long number, long fileOffset) {
    this.packet = packet;
    this.headerSize = MessageHeader.headerSize(packet, 0);
    this.messageType = MessageHeader.messageType(packet, 0);
    this.droppedCount = MessageHeader.droppedCount(packet, 0);
    this.number = number;
    this.fileOffset = fileOffset;
  }

  /**
   * Wraps the packet between {@code packet}'s position and limit, received as message
   * {@code number} of a connection. The buffer's position and limit are not changed.
   *
   * @param number the message's 1-based number on its connection (the handshake not counted)
   * @throws MalformedMessageException when the packet is shorter than its header (see
   *     {@link MessageHeader#malformation})
   */
  public static TraceMessage wrap(ByteBuffer packet, long number) throws MalformedMessageException {
    return wrap(packet, number, NOT_FROM_FILE);
  }

  /**
   * Wraps the packet between {@code packet}'s position and limit, read as record {@code recordNumber}
   * of a trace file. The buffer's position and limit are not changed.
   *
   * @param recordNumber the record's 1-based number in the file
   * @param fileOffset the byte offset of the record's size prefix in the file
   * @throws MalformedMessageException when the packet is shorter than its header
   */
  public static TraceMessage wrap(ByteBuffer packet, long recordNumber, long fileOffset)
      throws MalformedMessageException {
    String problem = MessageHeader.malformation(packet);
    if (problem != null) {
      throw new MalformedMessageException(where(recordNumber, fileOffset) + " is malformed: " + problem);
    }
    return new TraceMessage(packet.slice(), recordNumber, fileOffset);
  }

  /** The header's {@code header_size}: 8 today; the payload starts there. */
  public int headerSize() {
    return headerSize;
  }

  /** The header's {@code message_type} number, also when this library does not know it. */
  public int messageType() {
    return messageType;
  }

  /** The known type, or {@code null} when {@link #messageType()} is 0 or newer than this library. */
  public MessageType type() {
    return MessageType.forNumber(messageType);
  }

  /** The header's {@code dropped_count}: points the sender dropped so far (unsigned 32 bits, wraps). */
  public long droppedCount() {
    return droppedCount;
  }

  /** The size of the whole packet in bytes, header included. */
  public int size() {
    return packet.limit();
  }

  /** The whole packet (header and payload) as a new read-only view from position 0. */
  public ByteBuffer packet() {
    return packet.asReadOnlyBuffer();
  }

  /** The payload (from {@link #headerSize()} to the end, possibly empty) as a new read-only view. */
  public ByteBuffer payload() {
    return payloadView().asReadOnlyBuffer();
  }

  /**
   * The payload decoded as the protobuf class of its type; computed once, then cached. Never throws:
   * an unknown type or a payload that is not valid protobuf gives a result that says so, and so
   * does a payload nested more than 100 levels deep, which protobuf would parse but could not
   * print (its text printer, behind {@code toString()}, recurses into unknown fields without a
   * limit): a decoded payload is always safe to print.
   */
  public DecodeResult decode() {
    if (decoded == null) {
      decoded = decodePayload();
    }
    return decoded;
  }

  /**
   * The decoded payload when it is an instance of {@code payloadClass}, e.g. {@code as(Open.class)}.
   *
   * @throws IllegalStateException naming this message and what was found, when the payload is of
   *     another type, unknown or undecodable
   */
  public <T extends Message> T as(Class<T> payloadClass) {
    DecodeResult result = decode();
    if (result instanceof DecodeResult.Decoded d && payloadClass.isInstance(d.message())) {
      return payloadClass.cast(d.message());
    }
    throw new IllegalStateException(where() + ": expected a payload of class " + payloadClass.getSimpleName()
        + " but found " + (result instanceof DecodeResult.Decoded d ? d.message().getClass().getSimpleName() : result));
  }

  /**
   * The payload's {@code context_data.time_ns}, read from the raw bytes without decoding; empty
   * when the trace session did not ask for the {@code time} context field (or the payload is not
   * readable).
   */
  public OptionalLong timeNs() {
    long time = ContextTime.timeNs(packet, headerSize, packet.limit());
    return time == ContextTime.NONE ? OptionalLong.empty() : OptionalLong.of(time);
  }

  /** The 1-based record number in the file, or message number on the connection. */
  public long number() {
    return number;
  }

  /** The byte offset of the record's size prefix in its file, or {@link #NOT_FROM_FILE}. */
  public long fileOffset() {
    return fileOffset;
  }

  /** Where the message came from, for messages: {@code record 3 (byte offset 120)} or {@code message 3}. */
  public String where() {
    return where(number, fileOffset);
  }

  /**
   * A message that owns a heap copy of the packet, with the same number, offset and (when already
   * decoded) decoded payload: to keep a message beyond the life of the buffer it came in.
   */
  public TraceMessage copy() {
    ByteBuffer own = ByteBuffer.allocate(packet.limit());
    own.put(packet.duplicate().clear()).flip();
    TraceMessage copy = new TraceMessage(own, number, fileOffset);
    copy.decoded = decoded;
    return copy;
  }

  /** A short description: where, type, size and dropped count; not the payload. */
  @Override
  public String toString() {
    return where() + ": " + MessageType.nameOf(messageType) + ", " + size() + " bytes, dropped_count "
        + droppedCount;
  }

  private ByteBuffer payloadView() {
    return packet.duplicate().clear().position(headerSize);
  }

  private DecodeResult decodePayload() {
    MessageType type = type();
    if (type == null) {
      return new DecodeResult.UnknownType(messageType);
    }
    try {
      // Parsing from the buffer itself reads a heap buffer's array or a direct buffer's memory in
      // place; the payload's bytes are copied once, into the message's fields.
      Message payload = TracePoints.parser(type).parseFrom(payloadView());
      if (NestingDepth.isTooDeep(payloadView(), payload)) {
        return new DecodeResult.Undecodable(type, new InvalidProtocolBufferException("the payload nests messages"
            + " more than " + NestingDepth.MAX_DEPTH + " levels deep (fields this library does not know, read"
            + " as messages); no trace point does, and printing it would overflow the stack"));
      }
      return new DecodeResult.Decoded(type, payload);
    } catch (InvalidProtocolBufferException e) {
      return new DecodeResult.Undecodable(type, e);
    } catch (RuntimeException e) {
      // Untrusted bytes must not escape as an unexpected exception into a receiver's thread.
      InvalidProtocolBufferException wrapped = new InvalidProtocolBufferException(
          "the payload could not be parsed: " + e);
      wrapped.initCause(e);
      return new DecodeResult.Undecodable(type, wrapped);
    }
  }

  private static String where(long number, long fileOffset) {
    return fileOffset == NOT_FROM_FILE ? "message " + number : "record " + number + " (byte offset " + fileOffset + ")";
  }
}
