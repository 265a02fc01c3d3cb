package dev.tracereplay.bench;

import dev.tracereplay.file.TraceConfig;
import dev.tracereplay.file.TraceFileWriter;
import dev.tracereplay.internal.file.TraceFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The benchmark's synthetic messages and traces, byte for byte those of the C reference peers
 * ({@code build_msg} and {@code mktrace} in gVisor-independent tools): an 8-byte header
 * {header_size 8, type 7 = MESSAGE_SYSCALL_OPEN, dropped 0} followed, where room allows, by a valid
 * {@code gvisor.syscall.Open} with sysno 257 and a pathname of {@code a}s padding the message to
 * its exact size. Stateless; the methods are thread-safe.
 */
public final class SyntheticTrace {

  /** The smallest message: a header alone. */
  public static final int MIN_SIZE = 8;

  /** The largest message the trace format accepts by default. */
  public static final int MAX_SIZE = TraceFormat.DEFAULT_MAX_RECORD_SIZE;

  private static final int BUFFER_SIZE = 1 << 20;

  private SyntheticTrace() {}

  /** A new direct buffer holding one message of {@code size} bytes, position 0, limit {@code size}. */
  public static ByteBuffer message(int size) {
    ByteBuffer message = ByteBuffer.allocateDirect(checkSize(size));
    fill(message, size);
    return message.flip();
  }

  /** Puts one message of {@code size} bytes at the buffer's position, advancing it. */
  public static void fill(ByteBuffer dst, int size) {
    checkSize(size);
    int start = dst.position();
    for (int i = 0; i < size; i++) {
      dst.put(start + i, (byte) 0);
    }
    dst.put(start, (byte) 8).put(start + 2, (byte) 7);
    int payload = size - 8;
    int q = start + 8;
    if (payload >= 2 && payload < 5) {
      // Only room for sysno: its varint is padded to the space left (non-minimal, still valid).
      dst.put(q, (byte) 0x18);
      putVarint(dst, q + 1, 257 & ((1L << (7 * (payload - 1))) - 1), payload - 1);
    } else if (payload >= 5) {
      dst.put(q, (byte) 0x18).put(q + 1, (byte) 0x81).put(q + 2, (byte) 0x02);
      int rest = payload - 3;
      int lengthBytes = rest - 2 < 128 ? 1 : rest - 3 < 16384 ? 2 : 3;
      int pathLength = rest - 1 - lengthBytes;
      dst.put(q + 3, (byte) 0x32);
      putVarint(dst, q + 4, pathLength, lengthBytes);
      for (int i = 0; i < pathLength; i++) {
        dst.put(q + 4 + lengthBytes + i, (byte) 'a');
      }
    }
    dst.position(start + size);
  }

  /**
   * Writes a trace file of {@code messages} messages of {@code size} bytes, identical to
   * {@code mktrace FILE messages size}.
   *
   * @return the file's size in bytes
   * @throws java.nio.file.FileAlreadyExistsException when something is at the path
   */
  public static long write(Path file, long messages, int size) throws IOException {
    ByteBuffer message = message(size);
    try (TraceFileWriter writer = TraceFileWriter.create(file, TraceConfig.CURRENT, BUFFER_SIZE)) {
      for (long i = 0; i < messages; i++) {
        message.clear();
        writer.append(message);
      }
      writer.flush();
      return writer.size();
    }
  }

  /** The size of the file {@link #write} makes. */
  public static long fileSize(long messages, int size) {
    return TraceFormat.SIGNATURE.length() + TraceFormat.SIZE_PREFIX + TraceConfig.CURRENT.toJson().length
        + messages * (TraceFormat.SIZE_PREFIX + (long) size);
  }

  /** Writes {@code value} as a varint of exactly {@code bytes} bytes, as {@code put_varint_n}. */
  private static void putVarint(ByteBuffer dst, int at, long value, int bytes) {
    for (int i = 0; i + 1 < bytes; i++) {
      dst.put(at + i, (byte) ((value & 0x7f) | 0x80));
      value >>>= 7;
    }
    dst.put(at + bytes - 1, (byte) value);
  }

  private static int checkSize(int size) {
    if (size < MIN_SIZE || size > MAX_SIZE) {
      throw new IllegalArgumentException("message size must be between " + MIN_SIZE + " and " + MAX_SIZE
          + " bytes, was " + size);
    }
    return size;
  }
}
