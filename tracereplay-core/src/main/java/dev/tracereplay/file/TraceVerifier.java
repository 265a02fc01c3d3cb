package dev.tracereplay.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

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
 * <p>Both stream the file once through a {@link TraceFileReader}, so a file of any size is checked
 * in constant memory, and a pipe works as well as a file; repair copies the bytes as they are
 * read (it does not re-encode) and cuts the copy back to the valid prefix. Stateless and thread-safe.
 */
public final class TraceVerifier {

  private TraceVerifier() {}

  /** Checks {@code file} with the default 1 MiB record limit; see {@link #verify(Path, int)}. */
  public static TraceVerification verify(Path file) throws IOException {
    return verify(file, TraceFileReader.DEFAULT_MAX_RECORD_SIZE);
  }

  /**
   * Reads the whole file and says whether it is a valid trace, a truncated one or a corrupt one.
   * A bad file is a verdict, not an exception. The file is read once, from start to end, so it
   * may be a pipe ({@code <(...)}, {@code /dev/stdin}) as well as a regular file.
   *
   * @param maxRecordSize the largest record accepted, in bytes; a larger one makes the file corrupt
   * @throws IOException when the file cannot be opened or read (missing, no permission, I/O error)
   */
  public static TraceVerification verify(Path file, int maxRecordSize) throws IOException {
    return check(file, new CopyingChannel(FileChannel.open(file, StandardOpenOption.READ), null), maxRecordSize);
  }

  /** Repairs {@code in} into {@code out} with the default 1 MiB record limit; see {@link #repair(Path, Path, int)}. */
  public static TraceVerification repair(Path in, Path out) throws IOException {
    return repair(in, out, TraceFileReader.DEFAULT_MAX_RECORD_SIZE);
  }

  /**
   * Writes the longest valid prefix of {@code in} (its header and every complete record) to a new
   * file {@code out}, readable and writable by its owner only. A valid file is copied whole, byte
   * for byte. {@code in} is read once, from start to end, so it may be a pipe; it is never modified.
   *
   * @return the verification of {@code in}: {@link TraceVerification#records()} records were kept
   *     and {@link TraceVerification#droppedBytes()} bytes dropped
   * @throws TraceFileException when {@code in} is corrupt (see {@link TraceVerification.Status#CORRUPT});
   *     nothing is left at {@code out} then
   * @throws FileAlreadyExistsException when anything is at {@code out}: it is never overwritten
   * @throws IOException when reading or writing fails; a partly written {@code out} is removed
   */
  public static TraceVerification repair(Path in, Path out, int maxRecordSize) throws IOException {
    FileChannel source = FileChannel.open(in, StandardOpenOption.READ);
    FileChannel target;
    try {
      target = FileChannel.open(out, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
          LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(TraceFileWriter.OWNER_ONLY));
    } catch (FileAlreadyExistsException e) {
      source.close();
      throw refuseToOverwrite(out);
    } catch (IOException | RuntimeException e) {
      source.close();
      throw e;
    }
    boolean complete = false;
    try (target) {
      // The input is copied as it is verified, then cut back to its valid prefix.
      TraceVerification verification = check(in, new CopyingChannel(source, target), maxRecordSize);
      if (verification.status() == TraceVerification.Status.CORRUPT) {
        throw verification.problem();
      }
      target.truncate(verification.validLength());
      target.force(true);
      complete = true;
      return verification;
    } finally {
      if (!complete) {
        Files.deleteIfExists(out);
      }
    }
  }

  /** Reads all of {@code input} as a trace; closes it. */
  private static TraceVerification check(Path file, CopyingChannel input, int maxRecordSize) throws IOException {
    TraceConfig config = null;
    try (TraceFileReader reader = TraceFileReader.open(file, input, maxRecordSize)) {
      config = reader.config();
      long records = 0;
      while (reader.next()) {
        records++;
      }
      long length = reader.endOffset();
      return new TraceVerification(file, TraceVerification.Status.VALID, config, records, length, length, null);
    } catch (TruncatedTraceException e) {
      return new TraceVerification(file, TraceVerification.Status.TRUNCATED, config, e.completeRecords(),
          e.validLength(), input.bytesRead(), e);
    } catch (TraceFileException e) {
      // A bad header (offset 0 or the config's) leaves nothing valid; a record over the limit
      // leaves the records before it, which only a trusted larger limit could vouch for. Reading
      // stopped there: a pipe's size is what was read.
      boolean badHeader = e.recordNumber() == 0;
      long size = Files.isRegularFile(file) ? Files.size(file) : input.bytesRead();
      return new TraceVerification(file, TraceVerification.Status.CORRUPT, config,
          badHeader ? 0 : e.recordNumber() - 1, badHeader ? 0 : e.offset(), size, e);
    }
  }

  /**
   * The input as the reader sees it, counting the bytes read and, for a repair, writing each byte
   * read to the copy: one pass over an input that may not be read twice.
   */
  private static final class CopyingChannel implements ReadableByteChannel {
    private final ReadableByteChannel input;
    private final FileChannel copy;
    private long bytesRead;

    CopyingChannel(ReadableByteChannel input, FileChannel copy) {
      this.input = input;
      this.copy = copy;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      int start = dst.position();
      int read = input.read(dst);
      if (read > 0) {
        bytesRead += read;
        if (copy != null) {
          ByteBuffer fresh = dst.duplicate().limit(start + read).position(start);
          while (fresh.hasRemaining()) {
            copy.write(fresh);
          }
        }
      }
      return read;
    }

    long bytesRead() {
      return bytesRead;
    }

    @Override
    public boolean isOpen() {
      return input.isOpen();
    }

    @Override
    public void close() throws IOException {
      input.close();
    }
  }

  private static FileAlreadyExistsException refuseToOverwrite(Path out) {
    return new FileAlreadyExistsException(out.toString(), null,
        "the output file already exists; repair never overwrites a file. Choose another output path");
  }
}
