package dev.tracereplay.internal.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracereplay.Root;
import dev.tracereplay.file.TraceConfig;
import dev.tracereplay.file.TraceFileWriter;
import dev.tracereplay.file.TraceVerifier;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where recordings go: created owner-only whatever the umask (this JVM's is typically 022, which
 * left them 0644), and never in a directory another user can tamper with (ssh's StrictModes).
 */
class RecordingDirectoryTest {
  @TempDir Path dir;

  private static String mode(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
  }

  private static Path record(RecordingDirectory directory) throws IOException {
    try (TraceFileWriter writer = directory.createNext(TraceConfig.CURRENT, 64)) {
      return writer.file();
    }
  }

  @Test
  void aCreatedDirectoryAndItsRecordingsAreOwnerOnly() throws IOException {
    Path out = dir.resolve("a").resolve("out");

    Path recording = record(new RecordingDirectory(out, "client-"));

    assertThat(mode(out)).isEqualTo("rwx------");
    assertThat(mode(recording)).isEqualTo("rw-------");
    assertThat(TraceVerifier.verify(recording).isValid()).isTrue();
  }

  @Test
  void aWiderFileModeIsExactlyThatWhateverTheUmask() throws IOException {
    Path out = dir.resolve("out");

    Path recording = record(new RecordingDirectory(out, "client-", PosixFilePermissions.fromString("rw-rw-rw-")));

    assertThat(mode(recording)).isEqualTo("rw-rw-rw-");
    assertThat(mode(out)).as("readable and searchable by all, writable by its owner only").isEqualTo("rwxr-xr-x");
    assertThat(mode(record(new RecordingDirectory(out, "other-", PosixFilePermissions.fromString("rw-r-----")))))
        .isEqualTo("rw-r-----");
  }

  @Test
  void anExistingDirectoryOfOurOwnKeepsItsMode() throws IOException {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));

    record(new RecordingDirectory(dir, "client-"));

    assertThat(mode(dir)).isEqualTo("rwxr-xr-x");
  }

  @Test
  void aStickyDirectoryWritableByAllIsAccepted() throws IOException {
    Path shared = Files.createDirectory(dir.resolve("shared"));
    Files.setAttribute(shared, "unix:mode", 01777);

    assertThat(mode(record(new RecordingDirectory(shared, "client-")))).isEqualTo("rw-------");
  }

  @Nested
  class Refuses {
    @Test
    void aDirectoryOthersCanWriteToWithoutTheStickyBit() throws IOException {
      for (int mode : new int[] {0777, 0770, 0757}) {
        Files.setAttribute(dir, "unix:mode", mode);

        assertThatThrownBy(() -> new RecordingDirectory(dir, "client-"))
            .isInstanceOf(FileSystemException.class)
            .hasMessage(dir + ": the recording directory is writable by other users (mode " + String.format("%04o", mode)
                + ") without the sticky bit: they could rename or replace the recordings. Take their write"
                + " permission away (chmod go-w) or use another directory");
      }
      Files.setAttribute(dir, "unix:mode", 0700);
    }

    @Test
    void aFileInTheWay() throws IOException {
      Path file = Files.writeString(dir.resolve("out"), "precious");

      assertThatThrownBy(() -> new RecordingDirectory(file, "client-"))
          .hasMessage(file + ": the recording directory is a file, not a directory");
      assertThat(Files.readString(file)).isEqualTo("precious");
    }

    @Test
    void anotherUsersDirectory() throws IOException {
      Root.require("a directory owned by another user");
      Path theirs = Files.createDirectory(dir.resolve("theirs"));
      Files.setAttribute(theirs, "unix:uid", Root.OTHER_UID);

      assertThatThrownBy(() -> new RecordingDirectory(theirs, "client-"))
          .isInstanceOf(FileSystemException.class)
          .hasMessageStartingWith(theirs + ": the recording directory is owned by user 'nobody' (uid 65534), not by"
              + " this process's user (uid 0) or root: they could read, rename or replace the recordings.");
      assertThat(theirs).isEmptyDirectory();
    }

    @Test
    void aLinkToAnotherUsersDirectoryOrAnotherUsersLinkToOurs() throws IOException {
      Root.require("a directory owned by another user");
      Path theirs = Files.createDirectory(dir.resolve("theirs"));
      Files.setAttribute(theirs, "unix:uid", Root.OTHER_UID);
      Path toTheirs = Files.createSymbolicLink(dir.resolve("trace"), theirs);
      Path ours = Files.createDirectory(dir.resolve("ours"));
      Path theirLink = Files.createSymbolicLink(dir.resolve("planted"), ours);
      Files.setAttribute(theirLink, "unix:uid", Root.OTHER_UID, LinkOption.NOFOLLOW_LINKS);

      assertThatThrownBy(() -> new RecordingDirectory(toTheirs, "client-"))
          .hasMessageStartingWith(toTheirs + ": the recording directory points to a directory owned by user 'nobody'");
      assertThatThrownBy(() -> new RecordingDirectory(theirLink, "client-"))
          .hasMessageStartingWith(theirLink + ": the recording directory is a symbolic link owned by user 'nobody'"
              + " (uid 65534), not by this process's user (uid 0) or root: they could point it elsewhere.");
      assertThat(theirs).isEmptyDirectory();
      assertThat(ours).isEmptyDirectory();
    }

    @Test
    void aPrefixThatIsNotAPlainFileNamePart() {
      for (String prefix : new String[] {"a/b", "..", ".", "x\0y"}) {
        assertThatThrownBy(() -> new RecordingDirectory(dir, prefix))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("the file name prefix must be a plain file name part (no '/' or NUL, not '.' or '..'), was '"
                + prefix + "'");
      }
      assertThat(RecordingDirectory.prefixProblem("run-")).isNull();
    }

    @Test
    void aFileModeWithoutOwnerReadAndWriteOrWithExecuteBits() {
      for (String mode : new String[] {"r--------", "rwx------", "rw-r-x---"}) {
        assertThatThrownBy(() -> new RecordingDirectory(dir, "client-", PosixFilePermissions.fromString(mode)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("a recording's mode must have owner read and write and no execute bits (0600 to 0666), was "
                + mode);
      }
    }
  }

  /**
   * A full disk when a client connects left a 0-byte client-NNNN that verify calls corrupt, and a
   * log line without a path: the file is removed, and the error names it.
   */
  @Test
  void aFullDiskAtConnectLeavesNoFileAndTheErrorNamesIt() throws Exception {
    try (Root.Tmpfs small = Root.tmpfs(dir.resolve("small"), "64k")) {
      Path out = small.path().resolve("out");
      RecordingDirectory directory = new RecordingDirectory(out, "client-");
      Root.fill(small.path());

      assertThatThrownBy(() -> directory.createNext(TraceConfig.CURRENT, 64))
          .isInstanceOf(IOException.class)
          .hasMessage(out.resolve("client-0001") + ": creating the trace file failed (No space left on device); the"
              + " new file was removed");
      try (Stream<Path> files = Files.list(out)) {
        assertThat(files).isEmpty();
      }
    }
  }
}
