package dev.tracereplay.points;

import dev.tracereplay.wire.MalformedMessageException;
import java.nio.file.Path;

/**
 * A record of a trace file that is not a well-formed message: shorter than the 8-byte header, or
 * with a {@code header_size} out of range. The file's layout is intact around it, so a
 * {@link TraceMessageReader} can read on with the next record.
 */
public final class MalformedRecordException extends MalformedMessageException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final long recordNumber;
  private final long offset;
  private final String problem;

  MalformedRecordException(Path file, long recordNumber, long offset, String problem) {
    super(file + ": record " + recordNumber + " (byte offset " + offset + ") is malformed: " + problem
        + ". No runsc sends such a packet: the file was damaged or not written by a recorder;"
        + " the records after it can still be read.");
    this.file = file;
    this.recordNumber = recordNumber;
    this.offset = offset;
    this.problem = problem;
  }

  /** The file being read. */
  public Path file() {
    return file;
  }

  /** The 1-based number of the malformed record. */
  public long recordNumber() {
    return recordNumber;
  }

  /** The byte offset of the record's size prefix in the file. */
  public long offset() {
    return offset;
  }

  /** What is wrong with the packet, e.g. {@code packet of 3 bytes is shorter than the 8-byte message header}. */
  public String problem() {
    return problem;
  }
}
