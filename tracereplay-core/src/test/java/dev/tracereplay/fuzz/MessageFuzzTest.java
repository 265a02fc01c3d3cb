package dev.tracereplay.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import dev.tracereplay.points.common.CommonProto;
import dev.tracereplay.points.container.ContainerProto;
import dev.tracereplay.points.sentry.SentryProto;
import dev.tracereplay.points.syscall.SyscallProto;
import dev.tracereplay.wire.MalformedMessageException;
import dev.tracereplay.wire.MessageHeader;
import dev.tracereplay.wire.MessageType;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Arbitrary packets through the message header and the payload decoding: {@link MessageHeader}
 * throws nothing but {@link MalformedMessageException} and its two entry points agree; the payload
 * of every {@link MessageType} decodes with the generated protobuf parser, or fails with
 * {@link InvalidProtocolBufferException} and nothing else.
 *
 * <p>Decoding goes through the generated classes directly for now; once {@code TraceMessage.decode()}
 * lands it should go through that instead.
 */
@Timeout(10)
class MessageFuzzTest {
  /** Where the packet is copied in a larger buffer, so that the reads are checked to honour the position. */
  private static final int SHIFT = 5;

  private static final Map<MessageType, Parser<? extends Message>> PARSERS = parsersOfEveryType();

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

  /** Any packet whose header is well-formed and names a known type: its payload is decoded by that type's parser. */
  @FuzzTest
  void payloadOfEveryTypeDecodesOrIsInvalid(byte[] packet) throws MalformedMessageException {
    ByteBuffer buffer = ByteBuffer.wrap(packet);
    if (MessageHeader.malformation(buffer) != null) {
      return;
    }
    MessageHeader header = MessageHeader.read(buffer);
    MessageType type = header.type();
    if (type == null) {
      return;
    }
    ByteBuffer payload = buffer.duplicate().position(header.headerSize());
    Parser<? extends Message> parser = PARSERS.get(type);
    Message message;
    try {
      message = parser.parseFrom(payload);
    } catch (InvalidProtocolBufferException invalid) {
      return;
    }
    assertThat(message.getDescriptorForType().getFullName()).isEqualTo(type.payloadMessage());
    // What decoded re-encodes into bytes that decode to the same message (unknown fields kept).
    Message again = parse(parser, message.toByteArray());
    assertThat(again).isEqualTo(message);
  }

  @Test
  void everyMessageTypeHasTheParserOfItsPayload() {
    assertThat(PARSERS).hasSize(MessageType.values().length);
    PARSERS.forEach((type, parser) -> assertThat(
        parse(parser, new byte[0]).getDescriptorForType().getFullName()).isEqualTo(type.payloadMessage()));
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
  private static Map<MessageType, Parser<? extends Message>> parsersOfEveryType() {
    List<FileDescriptor> files = List.of(CommonProto.getDescriptor(), ContainerProto.getDescriptor(),
        SentryProto.getDescriptor(), SyscallProto.getDescriptor());
    Map<MessageType, Parser<? extends Message>> parsers = new EnumMap<>(MessageType.class);
    for (MessageType type : MessageType.values()) {
      Descriptor descriptor = files.stream()
          .map(file -> file.findMessageTypeByName(type.payloadName()))
          .filter(found -> found != null && found.getFullName().equals(type.payloadMessage()))
          .findFirst()
          .orElseThrow(() -> new IllegalStateException("no message " + type.payloadMessage() + " in the schema"));
      String className = descriptor.getFile().getOptions().getJavaPackage() + "." + descriptor.getName();
      try {
        @SuppressWarnings("unchecked")
        Parser<? extends Message> parser =
            (Parser<? extends Message>) Class.forName(className).getMethod("parser").invoke(null);
        parsers.put(type, parser);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("no generated class " + className + " for " + type, e);
      }
    }
    return parsers;
  }
}
