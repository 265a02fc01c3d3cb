package dev.tracereplay.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tracereplay.file.BadConfigException;
import dev.tracereplay.file.BadSignatureException;
import dev.tracereplay.file.RecordTooLargeException;
import dev.tracereplay.file.TraceFileException;
import dev.tracereplay.file.TraceFileReader;
import dev.tracereplay.internal.file.TraceFormat;
import dev.tracereplay.file.TruncatedTraceException;
import dev.tracereplay.internal.wire.Handshake;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Arbitrary bytes read as a trace file: the reader hands out records that are exactly the file's
 * bytes, or stops with one of the four documented {@link TraceFileException}s, whose offset and
 * record number point into the file; nothing else is thrown, at most twice the record limit is
 * allocated in direct buffers whatever a size prefix says, and nothing hangs (the timeout is each
 * input's, in both modes).
 *
 * <p>Corpus: {@code TraceFileReaderFuzzTestInputs/<method>/} in test resources, seeded from the
 * runsc fixtures; see fuzz/README.md.
 */
@Timeout(10)
class TraceFileReaderFuzzTest {
  /** Small enough that every allocation the limit allows stays cheap, large enough for every real packet. */
  private static final int LIMIT = 64 * 1024;

  /** Above the reader's 256 KiB batch, so that a limit drawn up to it exercises the buffer's growth. */
  private static final int LARGEST_DRAWN_LIMIT = 300 * 1024;

  private static final BufferPoolMXBean DIRECT_BUFFERS = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)
      .stream().filter(pool -> pool.getName().equals("direct")).findFirst().orElseThrow();

  @TempDir static Path dir;

  /** The whole input is the file; the record limit is 64 KiB. */
  @FuzzTest
  void readsAnyBytesAsRecordsOrATraceFileException(byte[] bytes) throws IOException {
    readAll(bytes, LIMIT);
  }

  /**
   * The last three bytes choose the record limit (1 to 300 KiB; Jazzer's data provider takes
   * numbers from the end, the last byte the most significant), the rest is the file: limits below the signature's 16 bytes and above
   * the reader's batch size take paths the fixed limit never does.
   */
  @FuzzTest
  void readsAnyBytesWithAnyRecordLimit(FuzzedDataProvider data) throws IOException {
    int limit = data.consumeInt(1, LARGEST_DRAWN_LIMIT);
    readAll(data.consumeRemainingAsBytes(), limit);
  }

  private static void readAll(byte[] bytes, int limit) throws IOException {
    Path file = dir.resolve("input.trace");
    Files.write(file, bytes);
    long directBefore = DIRECT_BUFFERS.getTotalCapacity();
    long records = 0;
    long expectedOffset = -1;
    try (TraceFileReader reader = TraceFileReader.open(file, limit)) {
      // The version is an unsigned 32-bit number: 4294967295 is valid and reads as -1.
      assertThat(Handshake.isSupported(reader.config().version())).isTrue();
      expectedOffset = reader.endOffset();
      while (reader.next()) {
        // Plain checks in this loop: a fixture holds thousands of records, and AssertJ per record
        // would cost the fuzzer most of its executions.
        records++;
        check(reader.recordNumber() == records, "record number %d, expected %d", reader.recordNumber(), records);
        check(reader.recordOffset() == expectedOffset, "record %d starts at %d, not where the one before ended (%d)",
            records, reader.recordOffset(), expectedOffset);
        ByteBuffer record = reader.record();
        int length = record.remaining();
        check(length <= limit, "record %d of %d bytes is over the limit of %d", records, length, limit);
        long end = reader.recordOffset() + TraceFormat.SIZE_PREFIX + length;
        check(reader.endOffset() == end && end <= bytes.length, "record %d ends at %d, expected %d in a file of %d",
            records, reader.endOffset(), end, bytes.length);
        int start = (int) end - length;
        check(record.equals(ByteBuffer.wrap(bytes, start, length)), "record %d is not the file's bytes at %d",
            records, start);
        expectedOffset = end;
        assertAllocationBounded(directBefore, limit);
      }
      assertThat(expectedOffset).as("a clean end is the end of the file").isEqualTo(bytes.length);
    } catch (TraceFileException e) {
      assertThat(e.file()).isEqualTo(file);
      assertThat(e.offset()).as("offset of %s", e).isBetween(0L, (long) bytes.length);
      assertThat(e.getMessage()).contains(file.toString()).contains("byte offset " + e.offset());
      if (e instanceof BadSignatureException || e instanceof BadConfigException) {
        assertThat(records).isZero();
        assertThat(e.recordNumber()).isZero();
      } else if (e instanceof TruncatedTraceException truncated) {
        assertThat(e.recordNumber()).isEqualTo(records + 1);
        assertThat(truncated.completeRecords()).isEqualTo(records);
        assertThat(truncated.validLength()).isEqualTo(expectedOffset);
        assertThat(e.offset()).isLessThan(bytes.length);
      } else if (e instanceof RecordTooLargeException tooLarge) {
        assertThat(e.recordNumber()).isEqualTo(records + 1);
        assertThat(e.offset()).isEqualTo(expectedOffset);
        assertThat(e.offset() + TraceFormat.SIZE_PREFIX).isLessThanOrEqualTo(bytes.length);
        assertThat(Long.compareUnsigned(tooLarge.size(), limit)).isPositive();
      } else {
        throw new AssertionError("a TraceFileException of an undocumented kind", e);
      }
    }
    assertAllocationBounded(directBefore, limit);
  }

  private static void check(boolean condition, String message, Object... args) {
    if (!condition) {
      throw new AssertionError(String.format(message, args));
    }
  }

  /**
   * The reader allocates one direct buffer, and replaces it by a larger one at most while it is
   * below the limit: at most twice the limit in all (the doubling), however large a size prefix
   * says a record is. Other threads allocate no direct buffers during an input.
   */
  private static void assertAllocationBounded(long directBefore, int limit) {
    long allocated = DIRECT_BUFFERS.getTotalCapacity() - directBefore;
    long bound = 2L * (limit + TraceFormat.SIZE_PREFIX) + 16;
    check(allocated <= bound, "%d direct bytes allocated while reading with a limit of %d, more than %d",
        allocated, limit, bound);
  }
}
