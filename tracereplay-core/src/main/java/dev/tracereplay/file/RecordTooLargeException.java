package dev.tracereplay.file;

import java.nio.file.Path;

/**
 * A record whose size prefix is above the reader's limit (1 MiB by default, as in gVisor): either
 * a corrupt or hostile file, or a recording of unusually large messages.
 */
public final class RecordTooLargeException extends TraceFileException {
  private static final long serialVersionUID = 1L;

  private final long size;
  private final int limit;

  RecordTooLargeException(Path file, long offset, long recordNumber, long size, int limit) {
    super(file, offset, recordNumber,
        "record size " + Long.toUnsignedString(size) + " is over the limit of " + limit + " bytes",
        "The file is corrupt or hostile; if it is trusted and really holds messages this large,"
            + " raise the reader's maxRecordSize.");
    this.size = size;
    this.limit = limit;
  }

  /** The size the record's prefix announced (unsigned). */
  public long size() {
    return size;
  }

  /** The reader's limit. */
  public int limit() {
    return limit;
  }
}
