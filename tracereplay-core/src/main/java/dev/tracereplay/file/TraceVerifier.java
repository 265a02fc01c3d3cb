package dev.tracereplay.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Checks trace files and repairs the ones cut short: a recording interrupted by a crash or a full
 * disk ends inside a record, and every record before that one is still good.
 *
 * <pre>{@code
 * TraceVerification check = TraceVerifier.verify(file);
 * if (check.status() == TraceVerification.Status.TRUNCATED) {
 *   TraceVerifier.repair(file, repaired);   // the header and the check.records() complete records
 * }
 * }</pre>
 *
 * <p>Both stream the file through a {@link TraceFileReader}, so a file of any size is checked in
 * constant memory; repair copies the valid prefix byte for byte (it does not re-encode). Stateless
 * and thread-safe.
 */
public final class TraceVerifier {

  private TraceVerifier() {}

  /** Checks {@code file} with the default 1 MiB record limit; see {@link #verify(Path, int)}. */
  public static TraceVerification verify(Path file) throws IOException {
    return verify(file, TraceFormat.DEFAULT_MAX_RECORD_SIZE);
  }

  /**
   * Reads the whole file and says whether it is a valid trace, a truncated one or a corrupt one.
   * A bad file is a verdict, not an exception.
   *
   * @param maxRecordSize the largest record accepted, in bytes; a larger one makes the file corrupt
   * @throws IOException when the file cannot be opened or read (missing, no permission, I/O error)
   */
  public static TraceVerification verify(Path file, int maxRecordSize) throws IOException {
    TraceConfig config = null;
    try (TraceFileReader reader = TraceFileReader.open(file, maxRecordSize)) {
      config = reader.config();
      long records = 0;
      while (reader.next()) {
        records++;
      }
      long length = reader.endOffset();
      return new TraceVerification(file, TraceVerification.Status.VALID, config, records, length, length, null);
    } catch (TruncatedTraceException e) {
      return new TraceVerification(file, TraceVerification.Status.TRUNCATED, config, e.completeRecords(),
          e.validLength(), Files.size(file), e);
    } catch (TraceFileException e) {
      // A bad header (offset 0 or the config's) leaves nothing valid; a record over the limit
      // leaves the records before it, which only a trusted larger limit could vouch for.
      boolean badHeader = e.recordNumber() == 0;
      return new TraceVerification(file, TraceVerification.Status.CORRUPT, config,
          badHeader ? 0 : e.recordNumber() - 1, badHeader ? 0 : e.offset(), Files.size(file), e);
    }
  }

  /** Repairs {@code in} into {@code out} with the default 1 MiB record limit; see {@link #repair(Path, Path, int)}. */
  public static TraceVerification repair(Path in, Path out) throws IOException {
    return repair(in, out, TraceFormat.DEFAULT_MAX_RECORD_SIZE);
  }

  /**
   * Writes the longest valid prefix of {@code in} (its header and every complete record) to a new
   * file {@code out}. A valid file is copied whole. {@code in} is never modified.
   *
   * @return the verification of {@code in}: {@link TraceVerification#records()} records were kept
   *     and {@link TraceVerification#droppedBytes()} bytes dropped
   * @throws TraceFileException when {@code in} is corrupt (see {@link TraceVerification.Status#CORRUPT});
   *     nothing is written then
   * @throws FileAlreadyExistsException when anything is at {@code out}: it is never overwritten
   * @throws IOException when reading or writing fails; a partly written {@code out} is removed
   */
  public static TraceVerification repair(Path in, Path out, int maxRecordSize) throws IOException {
    if (Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
      throw refuseToOverwrite(out);
    }
    TraceVerification verification = verify(in, maxRecordSize);
    if (verification.status() == TraceVerification.Status.CORRUPT) {
      throw verification.problem();
    }
    copyPrefix(in, out, verification.validLength());
    return verification;
  }

  private static void copyPrefix(Path in, Path out, long length) throws IOException {
    try (FileChannel source = FileChannel.open(in, StandardOpenOption.READ)) {
      FileChannel target;
      try {
        target = FileChannel.open(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS);
      } catch (FileAlreadyExistsException e) {
        throw refuseToOverwrite(out);
      }
      boolean complete = false;
      try (target) {
        long copied = 0;
        while (copied < length) {
          long step = source.transferTo(copied, length - copied, target);
          if (step <= 0) {
            throw new IOException(in + " shrank to " + source.size() + " bytes while being copied; "
                + length + " bytes were expected. Repair it again once nothing writes to it.");
          }
          copied += step;
        }
        target.force(true);
        complete = true;
      } finally {
        if (!complete) {
          Files.deleteIfExists(out);
        }
      }
    }
  }

  private static FileAlreadyExistsException refuseToOverwrite(Path out) {
    return new FileAlreadyExistsException(out.toString(), null,
        "the output file already exists; repair never overwrites a file. Choose another output path");
  }
}
