package dev.tracereplay.file;

import java.nio.file.Path;

/**
 * The file ends inside a record: a recording cut short (a crash, a full disk, a partial copy).
 * Every record before {@link #offset()} is complete and valid; {@link #completeRecords()} of them.
 */
public final class TruncatedTraceException extends TraceFileException {
  private static final long serialVersionUID = 1L;

  TruncatedTraceException(Path file, long offset, long recordNumber, String problem) {
    super(file, offset, recordNumber, "truncated: " + problem,
        "The recording was cut short; the " + (recordNumber - 1) + " complete records before this"
            + " offset are valid ('tracereplay repair' keeps them).");
  }

  /** How many complete records precede the torn one. */
  public long completeRecords() {
    return recordNumber() - 1;
  }

  /** The length of the longest valid prefix of the file: where the torn record starts. */
  public long validLength() {
    return offset();
  }
}
