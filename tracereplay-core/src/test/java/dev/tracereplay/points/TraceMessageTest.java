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
}
