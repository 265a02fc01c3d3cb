package dev.tracereplay.junit5;

import com.google.protobuf.Message;
import dev.tracereplay.file.TraceConfig;
import dev.tracereplay.file.TraceFileWriter;
import dev.tracereplay.points.TracePoints;
import dev.tracereplay.wire.MessageHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Writes a trace file from protobuf messages, without runsc: for fixtures of cases a real sandbox
 * rarely produces (dropped points, unknown types, odd payloads).
 *
 * <pre>{@code
 * Path trace = TraceBuilder.create()
 *     .add(Start.newBuilder().setId("c1").setCwd("/").build())
 *     .add(Open.newBuilder().setPathname("/etc/passwd").build())
 *     .add(Open.newBuilder().setPathname("/etc/shadow").build(), 3)   // 3 points dropped before it
 *     .addRaw(99, new byte[] {1, 2, 3})                               // a type from the future
 *     .writeTo(dir.resolve("client-0001"));
 * }</pre>
 *
 * <p>The header's type is the one whose payload is the message's class
 * ({@link TracePoints#typeOf}); the header is today's 8 bytes, as runsc writes it. The file is
 * written by the same writer as recordings, so it is exactly what a recorder would have saved of
 * a sandbox that sent these messages.
 *
 * <p>The messages are kept, encoded, until {@link #writeTo}, which may be called more than once.
 * Not thread-safe.
 */
public final class TraceBuilder {
  private final List<ByteBuffer> packets = new ArrayList<>();
  private int version = TraceConfig.CURRENT.version();

  private TraceBuilder() {}

  /** An empty trace of version 1. */
  public static TraceBuilder create() {
    return new TraceBuilder();
  }

  /**
   * The wire version in the file's config, sent in a replay's handshake (default 1).
   *
   * @throws IllegalArgumentException when {@code version} is 0
   */
  public TraceBuilder version(int version) {
    this.version = new TraceConfig(version).version();
    return this;
  }

  /**
   * Adds a message with a {@code dropped_count} of 0.
   *
   * @throws IllegalArgumentException when {@code payload} is not the payload of a trace point (e.g.
   *     {@code ContextData}); the message lists the classes that are
   */
  public TraceBuilder add(Message payload) {
    return add(payload, 0);
  }

  /**
   * Adds a message whose header says that {@code droppedCount} points were dropped so far in the
   * session, as runsc does after its socket buffer was full. The count is cumulative: runsc never
   * lowers it (except by wrapping at 2^32).
   *
   * @throws IllegalArgumentException when {@code payload} is not the payload of a trace point, or
   *     the count is not between 0 and 2^32-1
   */
  public TraceBuilder add(Message payload, long droppedCount) {
    packets.add(TracePoints.encode(Objects.requireNonNull(payload, "payload"), droppedCount));
    return this;
  }

  /** Adds a message of any header type number with these payload bytes and a {@code dropped_count} of 0. */
  public TraceBuilder addRaw(int messageType, byte[] payload) {
    return addRaw(messageType, payload, 0);
  }

  /**
   * Adds a message of any header type number, e.g. one this library does not know, or a known
   * type with payload bytes that are not valid protobuf.
   *
   * @throws IllegalArgumentException when the type is not 0 to 65535 or the count not 0 to 2^32-1
   */
  public TraceBuilder addRaw(int messageType, byte[] payload, long droppedCount) {
    MessageHeader header = new MessageHeader(MessageHeader.SIZE, messageType, droppedCount);
    ByteBuffer packet = ByteBuffer.allocate(MessageHeader.SIZE + payload.length).order(ByteOrder.LITTLE_ENDIAN);
    header.writeTo(packet);
    packets.add(packet.put(payload).flip());
    return this;
  }

  /**
   * Adds a record holding exactly these bytes, header included: to make a record that is not a
   * well-formed message (shorter than 8 bytes, a bad {@code header_size}), which a sink must survive.
   */
  public TraceBuilder addPacket(byte[] packet) {
    packets.add(ByteBuffer.wrap(packet.clone()));
    return this;
  }

  /** The number of records added so far. */
  public int size() {
    return packets.size();
  }

  /**
   * Writes the trace file.
   *
   * @return {@code file}
   * @throws java.nio.file.FileAlreadyExistsException when anything is at {@code file}: nothing is
   *     overwritten
   * @throws IOException when the file cannot be written
   */
  public Path writeTo(Path file) throws IOException {
    try (TraceFileWriter writer = TraceFileWriter.create(file, new TraceConfig(version))) {
      for (ByteBuffer packet : packets) {
        writer.append(packet.duplicate());
      }
    }
    return file;
  }
}
