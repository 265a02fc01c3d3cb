package dev.tracereplay.points;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.MessageOrBuilder;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A small proto3-JSON printer driven by descriptors, so that the core does not need
 * protobuf-java-util (and the guava and gson it pulls in). It follows the canonical mapping for
 * what the trace-point schemas use: lowerCamelCase JSON names, 64-bit integers as strings, unsigned
 * integers unsigned, bytes as padded base64, enums by name (by number when unknown), fields at their
 * default value omitted, nested messages, repeated fields and maps. Unknown fields are left out, as
 * protobuf's own printer does. Output is compact, in field-number order.
 *
 * <p>Its recursion is bounded by the schemas: it follows known message fields only, which nest at
 * most four levels (no trace-point message contains itself), and never the unknown fields whose
 * nesting a sender controls (see {@link NestingDepth}).
 */
final class ProtoJson {
  private ProtoJson() {}

  /** Appends {@code message} as one JSON object. */
  static void appendMessage(MessageOrBuilder message, StringBuilder out) {
    out.append('{');
    boolean first = true;
    for (Map.Entry<FieldDescriptor, Object> field : message.getAllFields().entrySet()) {
      if (!first) {
        out.append(',');
      }
      first = false;
      FieldDescriptor descriptor = field.getKey();
      appendString(descriptor.getJsonName(), out);
      out.append(':');
      if (descriptor.isMapField()) {
        appendMap(descriptor, (List<?>) field.getValue(), out);
      } else if (descriptor.isRepeated()) {
        out.append('[');
        List<?> values = (List<?>) field.getValue();
        for (int i = 0; i < values.size(); i++) {
          if (i > 0) {
            out.append(',');
          }
          appendValue(descriptor, values.get(i), out);
        }
        out.append(']');
      } else {
        appendValue(descriptor, field.getValue(), out);
      }
    }
    out.append('}');
  }

  /** Appends a JSON string literal. */
  static void appendString(CharSequence value, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          // Control characters must be escaped; U+2028/9 too, so that the line is valid JavaScript.
          if (c < 0x20 || c == '\u2028' || c == '\u2029') {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  /** Appends bytes the proto3-JSON way: standard base64 with padding, as a string. */
  static void appendBase64(ByteString bytes, StringBuilder out) {
    out.append('"').append(Base64.getEncoder().encodeToString(bytes.toByteArray())).append('"');
  }

  private static void appendMap(FieldDescriptor descriptor, List<?> entries, StringBuilder out) {
    FieldDescriptor keyField = descriptor.getMessageType().findFieldByNumber(1);
    FieldDescriptor valueField = descriptor.getMessageType().findFieldByNumber(2);
    out.append('{');
    boolean first = true;
    for (Object entry : entries) {
      if (!first) {
        out.append(',');
      }
      first = false;
      MessageOrBuilder pair = (MessageOrBuilder) entry;
      // Map keys are always JSON strings, whatever their protobuf type.
      appendString(scalarText(keyField, pair.getField(keyField)), out);
      out.append(':');
      appendValue(valueField, pair.getField(valueField), out);
    }
    out.append('}');
  }

  private static void appendValue(FieldDescriptor field, Object value, StringBuilder out) {
    switch (field.getJavaType()) {
      case MESSAGE -> appendMessage((MessageOrBuilder) value, out);
      case STRING -> appendString((String) value, out);
      case BYTE_STRING -> appendBase64((ByteString) value, out);
      case ENUM -> {
        EnumValueDescriptor enumValue = (EnumValueDescriptor) value;
        if (enumValue.getType().findValueByNumber(enumValue.getNumber()) != null) {
          appendString(enumValue.getName(), out);
        } else {
          out.append(enumValue.getNumber());
        }
      }
      case LONG -> out.append('"').append(scalarText(field, value)).append('"');
      case FLOAT, DOUBLE -> {
        double number = ((Number) value).doubleValue();
        if (Double.isNaN(number) || Double.isInfinite(number)) {
          appendString(scalarText(field, value), out);
        } else {
          out.append(scalarText(field, value));
        }
      }
      default -> out.append(scalarText(field, value));
    }
  }

  /** A scalar as JSON writes it inside or outside quotes: unsigned types unsigned. */
  private static String scalarText(FieldDescriptor field, Object value) {
    return switch (field.getType()) {
      case UINT32, FIXED32 -> Integer.toUnsignedString((Integer) value);
      case UINT64, FIXED64 -> Long.toUnsignedString((Long) value);
      case FLOAT -> floatText((Float) value);
      case DOUBLE -> doubleText((Double) value);
      default -> String.valueOf(value);
    };
  }

  private static String floatText(float value) {
    return Float.isNaN(value) ? "NaN" : Float.isInfinite(value) ? (value > 0 ? "Infinity" : "-Infinity")
        : Float.toString(value);
  }

  private static String doubleText(double value) {
    return Double.isNaN(value) ? "NaN" : Double.isInfinite(value) ? (value > 0 ? "Infinity" : "-Infinity")
        : Double.toString(value);
  }
}
