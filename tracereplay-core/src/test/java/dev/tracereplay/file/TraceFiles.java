package dev.tracereplay.file;

import dev.tracereplay.internal.file.TraceFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Test helpers for trace files: building their bytes by hand (files the writer would never
 * produce), looking inside them, and damaging them on purpose.
 */
public final class TraceFiles {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

  private TraceFiles() {}

  /** A file under construction that starts with the signature and this config JSON. */
  public static TraceFiles withHeader(String json) {
    TraceFiles file = new TraceFiles();
    file.raw(TraceFormat.signatureBytes());
    file.sizePrefix(json.length());
    file.raw(json.getBytes(StandardCharsets.UTF_8));
    return file;
  }

  /** A file under construction that starts with the signature and {@code {"version":1}}. */
  public static TraceFiles withHeader() {
    return withHeader("{\"version\":1}");
  }

  /** Starts a file with nothing in it, not even the signature. */
  public static TraceFiles empty() {
    return new TraceFiles();
  }

  public TraceFiles record(byte[] packet) {
    sizePrefix(packet.length);
    return raw(packet);
  }

  public TraceFiles sizePrefix(long size) {
    return raw(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(size).array());
  }

  public TraceFiles raw(byte[] data) {
    bytes.writeBytes(data);
    return this;
  }

  public int size() {
    return bytes.size();
  }

  public byte[] bytes() {
    return bytes.toByteArray();
  }

  /** A packet: an 8-byte header of type 7 and {@code payloadSize} payload bytes. */
  public static byte[] packet(int payloadSize) {
    ByteBuffer packet = ByteBuffer.allocate(8 + payloadSize).order(ByteOrder.LITTLE_ENDIAN);
    packet.putShort((short) 8).putShort((short) 7).putInt(0);
    for (int i = 0; i < payloadSize; i++) {
      packet.put((byte) i);
    }
    return packet.array();
  }

  /** Writes a small text file, which is no trace at all, to {@code target}. */
  public static Path notATrace(Path target) throws IOException {
    return Files.writeString(target, "hello, this is not a trace file at all");
  }

  /** Writes the first {@code length} bytes of {@code file} to {@code target}: a recording cut short. */
  public static Path cut(Path file, long length, Path target) throws IOException {
    return Files.write(target, Arrays.copyOf(Files.readAllBytes(file), Math.toIntExact(length)));
  }

  /** The byte offset of record {@code number} (from 1): where a cut makes it the torn one. */
  public static long offsetOfRecord(Path trace, long number) throws IOException {
    try (TraceFileReader reader = TraceFileReader.open(trace)) {
      while (reader.next()) {
        if (reader.recordNumber() == number) {
          return reader.recordOffset();
        }
      }
    }
    throw new AssertionError(trace + " has fewer than " + number + " records");
  }

  /** Every record of a valid trace, copied. */
  public static List<byte[]> records(Path trace) throws IOException {
    List<byte[]> records = new ArrayList<>();
    try (TraceFileReader reader = TraceFileReader.open(trace)) {
      while (reader.next()) {
        ByteBuffer record = reader.record();
        byte[] copy = new byte[record.remaining()];
        record.get(copy);
        records.add(copy);
      }
    }
    return records;
  }
}
