package dev.tracereplay.file;

import dev.tracereplay.internal.file.TraceFormat;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes a trace file: the signature and config when created, then one size-prefixed record per
 * {@link #append(ByteBuffer)}. Records are gathered in a direct buffer and written in large
 * batches; {@link #flush()} hands what is buffered to the operating system (a process crash after
 * it loses nothing), and a failed write cuts the file back to its last whole record, so that the
 * file on disk is always a valid trace up to that record.
 *
 * <p>The file is created exclusively: an existing file, or a symbolic link, at the path is never
 * truncated or followed ({@link java.nio.file.FileAlreadyExistsException}); it is owner-only by
 * default, whatever the umask, and either exists with its whole header or not at all. A writer is
 * not thread-safe.
 */
public final class TraceFileWriter implements Closeable, Flushable {

  /** The permissions of a new trace file unless told otherwise: {@code rw-------}. */
  public static final Set<PosixFilePermission> OWNER_ONLY = Set.copyOf(PosixFilePermissions.fromString("rw-------"));

  /** The default size of the write buffer. */
  public static final int DEFAULT_BUFFER_SIZE = 256 * 1024;

  /** The smallest write buffer: room for a record's size prefix and a header-sized record. */
  public static final int MIN_BUFFER_SIZE = 64;

  private final Path file;
  private final FileChannel channel;
  private static final ByteBuffer NO_BUFFER = ByteBuffer.allocate(0);

  private ByteBuffer buffer;
  private final ByteBuffer prefix = ByteBuffer.allocate(TraceFormat.SIZE_PREFIX).order(ByteOrder.LITTLE_ENDIAN);
  private long recordCount;
  private long bufferedRecords;
  private long writtenBytes;
  private boolean closed;

  private TraceFileWriter(Path file, FileChannel channel, ByteBuffer buffer) {
    this.file = file;
    this.channel = channel;
    this.buffer = buffer.clear().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Creates a new trace file with the default buffer size; see {@link #create(Path, TraceConfig, int)}. */
  public static TraceFileWriter create(Path file, TraceConfig config) throws IOException {
    return create(file, config, DEFAULT_BUFFER_SIZE);
  }

  /**
   * Creates a new trace file readable and writable by its owner only ({@link #OWNER_ONLY}); see
   * {@link #create(Path, TraceConfig, int, Set)}.
   */
  public static TraceFileWriter create(Path file, TraceConfig config, int bufferSize) throws IOException {
    return create(file, config, bufferSize, OWNER_ONLY);
  }

  /**
   * Creates a new trace file with exactly these permissions, whatever the process's umask, and
   * writes its signature and config. The file never has looser permissions than these, not even
   * for a moment. When the header cannot be written (a full disk), the new file is removed: no
   * file is left that is not a trace.
   *
   * @param permissions the file's permissions, e.g. {@link #OWNER_ONLY}
   * @throws java.nio.file.FileAlreadyExistsException when anything, even a dangling link, is at
   *     the path: a recording is never overwritten
   * @throws IOException when the file cannot be created or its header written; the message names
   *     the file
   */
  public static TraceFileWriter create(Path file, TraceConfig config, int bufferSize,
      Set<PosixFilePermission> permissions) throws IOException {
    checkBufferSize(bufferSize);
    return create(file, config, null, bufferSize, permissions);
  }

  /**
   * As {@link #create(Path, TraceConfig, int, Set)}, writing through the caller's buffer instead of
   * one of its own: a server reuses its clients' write buffers rather than leave one per recording
   * to the garbage collector. The writer lets go of the buffer when closed (also when creating the
   * file fails); from then on the caller may reuse it.
   *
   * @param buffer a direct buffer of at least 64 bytes, used by nothing else while the writer is open
   */
  public static TraceFileWriter create(Path file, TraceConfig config, ByteBuffer buffer,
      Set<PosixFilePermission> permissions) throws IOException {
    checkBufferSize(buffer.capacity());
    return create(file, config, buffer, buffer.capacity(), permissions);
  }

  private static void checkBufferSize(int bufferSize) {
    if (bufferSize < MIN_BUFFER_SIZE) {
      throw new IllegalArgumentException("bufferSize must be at least " + MIN_BUFFER_SIZE + " bytes, was " + bufferSize);
    }
  }

  private static TraceFileWriter create(Path file, TraceConfig config, ByteBuffer lent, int bufferSize,
      Set<PosixFilePermission> permissions) throws IOException {
    // The umask can only take permissions away: created with these, then set to exactly these.
    FileChannel channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
        LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(permissions));
    boolean created = false;
    try {
      Files.getFileAttributeView(file, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
          .setPermissions(permissions);
      TraceFileWriter writer = new TraceFileWriter(file, channel,
          lent != null ? lent : ByteBuffer.allocateDirect(bufferSize));
      writer.writeHeader(config);
      created = true;
      return writer;
    } catch (IOException e) {
      throw new IOException(file + ": creating the trace file failed (" + e.getMessage() + "); the new file"
          + " was removed", e);
    } finally {
      if (!created) {
        // Also after an Error (no direct memory for the buffer): a file without its header is no trace.
        channel.close();
        Files.deleteIfExists(file);
      }
    }
  }

  /**
   * Appends one record holding the bytes between the packet's position and limit, and moves its
   * position to its limit.
   */
  public void append(ByteBuffer packet) throws IOException {
    ensureOpen();
    int length = packet.remaining();
    if (TraceFormat.SIZE_PREFIX + length > buffer.remaining()) {
      flush();
      if (TraceFormat.SIZE_PREFIX + length > buffer.capacity()) {
        writeDirectly(packet);
        return;
      }
    }
    buffer.putLong(length);
    buffer.put(packet);
    bufferedRecords++;
  }

  /** The number of records appended, less those lost to a failed write. */
  public long recordCount() {
    return recordCount + bufferedRecords;
  }

  /** The file's size once everything buffered is written. */
  public long size() {
    return writtenBytes + buffer.position();
  }

  /** The file being written. */
  public Path file() {
    return file;
  }

  /**
   * Writes every buffered record to the file. On failure the file is cut back to the end of the
   * last whole record written before, and the buffered records are lost.
   */
  @Override
  public void flush() throws IOException {
    ensureOpen();
    buffer.flip();
    long start = writtenBytes;
    try {
      while (buffer.hasRemaining()) {
        writtenBytes += channel.write(buffer);
      }
      recordCount += bufferedRecords;
    } catch (IOException e) {
      keepWholeRecords(start, e);
      throw e;
    } finally {
      bufferedRecords = 0;
      buffer.clear();
    }
  }

  /** Flushes and closes the file, and lets go of the write buffer; calling it again does nothing. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    try {
      flush();
    } finally {
      closed = true;
      // A closed writer may be kept a long time: holding on to its direct buffer kept 256 KiB per
      // recording, until direct memory ran out; and a lent buffer is its owner's again.
      buffer = NO_BUFFER;
      channel.close();
    }
  }

  private void writeHeader(TraceConfig config) throws IOException {
    byte[] json = config.toJson();
    buffer.put(TraceFormat.signatureBytes());
    buffer.putLong(json.length);
    buffer.put(json);
    flush();
  }

  private void writeDirectly(ByteBuffer packet) throws IOException {
    prefix.clear();
    prefix.putLong(0, packet.remaining());
    ByteBuffer[] parts = {prefix, packet};
    long expected = prefix.remaining() + (long) packet.remaining();
    long start = writtenBytes;
    try {
      long done = 0;
      while (done < expected) {
        done += channel.write(parts);
      }
      writtenBytes += done;
      recordCount++;
    } catch (IOException e) {
      cutBack(start, e);
      throw e;
    }
  }

  /**
   * After a write of the buffer failed part-way (a full disk), keeps the records that reached the
   * file whole and cuts off the torn one, so the file ends at a record boundary.
   */
  private void keepWholeRecords(long start, IOException failure) {
    long written = writtenBytes - start;
    long kept = 0;
    long keptRecords = 0;
    int at = 0;
    if (start == 0) {
      at = TraceFormat.signatureBytes().length;
      at += TraceFormat.SIZE_PREFIX + (int) buffer.getLong(at);
      kept = at <= written ? at : 0;
    }
    while (kept == at && at + TraceFormat.SIZE_PREFIX <= written) {
      int end = at + TraceFormat.SIZE_PREFIX + (int) buffer.getLong(at);
      if (end > written) {
        break;
      }
      at = end;
      kept = end;
      keptRecords++;
    }
    recordCount += keptRecords;
    cutBack(start + kept, failure);
  }

  /** After a failed write, drops the torn part so the file ends at a record boundary. */
  private void cutBack(long validLength, IOException failure) {
    try {
      channel.truncate(validLength);
      writtenBytes = validLength;
    } catch (IOException truncateFailed) {
      failure.addSuppressed(truncateFailed);
    }
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException(file + ": the trace writer is closed");
    }
  }
}
