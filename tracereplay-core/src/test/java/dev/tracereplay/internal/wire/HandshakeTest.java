package dev.tracereplay.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hand-written encoding and decoding against the generated
 * {@code dev.tracereplay.points.common.Handshake}, which is the reference: same bytes out, and for
 * every input the same version or the same refusal.
 */
class HandshakeTest {

  /** What the generated parser makes of {@code packet}: the version, or null when it refuses it. */
  private static Integer generated(byte[] packet) {
    try {
      return dev.tracereplay.points.common.Handshake.parseFrom(ByteBuffer.wrap(packet)).getVersion();
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }

  /** What {@link Handshake#decode} makes of {@code packet}, in the same terms. */
  private static Integer handWritten(byte[] packet) {
    try {
      return Handshake.decode(ByteBuffer.wrap(packet));
    } catch (HandshakeException e) {
      return null;
    }
  }

  private static void assertSameAsGenerated(byte[] packet) {
    assertThat(handWritten(packet))
        .as("decoding %s", HexFormat.ofDelimiter(" ").formatHex(packet))
        .isEqualTo(generated(packet));
  }

  private static byte[] bytes(int... values) {
    byte[] bytes = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      bytes[i] = (byte) values[i];
    }
    return bytes;
  }

  /** Every varint length's edges, the sign bit, and random values. */
  static IntStream versions() {
    return IntStream.concat(
        IntStream.of(0, 1, 2, 127, 128, 255, 16_383, 16_384, 2_097_151, 2_097_152, 268_435_455, 268_435_456,
            Integer.MAX_VALUE, Integer.MIN_VALUE, -1, -128),
        new Random(1).ints(100_000));
  }

  @Nested
  class Encode {

    @Test
    void writesTheBytesOfTheGeneratedClass() {
      versions().forEach(version -> {
        byte[] expected = dev.tracereplay.points.common.Handshake.newBuilder().setVersion(version).build()
            .toByteArray();

        ByteBuffer encoded = Handshake.encode(version);

        assertThat(encoded.position()).isZero();
        byte[] actual = new byte[encoded.remaining()];
        encoded.get(actual);
        assertThat(actual).as("version %d", version).isEqualTo(expected);
      });
    }

    @Test
    void version1IsRunscsTwoBytes() {
      assertThat(Handshake.encode(Handshake.CURRENT_VERSION)).isEqualTo(ByteBuffer.wrap(bytes(0x08, 0x01)));
    }

    @Test
    void version0IsAnEmptyPacket() {
      assertThat(Handshake.encode(0).remaining()).isZero();
    }
  }

  @Nested
  class Decode {

    @Test
    void readsWhatEncodeWrites() {
      versions().forEach(version -> assertThat(handWritten(bytesOf(Handshake.encode(version))))
          .as("version %d", version).isEqualTo(version));
    }

    private static byte[] bytesOf(ByteBuffer buffer) {
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    }

    static Stream<byte[]> cases() {
      return Stream.of(
          bytes(),
          bytes(0x08, 0x01),
          bytes(0x08, 0x00),
          bytes(0x88, 0x00, 0x01),                              // the tag itself in two bytes
          bytes(0x08, 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00), // 10-byte varint
          bytes(0x08, 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f), // 10th byte's high bits dropped
          bytes(0x08, 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00), // 11 bytes
          bytes(0x08, 0xff, 0xff, 0xff, 0xff, 0x0f),            // 0xffffffff
          bytes(0x08, 0xff, 0xff, 0xff, 0xff, 0x7f),            // more than 32 bits: cut
          bytes(0x08, 0x01, 0x08, 0x02),                        // the last one counts
          bytes(0x08),                                          // no value
          bytes(0x08, 0x80),                                    // truncated varint
          bytes(0x80),                                          // truncated tag
          bytes(0x00),                                          // tag 0
          bytes(0x80, 0x00),                                    // tag 0 in two bytes
          bytes(0x07, 0x00),                                    // field 0 with an invalid wire type
          bytes(0x10, 0x05, 0x08, 0x03),                        // unknown varint field 2
          bytes(0x09, 1, 2, 3, 4, 5, 6, 7, 8, 0x08, 0x04),      // field 1 as fixed64: unknown, skipped
          bytes(0x09, 1, 2, 3, 4, 5, 6, 7),                     // fixed64 cut short
          bytes(0x0d, 1, 2, 3, 4, 0x08, 0x04),                  // field 1 as fixed32
          bytes(0x0d, 1, 2, 3),                                 // fixed32 cut short
          bytes(0x0a, 0x02, 0x08, 0x07, 0x08, 0x05),            // field 1 as bytes: skipped, not parsed
          bytes(0x0a, 0x03, 0x08, 0x07),                        // length past the end
          bytes(0x0a, 0x00),                                    // empty bytes
          bytes(0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f),            // negative length
          bytes(0x0a, 0xff, 0xff, 0xff, 0xff, 0x07),            // huge length
          bytes(0x0a, 0x80, 0x80, 0x80, 0x80, 0x10),            // length whose low 32 bits are 0
          bytes(0x0b, 0x0c, 0x08, 0x09),                        // empty group of field 1
          bytes(0x0b, 0x08, 0x07, 0x0c),                        // group holding a field 1: not the version
          bytes(0x0b, 0x14),                                    // group 1 ended by group 2's end
          bytes(0x0b),                                          // group never ended
          bytes(0x0b, 0x08, 0x07),                              // group never ended
          bytes(0x0c),                                          // end group at the top
          bytes(0x08, 0x01, 0x0c, 0x08, 0x02),                  // end group at the top, then more
          bytes(0x0e, 0x00),                                    // wire type 6
          bytes(0x0f, 0x00),                                    // wire type 7
          bytes(0xf8, 0xff, 0xff, 0xff, 0x0f, 0x01),            // the largest field number, varint
          bytes(0xf8, 0xff, 0xff, 0xff, 0xff, 0x01, 0x01),      // tag above 32 bits: cut to field 0x1fffffff
          bytes(0x88, 0x80, 0x80, 0x80, 0x10, 0x05),            // tag with bit 32 set: cut to 8
          bytes(0x88, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x05), // 10-byte tag
          bytes(0x88, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x05), // 11-byte tag
          bytes(0x08, 0x01, 0x00));                             // a zero byte after a good field
    }

    @ParameterizedTest
    @MethodSource("cases")
    void agreesWithTheGeneratedParser(byte[] packet) {
      assertSameAsGenerated(packet);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 99, 100, 101, 102, 500})
    void nestedGroupsAreRefusedBeyondProtobufsRecursionLimit(int depth) {
      ByteArrayOutputStream packet = new ByteArrayOutputStream();
      for (int i = 0; i < depth; i++) {
        packet.write(0x13); // start group, field 2
      }
      for (int i = 0; i < depth; i++) {
        packet.write(0x14); // end group, field 2
      }
      packet.write(0x08);
      packet.write(0x03);

      assertSameAsGenerated(packet.toByteArray());
      assertThat(handWritten(packet.toByteArray())).isEqualTo(depth <= Handshake.MAX_GROUP_DEPTH ? 3 : null);
    }

    /** Random packets made of the bytes that matter: tags, continuation bits, lengths. */
    @Test
    void agreesWithTheGeneratedParserOnRandomPackets() {
      int[] alphabet = {
          0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
          0x10, 0x12, 0x13, 0x14, 0x15, 0x1b, 0x1c, 0x7f, 0x80, 0x81, 0xff};
      Random random = new Random(20_240_917);
      for (int i = 0; i < 200_000; i++) {
        byte[] packet = new byte[random.nextInt(16)];
        for (int j = 0; j < packet.length; j++) {
          packet[j] = (byte) alphabet[random.nextInt(alphabet.length)];
        }
        assertSameAsGenerated(packet);
      }
    }

    /** Well-formed messages with unknown fields, then the same cut short or with one byte changed. */
    @Test
    void agreesWithTheGeneratedParserOnMessagesWithUnknownFieldsAndTheirDamagedCopies() throws Exception {
      Random random = new Random(7);
      for (int i = 0; i < 3_000; i++) {
        byte[] message = randomMessage(random, 0).toByteArray();
        assertThat(handWritten(message)).isNotNull();
        assertSameAsGenerated(message);
        for (int cut = 0; cut < message.length; cut++) {
          assertSameAsGenerated(Arrays.copyOf(message, cut));
        }
        if (message.length > 0) {
          byte[] damaged = message.clone();
          damaged[random.nextInt(damaged.length)] = (byte) random.nextInt(256);
          assertSameAsGenerated(damaged);
        }
      }
    }

    private ByteArrayOutputStream randomMessage(Random random, int depth) throws Exception {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      CodedOutputStream coded = CodedOutputStream.newInstance(out);
      int fields = random.nextInt(5);
      for (int i = 0; i < fields; i++) {
        int number = 1 + random.nextInt(random.nextBoolean() ? 3 : 1_000_000);
        switch (random.nextInt(depth < 3 ? 6 : 5)) {
          case 0 -> coded.writeUInt32(number, random.nextInt());
          case 1 -> coded.writeUInt64(number, random.nextLong());
          case 2 -> coded.writeFixed32(number, random.nextInt());
          case 3 -> coded.writeFixed64(number, random.nextLong());
          case 4 -> {
            byte[] bytes = new byte[random.nextInt(20)];
            random.nextBytes(bytes);
            coded.writeByteArray(number, bytes);
          }
          default -> {
            coded.writeTag(number, 3);
            coded.flush();
            out.write(randomMessage(random, depth + 1).toByteArray());
            coded.writeTag(number, 4);
          }
        }
      }
      coded.flush();
      return out;
    }

    @Test
    void readsBetweenPositionAndLimitAndLeavesThePositionAlone() throws Exception {
      ByteBuffer buffer = ByteBuffer.allocateDirect(8);
      buffer.put(bytes(0x08, 0x7f, 0x08, 0x05, 0x08, 0x7f));
      buffer.position(2).limit(4);

      assertThat(Handshake.decode(buffer)).isEqualTo(5);
      assertThat(buffer.position()).isEqualTo(2);
      assertThat(buffer.limit()).isEqualTo(4);
    }

    @Test
    void saysWhatIsWrongAndAtWhichByte() {
      assertThatThrownBy(() -> Handshake.decode(ByteBuffer.wrap(bytes(0xff))))
          .isInstanceOf(HandshakeException.class)
          .hasMessage("handshake message is not a gvisor.common.Handshake: a varint cut short by the end"
              + " of the packet at byte 0 of 1");
      assertThatThrownBy(() -> Handshake.decode(ByteBuffer.wrap(bytes(0x08, 0x01, 0x0a, 0x05, 0x00))))
          .hasMessage("handshake message is not a gvisor.common.Handshake: a length-delimited field of 5 bytes"
              + " cut short by the end of the packet at byte 2 of 5");
      assertThatThrownBy(() -> Handshake.decode(ByteBuffer.wrap(bytes(0x08, 0x01, 0x0f))))
          .hasMessage("handshake message is not a gvisor.common.Handshake: a field of the invalid wire type 7"
              + " at byte 2 of 3");
      assertThatThrownBy(() -> Handshake.decode(ByteBuffer.wrap(bytes(0x00))))
          .hasMessage("handshake message is not a gvisor.common.Handshake: a field with the invalid number 0"
              + " at byte 0 of 1");
      assertThatThrownBy(() -> Handshake.decode(ByteBuffer.wrap(bytes(0x0c))))
          .hasMessage("handshake message is not a gvisor.common.Handshake: an end-group tag outside of any group"
              + " at byte 0 of 1");
    }
  }

  @Test
  void checkVersionPassesASupportedVersionAndNamesTheSettingOfAnother() {
    assertThat(Handshake.checkVersion("handshake version", 1)).isEqualTo(1);
    assertThat(Handshake.checkVersion("handshake version", 7)).isEqualTo(7);
    // Versions are unsigned 32-bit numbers on the wire: -1 is 4294967295, a (future) version.
    assertThat(Handshake.checkVersion("handshake version", -1)).isEqualTo(-1);
    assertThatThrownBy(() -> Handshake.checkVersion("handshake version", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("handshake version must be at least 1, was 0");
  }
}
