package dev.tracereplay.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracereplay.Fixtures;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class TraceVerifierTest {
  static final java.util.List<String> FIXTURES = Fixtures.ALL;
  /** true-start.trace: the 16-byte signature, an 8-byte size, {"version":1}, then one record of 8 + 36 bytes. */
  static final int HEADER_END = 16 + 8 + 13;

  @TempDir Path dir;

  @ParameterizedTest
  @FieldSource("FIXTURES")
  void aRealRecordingIsValid(String fixture) throws IOException {
    Path trace = Fixtures.copy(fixture, dir);

    TraceVerification check = TraceVerifier.verify(trace);

    assertThat(check.status()).isEqualTo(TraceVerification.Status.VALID);
    assertThat(check.isValid()).isTrue();
    assertThat(check.config()).isEqualTo(new TraceConfig(1));
    assertThat(check.records()).isEqualTo(TraceFiles.records(trace).size());
    assertThat(check.validLength()).isEqualTo(check.fileSize()).isEqualTo(Files.size(trace));
    assertThat(check.droppedBytes()).isZero();
    assertThat(check.problem()).isNull();
  }

  @Test
  void aHeaderWithoutRecordsIsAValidEmptyTrace() throws IOException {
    Path trace = cut(Fixtures.copy("true-start.trace", dir), HEADER_END);

    TraceVerification check = TraceVerifier.verify(trace);

    assertThat(check.status()).isEqualTo(TraceVerification.Status.VALID);
    assertThat(check.records()).isZero();
    assertThat(check.validLength()).isEqualTo(HEADER_END);
  }

  @Test
  void everyCutInsideTheHeaderIsCorruptAndEveryCutInsideTheRecordIsTruncated() throws IOException {
    byte[] whole = Files.readAllBytes(Fixtures.copy("true-start.trace", dir));
    for (int length = 0; length < whole.length; length++) {
      Path cut = Files.write(dir.resolve("cut-" + length), Arrays.copyOf(whole, length));

      TraceVerification check = TraceVerifier.verify(cut);

      assertThat(check.fileSize()).isEqualTo(length);
      if (length < HEADER_END) {
        assertThat(check.status()).as("cut at %d", length).isEqualTo(TraceVerification.Status.CORRUPT);
        assertThat(check.problem()).isInstanceOfAny(BadSignatureException.class, BadConfigException.class);
        assertThat(check.validLength()).isZero();
      } else if (length == HEADER_END) {
        assertThat(check.status()).isEqualTo(TraceVerification.Status.VALID);
      } else {
        assertThat(check.status()).as("cut at %d", length).isEqualTo(TraceVerification.Status.TRUNCATED);
        assertThat(check.problem()).isInstanceOf(TruncatedTraceException.class);
        assertThat(check.records()).isZero();
        assertThat(check.validLength()).isEqualTo(HEADER_END);
        assertThat(check.droppedBytes()).isEqualTo(length - HEADER_END);
      }
    }
  }

  @Test
  void aTruncatedRecordingKeepsEveryRecordBeforeTheTornOne() throws IOException {
    Path trace = Fixtures.copy("shell-common.trace", dir);
    long tornRecordOffset = TraceFiles.offsetOfRecord(trace, 100);
    Path truncated = cut(trace, tornRecordOffset + 11);

    TraceVerification check = TraceVerifier.verify(truncated);

    assertThat(check.status()).isEqualTo(TraceVerification.Status.TRUNCATED);
    assertThat(check.records()).isEqualTo(99);
    assertThat(check.validLength()).isEqualTo(tornRecordOffset);
    assertThat(check.droppedBytes()).isEqualTo(11);
    assertThat(check.problem().recordNumber()).isEqualTo(100);
  }

  @Test
  void aRecordOverTheLimitIsCorruptAfterTheRecordsBeforeIt() throws IOException {
    Path trace = Fixtures.copy("shell-common.trace", dir);
    int largest;
    try (TraceFileReader reader = TraceFileReader.open(trace)) {
      int max = 0;
      while (reader.next()) {
        max = Math.max(max, reader.record().remaining());
      }
      largest = max;
    }

    TraceVerification check = TraceVerifier.verify(trace, largest - 1);

    assertThat(check.status()).isEqualTo(TraceVerification.Status.CORRUPT);
    assertThat(check.problem()).isInstanceOf(RecordTooLargeException.class);
    assertThat(check.records()).isEqualTo(check.problem().recordNumber() - 1);
    assertThat(check.validLength()).isEqualTo(check.problem().offset());
  }

  @Test
  void aFileThatIsNotATraceIsCorrupt() throws IOException {
    Path notATrace = TraceFiles.notATrace(dir.resolve("notes.txt"));

    TraceVerification check = TraceVerifier.verify(notATrace);

    assertThat(check.status()).isEqualTo(TraceVerification.Status.CORRUPT);
    assertThat(check.config()).isNull();
    assertThat(check.problem()).isInstanceOf(BadSignatureException.class);
    assertThat(check.records()).isZero();
  }

  @Test
  void aMissingFileIsAnIoErrorNotAVerdict() {
    assertThatThrownBy(() -> TraceVerifier.verify(dir.resolve("missing"))).isInstanceOf(NoSuchFileException.class);
  }

  @Nested
  class Repair {

    @Test
    void writesTheValidPrefixByteForByte() throws IOException {
      Path trace = Fixtures.copy("shell-common.trace", dir);
      long tornRecordOffset = TraceFiles.offsetOfRecord(trace, 300);
      Path truncated = cut(trace, tornRecordOffset + 5);
      Path repaired = dir.resolve("repaired");

      TraceVerification repair = TraceVerifier.repair(truncated, repaired);

      assertThat(repair.records()).isEqualTo(299);
      assertThat(repair.droppedBytes()).isEqualTo(5);
      assertThat(Files.readAllBytes(repaired))
          .isEqualTo(Arrays.copyOf(Files.readAllBytes(trace), (int) tornRecordOffset));
      TraceVerification check = TraceVerifier.verify(repaired);
      assertThat(check.status()).isEqualTo(TraceVerification.Status.VALID);
      assertThat(check.records()).isEqualTo(299);
      assertThat(truncated).as("the input is left as it was").hasSize(tornRecordOffset + 5);
    }

    @Test
    void copiesAValidFileWhole() throws IOException {
      Path trace = Fixtures.copy("true-start.trace", dir);
      Path copy = dir.resolve("copy");

      TraceVerification repair = TraceVerifier.repair(trace, copy);

      assertThat(repair.isValid()).isTrue();
      assertThat(copy).hasSameBinaryContentAs(trace);
    }

    @Test
    void neverOverwritesTheOutput() throws IOException {
      Path truncated = cut(Fixtures.copy("true-start.trace", dir), 50);
      Path existing = Files.writeString(dir.resolve("existing"), "keep me");

      assertThatThrownBy(() -> TraceVerifier.repair(truncated, existing))
          .isInstanceOf(FileAlreadyExistsException.class)
          .hasMessage(existing + ": the output file already exists; repair never overwrites a file. Choose another"
              + " output path");
      assertThat(existing).hasContent("keep me");
    }

    @Test
    void refusesACorruptFileAndWritesNothing() throws IOException {
      Path notATrace = TraceFiles.notATrace(dir.resolve("notes.txt"));
      Path out = dir.resolve("out");

      assertThatThrownBy(() -> TraceVerifier.repair(notATrace, out)).isInstanceOf(BadSignatureException.class);
      assertThat(out).doesNotExist();
    }
  }

  /**
   * A pipe can be read only once, and has no size: repair read its input twice and copied it by
   * position, which failed with a bare "Illegal seek" for {@code --in=<(...)}.
   */
  @Nested
  class FromAPipe {
    /** shell-common.trace cut 5 bytes into its record 300, which starts at {@code torn}. */
    byte[] bytes;
    long torn;

    @BeforeEach
    void cutShortInRecord300() throws IOException {
      Path trace = Fixtures.copy("shell-common.trace", dir);
      torn = TraceFiles.offsetOfRecord(trace, 300);
      bytes = Arrays.copyOf(Files.readAllBytes(trace), (int) torn + 5);
    }

    @Test
    void aTruncatedTraceIsVerifiedFromAPipe() throws Exception {
      TraceVerification check = TraceVerifier.verify(pipe(bytes));

      assertThat(check.status()).isEqualTo(TraceVerification.Status.TRUNCATED);
      assertThat(check.records()).isEqualTo(299);
      assertThat(check.validLength()).isEqualTo(torn);
      assertThat(check.fileSize()).isEqualTo(torn + 5);
    }

    @Test
    void aTruncatedTraceIsRepairedFromAPipe() throws Exception {
      Path repaired = dir.resolve("repaired");

      TraceVerification repair = TraceVerifier.repair(pipe(bytes), repaired);

      assertThat(repair.records()).isEqualTo(299);
      assertThat(repair.droppedBytes()).isEqualTo(5);
      assertThat(Files.readAllBytes(repaired)).isEqualTo(Arrays.copyOf(bytes, (int) torn));
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(repaired))).isEqualTo("rw-------");
    }

    @Test
    void aCorruptPipeLeavesNoOutput() throws Exception {
      Path out = dir.resolve("out");

      assertThatThrownBy(() -> TraceVerifier.repair(pipe("not a trace at all".getBytes()), out))
          .isInstanceOf(BadSignatureException.class);
      assertThat(out).doesNotExist();
    }

    /** A named pipe that yields {@code bytes} once, written by a thread of its own. */
    private Path pipe(byte[] bytes) throws Exception {
      Path fifo = dir.resolve("fifo-" + System.nanoTime());
      assertThat(new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor()).isZero();
      Thread writer = new Thread(() -> {
        try {
          Files.write(fifo, bytes);
        } catch (IOException readerWentAway) {
          // The reader stopped early (a corrupt header): the rest is not needed.
        }
      }, "fifo-writer");
      writer.setDaemon(true);
      writer.start();
      return fifo;
    }
  }

  private Path cut(Path file, long length) throws IOException {
    return TraceFiles.cut(file, length, dir.resolve(file.getFileName() + ".cut-" + length));
  }
}
