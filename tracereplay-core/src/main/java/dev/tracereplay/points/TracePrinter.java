package dev.tracereplay.points;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import dev.tracereplay.file.TraceFileReader;
import dev.tracereplay.wire.MessageType;
import java.io.Flushable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Prints trace messages one line each, as {@code tracereplay print} does: in the format of gVisor's
 * example server ({@code examples/seccheck/server.cc}) or as JSON lines, optionally only some types
 * and at most a number of messages.
 *
 * <p>The text format, for a message whose payload is {@code <text>} (protobuf text format with each
 * newline replaced by one space, so usually with a trailing space):
 * <ul>
 *   <li>an event: {@code Start => id: "a061..." cwd: "/" args: "echo" }</li>
 *   <li>a syscall: {@code E Open <text>} on enter, {@code X Open <text>} on exit (the payload has an
 *       {@code exit} field)</li>
 *   <li>an unknown type: {@code Invalid message type: 99}, and the listing goes on</li>
 *   <li>an undecodable payload: {@code Undecodable Open payload (message_type 7, 5 bytes): <why>}</li>
 * </ul>
 * When a message's {@code dropped_count} differs from the last one reported (initially 0), a line
 * {@code Dropped 5 points before this message (dropped_count: 5)} comes first; a JSON line carries
 * {@code "newlyDropped":5} instead. A malformed record of a file prints
 * {@code Malformed record 3 (byte offset 120): <why>}. These notices are printed whatever the type
 * filter, and do not count against the limit.
 *
 * <p>A JSON line holds the header fields and the payload in proto3 JSON (64-bit integers as
 * strings, bytes in base64, default values left out):
 * {@code {"number":1,"offset":37,"headerSize":8,"messageType":1,"type":"CONTAINER_START","droppedCount":0,"payload":{...}}}
 * ({@code offset} only for messages of a file; {@code error} and {@code rawPayload} in base64
 * instead of {@code payload} for an unknown type or an undecodable payload).
 *
 * <p>Lines end with {@code \n} on every platform. A printer keeps state (the count printed, the
 * dropped count last reported), so use one per listing. Not thread-safe.
 */
public final class TracePrinter {
  /** The line formats. */
  public enum Format {
    /** gVisor's example server's lines. */
    TEXT,
    /** One JSON object per line. */
    JSON
  }

  private static final TextFormat.Printer TEXT_FORMAT = TextFormat.printer().escapingNonAscii(false);

  private final Appendable out;
  private final Format format;
  private final Set<MessageType> types;
  private final long limit;
  private long printed;
  private long lastReportedDropped;

  private TracePrinter(Builder builder, Appendable out) {
    this.out = out;
    this.format = builder.format;
    this.types = builder.types;
    this.limit = builder.limit;
  }

  /** A printer of every message in the text format, without limit. */
  public static TracePrinter to(Appendable out) {
    return builder().build(out);
  }

  /** Starts configuring a printer. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Prints the message's line (and a dropped-count notice before it when the count grew), unless
   * its type is filtered out or the limit was reached.
   *
   * @return whether the message was printed
   * @throws IOException when writing to the output fails
   */
  public boolean print(TraceMessage message) throws IOException {
    if (isDone() || (types != null && !types.contains(message.type()))) {
      return false;
    }
    long newlyDropped = newlyDropped(message);
    if (format == Format.TEXT) {
      printDropped(newlyDropped, message);
      out.append(textLine(message)).append('\n');
    } else {
      out.append(jsonLine(message, newlyDropped)).append('\n');
    }
    printed++;
    return true;
  }

  /**
   * Prints only the dropped-count notice of the message, when the count grew since the last one
   * reported, in the text format: what a quiet sink shows. It is not counted as printed.
   *
   * @return whether a notice was printed
   * @throws IOException when writing to the output fails
   */
  boolean printDroppedOnly(TraceMessage message) throws IOException {
    return printDropped(newlyDropped(message), message);
  }

  /** The points dropped since the count last reported (unsigned 32 bits, so it may wrap); records the count. */
  private long newlyDropped(TraceMessage message) {
    long newlyDropped = (message.droppedCount() - lastReportedDropped) & 0xFFFF_FFFFL;
    lastReportedDropped = message.droppedCount();
    return newlyDropped;
  }

  private boolean printDropped(long newlyDropped, TraceMessage message) throws IOException {
    if (newlyDropped == 0) {
      return false;
    }
    out.append("Dropped ").append(Long.toString(newlyDropped)).append(" points before this message (dropped_count: ")
        .append(Long.toString(message.droppedCount())).append(")\n");
    return true;
  }

  /**
   * Prints the messages of a trace file, streaming it, until its end or the limit; a malformed
   * record prints a notice and the listing goes on. Flushes the output at the end when it is
   * {@link Flushable}.
   *
   * @return the number of messages printed by this call
   * @throws dev.tracereplay.file.TraceFileException when the file cannot be read as a trace file (the
   *     lines of the messages before the problem are printed)
   * @throws IOException when reading or writing fails
   */
  public long printFile(Path file) throws IOException {
    return printFile(file, TraceFileReader.DEFAULT_MAX_RECORD_SIZE);
  }

  /** As {@link #printFile(Path)}, accepting records up to {@code maxRecordSize} bytes. */
  public long printFile(Path file, int maxRecordSize) throws IOException {
    long before = printed;
    try (TraceMessageReader reader = TraceMessageReader.open(file, maxRecordSize)) {
      if (!isDone()) {
        reader.forEach(message -> {
          print(message);
          return !isDone();
        }, this::printMalformed);
      }
    } finally {
      if (out instanceof Flushable flushable) {
        flushable.flush();
      }
    }
    return printed - before;
  }

  /** Whether the limit is reached: further messages are not printed. */
  public boolean isDone() {
    return printed >= limit;
  }

  /** How many messages were printed so far (notices not counted). */
  public long printed() {
    return printed;
  }

  /**
   * The text line of one message, without the line end: the server.cc format described in the class
   * comment. Decodes the message (never throws).
   */
  public static String textLine(TraceMessage message) {
    DecodeResult result = message.decode();
    if (result instanceof DecodeResult.Decoded decoded) {
      MessageType type = decoded.type();
      // The C++ prints ShortDebugString(); Java's text format is multi-line, joined here with spaces.
      String text = TEXT_FORMAT.printToString(decoded.message()).replace('\n', ' ');
      if (type.kind() == MessageType.Kind.SYSCALL) {
        return (hasExit(decoded.message()) ? "X " : "E ") + type.payloadName() + " " + text;
      }
      return type.payloadName() + " => " + text;
    }
    if (result instanceof DecodeResult.Undecodable undecodable) {
      return "Undecodable " + undecodable.type().payloadName() + " payload (message_type "
          + message.messageType() + ", " + (message.size() - message.headerSize()) + " bytes): "
          + undecodable.error().getMessage();
    }
    return "Invalid message type: " + message.messageType();
  }

  /** The JSON line of one message, without the line end and without {@code newlyDropped}. */
  public static String jsonLine(TraceMessage message) {
    return jsonLine(message, 0);
  }

  private static String jsonLine(TraceMessage message, long newlyDropped) {
    StringBuilder json = new StringBuilder(256);
    json.append("{\"number\":").append(message.number());
    if (message.fileOffset() != TraceMessage.NOT_FROM_FILE) {
      json.append(",\"offset\":").append(message.fileOffset());
    }
    json.append(",\"headerSize\":").append(message.headerSize())
        .append(",\"messageType\":").append(message.messageType());
    if (message.type() != null) {
      json.append(",\"type\":\"").append(message.type().name()).append('"');
    }
    json.append(",\"droppedCount\":").append(message.droppedCount());
    if (newlyDropped != 0) {
      json.append(",\"newlyDropped\":").append(newlyDropped);
    }
    DecodeResult result = message.decode();
    if (result instanceof DecodeResult.Decoded decoded) {
      json.append(",\"payload\":");
      ProtoJson.appendMessage(decoded.message(), json);
    } else {
      json.append(",\"error\":");
      ProtoJson.appendString(result.toString(), json);
      ByteBuffer payload = message.payload();
      json.append(",\"rawPayload\":\"")
          .append(new String(Base64.getEncoder().encode(payload).array(), StandardCharsets.US_ASCII)).append('"');
    }
    return json.append('}').toString();
  }

  private void printMalformed(MalformedRecordException e) throws IOException {
    if (format == Format.TEXT) {
      out.append("Malformed record ").append(Long.toString(e.recordNumber())).append(" (byte offset ")
          .append(Long.toString(e.offset())).append("): ").append(e.problem()).append('\n');
    } else {
      StringBuilder json = new StringBuilder("{\"number\":").append(e.recordNumber())
          .append(",\"offset\":").append(e.offset()).append(",\"error\":");
      ProtoJson.appendString("malformed: " + e.problem(), json);
      out.append(json.append("}\n"));
    }
  }

  /** Whether a syscall payload has its field 2, {@code exit}: the exit point rather than the enter. */
  private static boolean hasExit(Message syscall) {
    FieldDescriptor exit = syscall.getDescriptorForType().findFieldByNumber(2);
    return exit != null && exit.getJavaType() == FieldDescriptor.JavaType.MESSAGE && syscall.hasField(exit);
  }

  /** Configures a {@link TracePrinter}: every setting has a default. */
  public static final class Builder {
    private Format format = Format.TEXT;
    private Set<MessageType> types;
    private long limit = Long.MAX_VALUE;

    private Builder() {}

    /** The line format (default {@link Format#TEXT}). */
    public Builder format(Format format) {
      this.format = Objects.requireNonNull(format, "format");
      return this;
    }

    /**
     * Print only messages of these types (default: all, including unknown types); see
     * {@link TracePoints#parseTypes} to read them from a command line.
     *
     * @throws IllegalArgumentException when {@code types} is empty
     */
    public Builder types(Collection<MessageType> types) {
      if (types.isEmpty()) {
        throw new IllegalArgumentException("types must name at least one type; leave it unset to print all");
      }
      this.types = EnumSet.copyOf(types);
      return this;
    }

    /**
     * Print at most this many messages (default: no limit).
     *
     * @throws IllegalArgumentException when {@code messages} is negative
     */
    public Builder limit(long messages) {
      if (messages < 0) {
        throw new IllegalArgumentException("limit must be 0 or more, was " + messages);
      }
      this.limit = messages;
      return this;
    }

    /** A printer writing to {@code out}. */
    public TracePrinter build(Appendable out) {
      return new TracePrinter(this, Objects.requireNonNull(out, "out"));
    }
  }
}
