package dev.tracereplay.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Test helpers that look inside trace files or damage them on purpose. */
public final class TraceFiles {

  private TraceFiles() {}

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
  public static List<ByteBuffer> records(Path trace) throws IOException {
    List<ByteBuffer> records = new ArrayList<>();
    try (TraceFileReader reader = TraceFileReader.open(trace)) {
      while (reader.next()) {
        ByteBuffer record = reader.record();
        records.add(ByteBuffer.allocate(record.remaining()).put(record.duplicate()).flip());
      }
    }
    return records;
  }
}
