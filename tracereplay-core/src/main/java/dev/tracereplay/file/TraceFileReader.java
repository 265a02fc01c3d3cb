package dev.tracereplay.file;

import dev.tracereplay.internal.file.TraceFormat;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Streams the records of a trace file, checking the layout as it goes and never holding more
 * than one buffer of the file: reading is done in large batches into a reused direct buffer, and
 * each record is handed out as a view of that buffer, without copying or allocating.
 *
 * <pre>{@code
 * try (TraceFileReader reader = TraceFileReader.open(path)) {
 *   while (reader.next()) {
 *     ByteBuffer packet = reader.record();   // header + payload, valid until next()
 *   }
 * }
 * }</pre>
 *
 * <p>Every problem is a {@link TraceFileException} naming the file, byte offset and record
 * number. A reader is not thread-safe.
 */
public final class TraceFileReader implements Closeable {
  /**
   * The largest record (and config) accepted when no limit is given: 1 MiB, as gVisor's reader.
   * Every reader of trace files here ({@link TraceVerifier}, the replayer, the printer) defaults to it.
   */
  public static final int DEFAULT_MAX_RECORD_SIZE = 1 << 20;

  private static final int BATCH_SIZE = 256 * 1024;
  /** The largest record limit: a record and its size prefix must fit one buffer, indexed by int. */
  private static final int LARGEST_LIMIT = Integer.MAX_VALUE - 64;

  private final Path file;
  private final ReadableByteChannel channel;
  private final int maxRecordSize;
  private final TraceConfig config;

  private ByteBuffer buffer;
  private ByteBuffer view;
  private long bufferStartOffset;
  private long recordNumber;
  private long recordOffset;
  private int pendingSkip;

  private TraceFileReader(Path file, ReadableByteChannel channel, int maxRecordSize) throws IOException {
    this.file = file;
    this.channel = channel;
    this.maxRecordSize = maxRecordSize;
    this.buffer = ByteBuffer.allocateDirect(Math.min(BATCH_SIZE, maxRecordSize + TraceFormat.SIZE_PREFIX))
        .order(ByteOrder.LITTLE_ENDIAN);
    this.buffer.limit(0);
    this.view = buffer.duplicate();
    this.config = readHeader();
  }

  /** Opens a trace file with the default 1 MiB record limit and reads its signature and config. */
  public static TraceFileReader open(Path file) throws IOException {
    return open(file, DEFAULT_MAX_RECORD_SIZE);
  }

  /**
   * Opens a trace file and reads its signature and config.
   *
   * @param maxRecordSize the largest record (and config) accepted, in bytes, from 1 to
   *     {@code Integer.MAX_VALUE - 64}
   * @throws IllegalArgumentException when {@code maxRecordSize} is outside that range
   * @throws TraceFileException when the signature or config is bad
   * @throws IOException when the file cannot be opened or read
   */
  public static TraceFileReader open(Path file, int maxRecordSize) throws IOException {
    checkLimit(maxRecordSize);
    return open(file, FileChannel.open(file, StandardOpenOption.READ), maxRecordSize);
  }

  /**
   * Reads a trace from {@code channel} (which the reader closes), naming {@code file} in its
   * errors: for a reader that sees the bytes on their way, e.g. to copy them.
   */
  static TraceFileReader open(Path file, ReadableByteChannel channel, int maxRecordSize) throws IOException {
    try {
      checkLimit(maxRecordSize);
      return new TraceFileReader(file, channel, maxRecordSize);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  private static void checkLimit(int maxRecordSize) {
    if (maxRecordSize < 1 || maxRecordSize > LARGEST_LIMIT) {
      throw new IllegalArgumentException(
          "maxRecordSize must be between 1 and " + LARGEST_LIMIT + " bytes, was " + maxRecordSize);
    }
  }

  /** The file's config: the wire version its recording server announced. */
  public TraceConfig config() {
    return config;
  }

  /** The file being read. */
  public Path file() {
    return file;
  }

  /**
   * Moves to the next record.
   *
   * @return false at the clean end of the file
   * @throws RecordTooLargeException when the record's size prefix is over the limit
   * @throws TruncatedTraceException when the file ends inside the record
   */
  public boolean next() throws IOException {
    buffer.position(buffer.position() + pendingSkip);
    pendingSkip = 0;
    long offset = offset();
    long number = recordNumber + 1;
    int length = readSizePrefixed(number);
    if (length < 0) {
      return false;
    }
    int start = buffer.position() + TraceFormat.SIZE_PREFIX;
    view.clear();
    view.position(start).limit(start + length);
    buffer.position(start);
    pendingSkip = length;
    recordNumber = number;
    recordOffset = offset;
    return true;
  }

  /**
   * The current record (one packet: header and payload) between the view's position and limit.
   * The same buffer object is returned every time; its contents are valid until the next call to
   * {@link #next()} and must not be modified.
   */
  public ByteBuffer record() {
    if (recordNumber == 0) {
      throw new IllegalStateException("call next() first");
    }
    return view;
  }

  /** The 1-based number of the current record; 0 before the first call to {@link #next()}. */
  public long recordNumber() {
    return recordNumber;
  }

  /** The byte offset of the current record's size prefix in the file. */
  public long recordOffset() {
    return recordOffset;
  }

  /** The byte offset just after the current record (the config before the first record). */
  public long endOffset() {
    return offset() + pendingSkip;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  private TraceConfig readHeader() throws IOException {
    byte[] signature = TraceFormat.signatureBytes();
    int signatureLength = signature.length;
    if (!fill(signatureLength)) {
      throw new BadSignatureException(file, "a file of only " + buffer.remaining() + " bytes");
    }
    for (int i = 0; i < signatureLength; i++) {
      if (buffer.get(i) != signature[i]) {
        throw new BadSignatureException(file, printable(signatureLength));
      }
    }
    buffer.position(signatureLength);
    long sizeOffset = offset();
    int length = readSizePrefixed(0);
    buffer.position(buffer.position() + TraceFormat.SIZE_PREFIX);
    byte[] json = new byte[length];
    buffer.get(json);
    try {
      return TraceConfig.parse(json);
    } catch (IllegalArgumentException e) {
      throw new BadConfigException(file, sizeOffset + TraceFormat.SIZE_PREFIX, e.getMessage());
    }
  }

  /**
   * Reads the 8-byte size prefix at the buffer's position, checks it against the limit and makes
   * the bytes it announces available after it, for the config ({@code number} 0) and every record
   * alike: one reader of the layout, the errors named for the part that is bad.
   *
   * @param number the record's 1-based number, or 0 for the config
   * @return the length of what follows the prefix, or -1 when the file ends cleanly where a record's
   *     prefix would start
   */
  private int readSizePrefixed(long number) throws IOException {
    boolean config = number == 0;
    long offset = offset();
    if (!fill(TraceFormat.SIZE_PREFIX)) {
      if (!config && buffer.remaining() == 0) {
        return -1;
      }
      throw config ? new BadConfigException(file, offset, "the file ends inside the config's size prefix")
          : new TruncatedTraceException(file, offset, number,
              "the 8-byte size prefix is cut off after " + buffer.remaining() + " bytes");
    }
    long size = buffer.getLong(buffer.position());
    if (Long.compareUnsigned(size, maxRecordSize) > 0) {
      throw config ? new BadConfigException(file, offset,
          "config size " + Long.toUnsignedString(size) + " is over the limit of " + maxRecordSize + " bytes")
          : new RecordTooLargeException(file, offset, number, size, maxRecordSize);
    }
    int length = (int) size;
    if (!fill(TraceFormat.SIZE_PREFIX + length)) {
      int follow = buffer.remaining() - TraceFormat.SIZE_PREFIX;
      throw config ? new BadConfigException(file, offset, "the file ends inside the " + length + "-byte config")
          : new TruncatedTraceException(file, offset, number,
              "the size prefix announces " + length + " bytes but only " + follow + " follow");
    }
    return length;
  }

  /** The file offset of the buffer's position. */
  private long offset() {
    return bufferStartOffset + buffer.position();
  }

  /**
   * Makes at least {@code needed} bytes available from the buffer's position, reading in batches;
   * false when the file ends first (what is there stays available).
   */
  private boolean fill(int needed) throws IOException {
    if (buffer.remaining() >= needed) {
      return true;
    }
    if (needed > buffer.capacity()) {
      grow(needed);
    }
    bufferStartOffset += buffer.position();
    buffer.compact();
    try {
      while (buffer.position() < needed) {
        if (channel.read(buffer) < 0) {
          break;
        }
      }
    } finally {
      buffer.flip();
    }
    return buffer.remaining() >= needed;
  }

  /**
   * Replaces the buffer by one that holds {@code needed} bytes; bounded by the record limit, except
   * that it always holds the 16-byte signature: with a limit below 8 bytes, capping the signature's
   * buffer at the limit left fill() waiting forever for bytes it had no room for.
   */
  private void grow(int needed) {
    int capacity = (int) Math.max(needed,
        Math.min((long) maxRecordSize + TraceFormat.SIZE_PREFIX, 2L * buffer.capacity()));
    ByteBuffer larger = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
    bufferStartOffset += buffer.position();
    larger.put(buffer);
    larger.flip();
    buffer = larger;
    view = buffer.duplicate();
  }

  private String printable(int length) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < length; i++) {
      int b = buffer.get(i) & 0xFF;
      if (b >= 0x20 && b < 0x7F && b != '"' && b != '\\') {
        out.append((char) b);
      } else {
        out.append(String.format("\\x%02x", b));
      }
    }
    return out.append('"').toString();
  }
}
