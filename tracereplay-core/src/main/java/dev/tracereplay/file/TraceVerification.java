package dev.tracereplay.file;

import java.nio.file.Path;

/**
 * What {@link TraceVerifier} found in a trace file: whether it is whole, cut short or corrupt, how
 * many records are valid and where the valid part ends.
 *
 * @param file the file checked
 * @param status the verdict
 * @param config the file's config, or {@code null} when its header is bad
 * @param records the number of complete, valid records (all of them when {@link Status#VALID})
 * @param validLength the length of the longest valid prefix: the header and those records
 * @param fileSize the file's size when it was checked
 * @param problem what is wrong, naming the file, offset and record; {@code null} when valid
 */
public record TraceVerification(Path file, Status status, TraceConfig config, long records, long validLength,
    long fileSize, TraceFileException problem) {

  /** The verdicts. */
  public enum Status {
    /** The file is a whole trace: a good header, then complete records up to its last byte. */
    VALID,
    /**
     * The file ends inside a record, as a recording cut short by a crash does: the header and
     * every record before the torn one are valid ({@link TraceVerifier#repair} keeps them).
     */
    TRUNCATED,
    /**
     * The file is not a trace (bad signature or config), or holds a record over the size limit:
     * it cannot be repaired by cutting it short.
     */
    CORRUPT
  }

  /** Whether the file is a whole, valid trace. */
  public boolean isValid() {
    return status == Status.VALID;
  }

  /** The bytes after the valid prefix: what {@link TraceVerifier#repair} drops. */
  public long droppedBytes() {
    return fileSize - validLength;
  }
}
