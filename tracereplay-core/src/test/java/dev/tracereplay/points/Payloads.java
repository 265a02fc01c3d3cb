package dev.tracereplay.points;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.tracereplay.wire.MessageHeader;
import dev.tracereplay.wire.MessageType;
import java.nio.ByteBuffer;

/** Builders of test payloads and packets. */
final class Payloads {
  private Payloads() {}

  /**
   * An instance of the payload class of {@code type} with every field, nested ones included, set to
   * a value that is not the default: negative and large numbers, non-ASCII strings, bytes with
   * high bits, two elements in repeated fields.
   */
  static Message populated(MessageType type) {
    return populate(TracePoints.defaultInstance(type).newBuilderForType(), 0);
  }

  private static Message populate(Message.Builder builder, int depth) {
    int seed = 1;
    for (FieldDescriptor field : builder.getDescriptorForType().getFields()) {
      seed++;
      if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        if (depth < 3) {
          Message nested = populate(builder.newBuilderForField(field), depth + 1);
          if (field.isRepeated()) {
            builder.addRepeatedField(field, nested).addRepeatedField(field, nested);
          } else {
            builder.setField(field, nested);
          }
        }
      } else if (field.isRepeated()) {
        builder.addRepeatedField(field, value(field, seed)).addRepeatedField(field, value(field, seed + 1));
      } else {
        builder.setField(field, value(field, seed));
      }
    }
    return builder.build();
  }

  private static Object value(FieldDescriptor field, int seed) {
    return switch (field.getType()) {
      case INT32, SINT32, SFIXED32 -> -1000 - seed;
      case UINT32, FIXED32 -> 0xF000_0000 + seed;
      case INT64, SINT64, SFIXED64 -> -1_795_660_244_034_833_431L - seed;
      case UINT64, FIXED64 -> 0xFFFF_FFFF_FFFF_FF00L + seed;
      case BOOL -> true;
      case STRING -> "/tmp/\u00fcn\u00efc\u00f8d\u00e9 \"" + field.getName() + "\"\t" + seed;
      case BYTES -> ByteString.copyFrom(new byte[] {0, 1, (byte) 0x7F, (byte) 0x80, (byte) 0xFF, (byte) seed});
      case ENUM -> field.getEnumType().getValues().get(field.getEnumType().getValues().size() - 1);
      case FLOAT -> 1.5f + seed;
      case DOUBLE -> 2.5 + seed;
      default -> throw new IllegalArgumentException("no test value for " + field);
    };
  }

  /** A packet with a header of {@code headerSize} bytes (extra bytes 0xEE) and the given payload bytes. */
  static ByteBuffer packet(int headerSize, int messageType, long droppedCount, byte[] payload) {
    ByteBuffer packet = ByteBuffer.allocate(headerSize + payload.length);
    new MessageHeader(headerSize, messageType, droppedCount).writeTo(packet);
    for (int i = MessageHeader.SIZE; i < headerSize; i++) {
      packet.put(i, (byte) 0xEE);
    }
    packet.put(payload);
    return packet.flip();
  }

  /**
   * A payload of field 1, length-delimited, holding itself {@code depth} times: protobuf keeps the
   * inner levels as unknown fields. {@code tag} is field 1's tag, e.g. padded to 5 bytes.
   */
  static byte[] nested(int depth, byte... tag) {
    byte[] inner = new byte[0];
    for (int i = 0; i < depth; i++) {
      java.io.ByteArrayOutputStream level = new java.io.ByteArrayOutputStream();
      level.writeBytes(tag.length == 0 ? new byte[] {0x0A} : tag);
      for (int length = inner.length; ; length >>>= 7) {
        if (length < 0x80) {
          level.write(length);
          break;
        }
        level.write(length & 0x7F | 0x80);
      }
      level.writeBytes(inner);
      inner = level.toByteArray();
    }
    return inner;
  }
}
