package dev.tracereplay.file;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A trace file that cannot be read as one: every instance names the file, the byte offset and the
 * record where reading stopped, what was wrong and what to do about it. The subclasses tell the
 * cases apart: {@link BadSignatureException}, {@link BadConfigException},
 * {@link RecordTooLargeException} and {@link TruncatedTraceException}.
 */
public abstract class TraceFileException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final long offset;
  private final long recordNumber;

  TraceFileException(Path file, long offset, long recordNumber, String problem, String advice) {
    super(describe(file, offset, recordNumber, problem, advice));
    this.file = file;
    this.offset = offset;
    this.recordNumber = recordNumber;
  }

  private static String describe(Path file, long offset, long recordNumber, String problem, String advice) {
    String where = recordNumber == 0 ? "file header" : "record " + recordNumber;
    return file + ": " + problem + " (" + where + ", byte offset " + offset + "). " + advice;
  }

  /** The file being read. */
  public Path file() {
    return file;
  }

  /** The byte offset in the file where the bad part starts. */
  public long offset() {
    return offset;
  }

  /** The 1-based number of the record that is bad, or 0 for the signature and config. */
  public long recordNumber() {
    return recordNumber;
  }
}
