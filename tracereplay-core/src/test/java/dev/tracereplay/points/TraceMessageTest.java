package dev.tracereplay.points;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Message;
import dev.tracereplay.points.common.ContextData;
import dev.tracereplay.points.container.Start;
import dev.tracereplay.points.syscall.Exit;
import dev.tracereplay.points.syscall.Open;
import dev.tracereplay.wire.MalformedMessageException;
import dev.tracereplay.wire.MessageType;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.FieldSource;

class TraceMessageTest {
  static final List<MessageType> ALL_TYPES = Arrays.asList(MessageType.values());

  @Test
  void theTypesUnderTestAreTheNumbers1To38() {
    assertThat(ALL_TYPES).extracting(MessageType::number)
        .containsExactlyElementsOf(IntStream.rangeClosed(1, 38).boxed().toList());
  }

  @ParameterizedTest
  @FieldSource("ALL_TYPES")
  void everyTypeRoundTripsThroughItsClass(MessageType type) throws Exception {
    Message payload = Payloads.populated(type);
    assertThat(payload.getAllFields()).hasSize(payload.getDescriptorForType().getFields().size());

    TraceMessage message = TraceMessage.wrap(TracePoints.encode(payload, 7), 1);

    assertThat(message.type()).isEqualTo(type);
    assertThat(message.messageType()).isEqualTo(type.number());
    assertThat(message.headerSize()).isEqualTo(8);
    assertThat(message.droppedCount()).isEqualTo(7);
    assertThat(message.decode()).isEqualTo(new DecodeResult.Decoded(type, payload));
    assertThat(message.decode().payload()).containsInstanceOf(TracePoints.payloadClass(type));
  }

  @Test
  void aHeaderLargerThan8BytesIsSkipped() throws Exception {
    Open open = Open.newBuilder().setSysno(257).setPathname("/etc/passwd").build();
    ByteBuffer packet = Payloads.packet(24, MessageType.SYSCALL_OPEN.number(), 3, open.toByteArray());

    TraceMessage message = TraceMessage.wrap(packet, 9);

    assertThat(message.headerSize()).isEqualTo(24);
    assertThat(message.payload().remaining()).isEqualTo(open.getSerializedSize());
    assertThat(message.as(Open.class)).isEqualTo(open);
  }

  @Test
  void wrapsThePacketBetweenPositionAndLimitWithoutMovingThem() throws Exception {
    ByteBuffer packet = TracePoints.encode(Start.newBuilder().setId("c1").build(), 0);
    ByteBuffer framed = ByteBuffer.allocateDirect(packet.remaining() + 10);
    framed.position(4);
    framed.put(packet.duplicate());
    framed.limit(framed.position()).position(4);

    TraceMessage message = TraceMessage.wrap(framed, 1);

    assertThat(framed.position()).isEqualTo(4);
    assertThat(message.packet()).isEqualTo(packet);
    assertThat(message.packet().isReadOnly()).isTrue();
    assertThat(message.payload().isReadOnly()).isTrue();
    assertThat(message.as(Start.class).getId()).isEqualTo("c1");
  }

  @Test
  void anEmptyPayloadDecodesToTheDefaultMessage() throws Exception {
    TraceMessage message = TraceMessage.wrap(Payloads.packet(8, 8, 0, new byte[0]), 1);

    assertThat(message.decode()).isEqualTo(new DecodeResult.Decoded(MessageType.SYSCALL_CLOSE,
        TracePoints.defaultInstance(MessageType.SYSCALL_CLOSE)));
  }

  @ParameterizedTest
  @EnumSource(names = {"CONTAINER_START", "SYSCALL_OPEN", "SENTRY_MMAP"})
  void timeNsIsReadFromTheRawPayload(MessageType type) throws Exception {
    Message payload = TracePoints.defaultInstance(type).toBuilder()
        .setField(TracePoints.defaultInstance(type).getDescriptorForType().findFieldByNumber(1),
            ContextData.newBuilder().setThreadId(4).setTimeNs(1_795_660_244_034_833_431L).setCwd("/").build())
        .build();

    TraceMessage message = TraceMessage.wrap(TracePoints.encode(payload, 0), 1);

    assertThat(message.timeNs()).hasValue(1_795_660_244_034_833_431L);
  }

  @Test
  void timeNsIsEmptyWithoutTimeContext() throws Exception {
    TraceMessage message = TraceMessage.wrap(TracePoints.encode(
        Open.newBuilder().setContextData(ContextData.newBuilder().setThreadId(3)).setSysno(2).build(), 0), 1);

    assertThat(message.timeNs()).isEqualTo(OptionalLong.empty());
  }

  @Test
  void copyOutlivesTheBufferItCameIn() throws Exception {
    Open open = Open.newBuilder().setPathname("/a").setExit(Exit.newBuilder().setResult(3)).build();
    ByteBuffer buffer = TracePoints.encode(open, 0);
    TraceMessage copy = TraceMessage.wrap(buffer, 5, 100).copy();

    buffer.put(0, (byte) 0).put(8, (byte) 0xFF);

    assertThat(copy.headerSize()).isEqualTo(8);
    assertThat(copy.as(Open.class)).isEqualTo(open);
    assertThat(copy.where()).isEqualTo("record 5 (byte offset 100)");
  }

  @Test
  void describesWhereItCameFrom() throws Exception {
    ByteBuffer packet = TracePoints.encode(Start.getDefaultInstance(), 2);

    assertThat(TraceMessage.wrap(packet, 3).toString()).isEqualTo("message 3: CONTAINER_START, 8 bytes, dropped_count 2");
    assertThat(TraceMessage.wrap(packet, 3, 120).fileOffset()).isEqualTo(120);
    assertThat(TraceMessage.wrap(packet, 3).fileOffset()).isEqualTo(TraceMessage.NOT_FROM_FILE);
  }

  @Nested
  class Failures {
    @Test
    void anUnknownTypeIsAResultNotAnException() throws Exception {
      TraceMessage message = TraceMessage.wrap(Payloads.packet(8, 99, 0, new byte[] {8, 1}), 1);

      assertThat(message.type()).isNull();
      assertThat(message.decode()).isEqualTo(new DecodeResult.UnknownType(99));
      assertThat(message.decode().payload()).isEmpty();
      assertThat(message.payload().remaining()).isEqualTo(2);
    }

    @Test
    void typeZeroIsUnknown() throws Exception {
      assertThat(TraceMessage.wrap(Payloads.packet(8, 0, 0, new byte[0]), 1).decode())
          .isEqualTo(new DecodeResult.UnknownType(0));
    }

    @Test
    void anUndecodablePayloadIsAResultNotAnException() throws Exception {
      // Field 1 (context_data) announced with 100 bytes, but only 2 follow.
      TraceMessage message = TraceMessage.wrap(Payloads.packet(8, 7, 0, new byte[] {0x0A, 100, 1, 2}), 1);

      DecodeResult result = message.decode();

      assertThat(result).isInstanceOfSatisfying(DecodeResult.Undecodable.class, undecodable -> {
        assertThat(undecodable.type()).isEqualTo(MessageType.SYSCALL_OPEN);
        assertThat(undecodable.error()).hasMessageStartingWith("While parsing a protocol message, the input ended unexpectedly");
      });
      assertThat(result.isDecoded()).isFalse();
      assertThat(result.toString()).startsWith("undecodable gvisor.syscall.Open payload: ");
    }

    @Test
    void aPayloadWithAnInvalidWireTypeIsUndecodable() throws Exception {
      TraceMessage message = TraceMessage.wrap(Payloads.packet(8, 1, 0, new byte[] {0x0F, 0x0F, 0x0F}), 1);

      assertThat(message.decode()).isInstanceOf(DecodeResult.Undecodable.class);
      assertThat(message.timeNs()).isEmpty();
    }

    @Test
    void asNamesWhatWasFound() throws Exception {
      TraceMessage message = TraceMessage.wrap(TracePoints.encode(Start.getDefaultInstance(), 0), 4);

      assertThatThrownBy(() -> message.as(Open.class))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("message 4: expected a payload of class Open but found Start");
    }

    @Test
    void aPacketShorterThanTheHeaderIsMalformed() {
      assertThatThrownBy(() -> TraceMessage.wrap(ByteBuffer.wrap(new byte[] {8, 0, 1}), 2, 50))
          .isInstanceOf(MalformedMessageException.class)
          .hasMessage("record 2 (byte offset 50) is malformed: packet of 3 bytes is shorter than the 8-byte message header");
    }

    @Test
    void aHeaderSizeBeyondThePacketIsMalformed() {
      assertThatThrownBy(() -> TraceMessage.wrap(Payloads.packet(8, 7, 0, new byte[0]).put(0, (byte) 9), 6))
          .isInstanceOf(MalformedMessageException.class)
          .hasMessage("message 6 is malformed: header_size 9 is beyond the end of the 8-byte packet");
    }
  }

  /**
   * Protobuf's text printer (behind every payload's toString()) recurses into unknown fields that
   * parse as messages without a limit: one 5.9 KB packet, field 1 nested 2,000 deep, overflowed the
   * stack of whatever printed it. Payloads nested more than 100 levels are undecodable.
   */
  @Nested
  class DeepNesting {
    private static final String TOO_DEEP = "the payload nests messages more than 100 levels deep (fields this"
        + " library does not know, read as messages); no trace point does, and printing it would overflow the"
        + " stack";

    @Test
    void aPayloadNestedTwoThousandDeepIsUndecodableAndPrintsAsSuch() throws Exception {
      byte[] bomb = Payloads.nested(2000);
      assertThat(bomb.length).isBetween(5900, 6000);
      TraceMessage message = TraceMessage.wrap(Payloads.packet(8, MessageType.SYSCALL_OPEN.number(), 0, bomb), 1);

      assertThat(message.decode()).isInstanceOfSatisfying(DecodeResult.Undecodable.class,
          undecodable -> assertThat(undecodable.error()).hasMessage(TOO_DEEP));
      assertThat(TracePrinter.textLine(message))
          .isEqualTo("Undecodable Open payload (message_type 7, " + bomb.length + " bytes): " + TOO_DEEP);
      assertThat(TracePrinter.jsonLine(message)).contains("\"error\":\"undecodable gvisor.syscall.Open payload: "
          + TOO_DEEP + "\",\"rawPayload\":\"");
    }

    @Test
    void aHundredLevelsAreTooDeepAndNinetyNineAreNot() throws Exception {
      TraceMessage ninetyNine = TraceMessage.wrap(Payloads.packet(8, 7, 0, Payloads.nested(99)), 1);
      TraceMessage hundred = TraceMessage.wrap(Payloads.packet(8, 7, 0, Payloads.nested(100)), 1);

      assertThat(ninetyNine.decode().isDecoded()).isTrue();
      assertThat(TracePrinter.textLine(ninetyNine)).startsWith("E Open context_data {   1: {     1: {");
      assertThat(hundred.decode()).isInstanceOf(DecodeResult.Undecodable.class);
    }

    @Test
    void paddedTagsThatProtobufAcceptsDoNotHideTheNesting() throws Exception {
      byte[] padded = Payloads.nested(150, (byte) 0x8A, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x00);

      TraceMessage message = TraceMessage.wrap(Payloads.packet(8, 7, 0, padded), 1);

      assertThat(message.decode()).isInstanceOfSatisfying(DecodeResult.Undecodable.class,
          undecodable -> assertThat(undecodable.error()).hasMessage(TOO_DEEP));
    }

    @Test
    void aStringThatLooksNestedIsAString() throws Exception {
      String groupTags = "\u000b".repeat(150) + "\u000c".repeat(150);
      Open open = Open.newBuilder().setPathname(groupTags).build();

      TraceMessage message = TraceMessage.wrap(TracePoints.encode(open, 0), 1);

      assertThat(message.as(Open.class)).isEqualTo(open);
      assertThat(TracePrinter.textLine(message)).isEqualTo("E Open pathname: \"" + groupTags + "\" ");
    }

    @Test
    void unknownGroupsCountAsLevelsToo() throws Exception {
      // 60 levels of field 1 (known context_data, then unknown), then 60 groups of field 9 inside.
      byte[] groups = new byte[120];
      java.util.Arrays.fill(groups, 0, 60, (byte) 0x4B);
      java.util.Arrays.fill(groups, 60, 120, (byte) 0x4C);
      byte[] payload = groups;
      for (int i = 0; i < 60; i++) {
        byte[] level = new byte[payload.length + 3];
        level[0] = 0x0A;
        level[1] = (byte) (payload.length & 0x7F | 0x80);
        level[2] = (byte) (payload.length >>> 7);
        System.arraycopy(payload, 0, level, 3, payload.length);
        payload = level;
      }

      assertThat(TraceMessage.wrap(Payloads.packet(8, 7, 0, payload), 1).decode())
          .isInstanceOfSatisfying(DecodeResult.Undecodable.class,
              undecodable -> assertThat(undecodable.error()).hasMessage(TOO_DEEP));
    }
  }
}
