package dev.tracereplay.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import dev.tracereplay.points.DecodeResult;
import dev.tracereplay.points.TraceMessage;
import dev.tracereplay.points.TracePoints;
import dev.tracereplay.wire.MalformedMessageException;
import dev.tracereplay.wire.MessageHeader;
import dev.tracereplay.wire.MessageType;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Arbitrary packets through the message header and the payload decoding: {@link MessageHeader}
 * throws nothing but {@link MalformedMessageException} and its two entry points agree; the payload
 * of every {@link MessageType} decodes to its class, or is reported undecodable, and nothing else.
 *
 * <p>Decoding goes through {@link TraceMessage#decode()}, as a receiver's does.
 */
@Timeout(10)
class MessageFuzzTest {
  /** Where the packet is copied in a larger buffer, so that the reads are checked to honour the position. */
  private static final int SHIFT = 5;

  /** The header of any packet, read at position 0 and again at an offset in a direct buffer. */
  @FuzzTest
  void headerOfAnyPacketIsReadOrMalformed(byte[] packet) {
    ByteBuffer plain = ByteBuffer.wrap(packet);
    ByteBuffer shifted = ByteBuffer.allocateDirect(SHIFT + packet.length + 3);
    shifted.position(SHIFT).put(packet).put(new byte[] {1, 2, 3});
    shifted.position(SHIFT).limit(SHIFT + packet.length);

    Object fromPlain = readHeader(plain);
    assertThat(plain.position()).isZero();
    assertThat(plain.limit()).isEqualTo(packet.length);
    assertThat(readHeader(shifted)).as("the same packet at position %d", SHIFT).isEqualTo(fromPlain);
    assertThat(shifted.position()).isEqualTo(SHIFT);
  }

  /**
   * Any packet, decoded as a receiver does: {@link TraceMessage#decode()} never throws; an unknown
   * type, a decoded payload of its type's class, or an undecodable one, and nothing else.
   */
  @FuzzTest
  void payloadOfEveryTypeDecodesOrIsInvalid(byte[] packet) {
    TraceMessage message;
    try {
      message = TraceMessage.wrap(ByteBuffer.wrap(packet), 1);
    } catch (MalformedMessageException malformed) {
      assertThat(MessageHeader.malformation(ByteBuffer.wrap(packet))).isNotNull();
      return;
    }
    DecodeResult result = message.decode();
    MessageType type = message.type();
    if (type == null) {
      assertThat(result).isEqualTo(new DecodeResult.UnknownType(message.messageType()));
    } else if (result instanceof DecodeResult.Decoded decoded) {
      assertThat(decoded.message()).isInstanceOf(TracePoints.payloadClass(type));
      // A decoded payload prints: protobuf's text printer, behind toString(), recursed into unknown
      // fields without a limit (a 2,000-deep one overflowed the stack).
      assertThat(decoded.message().toString()).isNotNull();
      // What decoded re-encodes into bytes that decode to the same message (unknown fields kept).
      Message again = parse(TracePoints.parser(type), decoded.message().toByteArray());
      assertThat(again).isEqualTo(decoded.message());
    } else {
      assertThat(result).isInstanceOf(DecodeResult.Undecodable.class);
    }
  }

  @Test
  void everyMessageTypeHasTheParserOfItsPayload() {
    for (MessageType type : MessageType.values()) {
      assertThat(parse(TracePoints.parser(type), new byte[0]).getDescriptorForType().getFullName())
          .isEqualTo(type.payloadMessage());
    }
  }

  private static Message parse(Parser<? extends Message> parser, byte[] bytes) {
    try {
      return parser.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError("bytes that a message encoded to do not decode", e);
    }
  }

  /** The header, or the malformation message: the only two outcomes, and they must agree. */
  private static Object readHeader(ByteBuffer packet) {
    String problem = MessageHeader.malformation(packet);
    Throwable thrown = catchThrowable(() -> MessageHeader.read(packet));
    if (problem != null) {
      assertThat(thrown).isExactlyInstanceOf(MalformedMessageException.class).hasMessage(problem);
      return problem;
    }
    assertThat(thrown).isNull();
    MessageHeader header;
    try {
      header = MessageHeader.read(packet);
    } catch (MalformedMessageException e) {
      throw new AssertionError(e);
    }
    int at = packet.position();
    assertThat(header.headerSize()).isBetween(MessageHeader.SIZE, packet.remaining())
        .isEqualTo(MessageHeader.headerSize(packet, at));
    assertThat(header.messageType()).isEqualTo(MessageHeader.messageType(packet, at));
    assertThat(header.droppedCount()).isEqualTo(MessageHeader.droppedCount(packet, at));
    assertThat(header.type()).isEqualTo(MessageType.forNumber(header.messageType()));
    return header;
  }

  /**
   * The generated parser of each type's payload, found through the schema's descriptors by the
   * payload's full name: a type whose message is missing from the schema fails the class.
   */

}
