package dev.tracereplay.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceFileWriterTest {
  @TempDir Path dir;

  @Test
  void writesGvisorsLayoutByteForByte() throws IOException {
    Path file = dir.resolve("t");
    try (TraceFileWriter writer = TraceFileWriter.create(file, TraceConfig.CURRENT)) {
      writer.append(ByteBuffer.wrap(TraceFiles.packet(2)));
      writer.append(ByteBuffer.wrap(TraceFiles.packet(0)));
      assertThat(writer.recordCount()).isEqualTo(2);
    }

    byte[] expected = TraceFiles.withHeader().record(TraceFiles.packet(2)).record(TraceFiles.packet(0)).bytes();
    assertThat(Files.readAllBytes(file)).isEqualTo(expected);
  }

  @Test
  void writesRecordsLargerThanItsBuffer() throws IOException {
    Path file = dir.resolve("t");
    byte[] big = TraceFiles.packet(1000);
    try (TraceFileWriter writer = TraceFileWriter.create(file, TraceConfig.CURRENT, 64)) {
      writer.append(ByteBuffer.wrap(TraceFiles.packet(1)));
      writer.append(ByteBuffer.wrap(big));
      writer.append(ByteBuffer.wrap(TraceFiles.packet(3)));
      assertThat(writer.size()).isEqualTo(37 + 17 + 1016 + 19);
    }

    byte[] expected = TraceFiles.withHeader().record(TraceFiles.packet(1)).record(big)
        .record(TraceFiles.packet(3)).bytes();
    assertThat(Files.readAllBytes(file)).isEqualTo(expected);
  }

  @Test
  void flushMakesEveryAppendedRecordVisibleInTheFile() throws IOException {
    Path file = dir.resolve("t");
    try (TraceFileWriter writer = TraceFileWriter.create(file, TraceConfig.CURRENT)) {
      writer.append(ByteBuffer.wrap(TraceFiles.packet(5)));
      writer.flush();

      assertThat(Files.readAllBytes(file)).isEqualTo(TraceFiles.withHeader().record(TraceFiles.packet(5)).bytes());
    }
  }

  /** The JVM's umask (typically 022) used to leave recordings 0644, readable by every user. */
  @Test
  void aNewFileIsOwnerOnlyOrExactlyTheModeAskedForWhateverTheUmask() throws IOException {
    try (TraceFileWriter owner = TraceFileWriter.create(dir.resolve("a"), TraceConfig.CURRENT);
        TraceFileWriter group = TraceFileWriter.create(dir.resolve("b"), TraceConfig.CURRENT, 64,
            PosixFilePermissions.fromString("rw-rw-rw-"))) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(owner.file()))).isEqualTo("rw-------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(group.file()))).isEqualTo("rw-rw-rw-");
    }
  }

  @Test
  void neverOverwritesAnExistingFile() throws IOException {
    Path file = dir.resolve("client-0001");
    Files.writeString(file, "precious");

    assertThatThrownBy(() -> TraceFileWriter.create(file, TraceConfig.CURRENT))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThat(Files.readString(file)).isEqualTo("precious");
  }

  @Test
  void neverFollowsASymbolicLink() throws IOException {
    Path target = dir.resolve("elsewhere");
    Files.writeString(target, "precious");
    Path link = Files.createSymbolicLink(dir.resolve("client-0001"), target);
    Path dangling = Files.createSymbolicLink(dir.resolve("client-0002"), dir.resolve("missing"));

    assertThatThrownBy(() -> TraceFileWriter.create(link, TraceConfig.CURRENT))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThatThrownBy(() -> TraceFileWriter.create(dangling, TraceConfig.CURRENT))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThat(Files.readString(target)).isEqualTo("precious");
    assertThat(dir.resolve("missing")).doesNotExist();
  }

  @Test
  void refusesAppendsAfterClose() throws IOException {
    TraceFileWriter writer = TraceFileWriter.create(dir.resolve("t"), TraceConfig.CURRENT);
    writer.close();
    writer.close();

    assertThatThrownBy(() -> writer.append(ByteBuffer.wrap(TraceFiles.packet(1))))
        .isInstanceOf(IOException.class).hasMessageContaining("the trace writer is closed");
  }
}
