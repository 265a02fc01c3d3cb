package dev.tracereplay.points;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import com.google.protobuf.WireFormat;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * The limit on how deeply a payload may nest. Protobuf's parser keeps fields it does not know as
 * raw bytes, and its text printer (behind {@code toString()} and {@link TracePrinter}'s lines) prints
 * a length-delimited one as a nested message whenever its bytes parse as one, recursing without a
 * limit: one 5.9 KB packet with field 1 nested 2,000 deep overflowed the stack of whatever printed
 * it. {@link TraceMessage#decode()} reports a payload nested deeper than {@link #MAX_DEPTH} as
 * undecodable instead, so that every decoded payload is safe to print.
 *
 * <p>The check costs nothing for a payload shorter than 200 bytes (each level takes at least two);
 * a longer one is scanned once over its raw bytes, and only one that may be too deep is walked as
 * the text printer would walk it. Stateless and thread-safe.
 */
final class NestingDepth {
  /** The deepest nesting accepted, in messages within messages: protobuf's own parse limit. */
  static final int MAX_DEPTH = 100;

  private NestingDepth() {}

  /** Whether {@code payload}, decoded as {@code message}, nests deeper than {@link #MAX_DEPTH} when printed. */
  static boolean isTooDeep(ByteBuffer payload, Message message) {
    return mayBeTooDeep(payload) && tooDeep(message, 0);
  }

  /**
   * Whether the bytes between the buffer's position and limit may nest {@link #MAX_DEPTH} levels
   * deep, reading every length-delimited field and group as a nested message (so it may say yes
   * for a string that only looks like messages; never no for a payload that is too deep). One
   * pass, no allocation beyond a small stack: a level that is not a message is left at once.
   */
  static boolean mayBeTooDeep(ByteBuffer payload) {
    int at = payload.position();
    int end = payload.limit();
    if (end - at < 2 * MAX_DEPTH) {
      return false;
    }
    int[] ends = new int[MAX_DEPTH + 1];
    boolean[] group = new boolean[MAX_DEPTH + 1];
    int depth = 0;
    ends[0] = end;
    while (true) {
      int levelEnd = ends[depth];
      if (at >= levelEnd) {
        if (depth == 0) {
          return false;
        }
        at = ends[depth--];
        continue;
      }
      int next = varintEnd(payload, at, levelEnd);
      int tag = next < 0 ? 0 : int32(payload, at, next);
      if (tag >>> 3 == 0) {
        at = levelEnd;   // not a message: leave this level
        continue;
      }
      at = next;
      switch (tag & 7) {
        case WireFormat.WIRETYPE_VARINT -> {
          next = varintEnd(payload, at, levelEnd);
          at = next < 0 ? levelEnd : next;
        }
        case WireFormat.WIRETYPE_FIXED64 -> at = levelEnd - at < 8 ? levelEnd : at + 8;
        case WireFormat.WIRETYPE_FIXED32 -> at = levelEnd - at < 4 ? levelEnd : at + 4;
        case WireFormat.WIRETYPE_LENGTH_DELIMITED -> {
          next = varintEnd(payload, at, levelEnd);
          int length = next < 0 ? -1 : int32(payload, at, next);
          if (length < 0 || length > levelEnd - next) {
            at = levelEnd;
          } else if (++depth >= MAX_DEPTH) {
            return true;
          } else {
            at = next;
            ends[depth] = next + length;
            group[depth] = false;
          }
        }
        case WireFormat.WIRETYPE_START_GROUP -> {
          if (++depth >= MAX_DEPTH) {
            return true;
          }
          ends[depth] = levelEnd;
          group[depth] = true;
        }
        case WireFormat.WIRETYPE_END_GROUP -> {
          if (group[depth]) {
            depth--;
          } else {
            at = levelEnd;
          }
        }
        default -> at = levelEnd;
      }
    }
  }

  /**
   * Whether the text printer would go {@link #MAX_DEPTH} levels deep printing {@code message} at
   * {@code depth}: known message fields, then unknown groups and length-delimited fields whose
   * bytes parse as a message, as {@code TextFormat} does.
   */
  private static boolean tooDeep(Message message, int depth) {
    if (depth >= MAX_DEPTH) {
      return true;
    }
    for (Map.Entry<FieldDescriptor, Object> field : message.getAllFields().entrySet()) {
      if (field.getKey().getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      List<?> values = field.getKey().isRepeated() ? (List<?>) field.getValue() : List.of(field.getValue());
      for (Object value : values) {
        if (tooDeep((Message) value, depth + 1)) {
          return true;
        }
      }
    }
    return tooDeep(message.getUnknownFields(), depth);
  }

  private static boolean tooDeep(UnknownFieldSet fields, int depth) {
    for (UnknownFieldSet.Field field : fields.asMap().values()) {
      for (UnknownFieldSet group : field.getGroupList()) {
        if (depth + 1 >= MAX_DEPTH || tooDeep(group, depth + 1)) {
          return true;
        }
      }
      for (ByteString bytes : field.getLengthDelimitedList()) {
        UnknownFieldSet nested = asMessage(bytes);
        if (nested != null && (depth + 1 >= MAX_DEPTH || tooDeep(nested, depth + 1))) {
          return true;
        }
      }
    }
    return false;
  }

  /** The bytes as the text printer reads them: a nested message when they parse as one, else null. */
  private static UnknownFieldSet asMessage(ByteString bytes) {
    try {
      return UnknownFieldSet.parseFrom(bytes);
    } catch (InvalidProtocolBufferException notAMessage) {
      return null;
    }
  }

  /** The position after the varint at {@code at}, or -1 when it runs past {@code end} or over 10 bytes. */
  private static int varintEnd(ByteBuffer bytes, int at, int end) {
    for (int i = at; i < end && i - at < 10; i++) {
      if (bytes.get(i) >= 0) {
        return i + 1;
      }
    }
    return -1;
  }

  /**
   * The low 32 bits of the varint that ends just before {@code next}, as protobuf reads a tag or a
   * length (it accepts up to 10 bytes and drops the higher bits, so a padded tag is a tag).
   */
  private static int int32(ByteBuffer bytes, int at, int next) {
    long value = 0;
    for (int i = at, shift = 0; i < next && shift < 35; i++, shift += 7) {
      value |= (long) (bytes.get(i) & 0x7F) << shift;
    }
    return (int) value;
  }
}
