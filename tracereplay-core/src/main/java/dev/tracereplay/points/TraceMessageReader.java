package dev.tracereplay.points;

import dev.tracereplay.file.TraceConfig;
import dev.tracereplay.file.TraceFileReader;
import dev.tracereplay.wire.MessageHeader;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Streams the messages of a trace file as {@link TraceMessage}s, one record at a time, on top of
 * {@link TraceFileReader}: the file is never loaded whole, and each message is a view of the
 * reader's buffer, valid until the next call to {@link #next()} ({@link TraceMessage#copy()} keeps one).
 *
 * <pre>{@code
 * try (TraceMessageReader reader = TraceMessageReader.open(path)) {
 *   for (TraceMessage message; (message = reader.next()) != null; ) {
 *     System.out.println(message.decode());
 *   }
 * }
 * }</pre>
 *
 * <p>Not thread-safe. Errors in the file's layout are {@link dev.tracereplay.file.TraceFileException}s
 * and end the reading; a record that is not a well-formed message is a
 * {@link MalformedRecordException} after which reading can go on with the next record.
 */
public final class TraceMessageReader implements Closeable {
  private final TraceFileReader records;

  private TraceMessageReader(TraceFileReader records) {
    this.records = records;
  }

  /** Opens a trace file with the default 1 MiB record limit and reads its signature and config. */
  public static TraceMessageReader open(Path file) throws IOException {
    return open(file, TraceFileReader.DEFAULT_MAX_RECORD_SIZE);
  }

  /**
   * Opens a trace file and reads its signature and config.
   *
   * @param maxRecordSize the largest record accepted, in bytes
   * @throws dev.tracereplay.file.TraceFileException when the signature or config is bad
   * @throws IOException when the file cannot be opened or read
   */
  public static TraceMessageReader open(Path file, int maxRecordSize) throws IOException {
    return new TraceMessageReader(TraceFileReader.open(file, maxRecordSize));
  }

  /** The file's config: the wire version its recording server announced. */
  public TraceConfig config() {
    return records.config();
  }

  /** The file being read. */
  public Path file() {
    return records.file();
  }

  /**
   * The next message, or {@code null} at the clean end of the file.
   *
   * @throws MalformedRecordException when the record is shorter than a message header or its
   *     {@code header_size} is out of range; the next call reads the record after it
   * @throws dev.tracereplay.file.TraceFileException when the file is truncated or a record is over
   *     the size limit
   */
  public TraceMessage next() throws IOException {
    if (!records.next()) {
      return null;
    }
    ByteBuffer packet = records.record();
    String problem = MessageHeader.malformation(packet);
    if (problem != null) {
      throw new MalformedRecordException(records.file(), records.recordNumber(), records.recordOffset(), problem);
    }
    return TraceMessage.wrap(packet, records.recordNumber(), records.recordOffset());
  }

  /**
   * Reads the rest of the file, handing each message to {@code onMessage} until it returns false,
   * and each malformed record to {@code onMalformed}, after which reading goes on: the one loop
   * for listing a file whose records may be damaged.
   *
   * @return whether the end of the file was reached ({@code false} when {@code onMessage} stopped it)
   * @throws dev.tracereplay.file.TraceFileException when the file is truncated or a record is over
   *     the size limit (what the actions were given before stays handled)
   */
  public boolean forEach(MessageAction onMessage, MalformedAction onMalformed) throws IOException {
    while (true) {
      TraceMessage message;
      try {
        message = next();
      } catch (MalformedRecordException e) {
        onMalformed.accept(e);
        continue;
      }
      if (message == null) {
        return true;
      }
      if (!onMessage.accept(message)) {
        return false;
      }
    }
  }

  /** What {@link #forEach} does with a message, valid only during the call; false stops the reading. */
  @FunctionalInterface
  public interface MessageAction {
    boolean accept(TraceMessage message) throws IOException;
  }

  /** What {@link #forEach} does with a malformed record before it reads on, e.g. print a notice. */
  @FunctionalInterface
  public interface MalformedAction {
    void accept(MalformedRecordException malformed) throws IOException;
  }

  /** The 1-based number of the record read last, also when it was malformed; 0 before the first. */
  public long recordNumber() {
    return records.recordNumber();
  }

  /** The byte offset of the size prefix of the record read last. */
  public long recordOffset() {
    return records.recordOffset();
  }

  @Override
  public void close() throws IOException {
    records.close();
  }
}
