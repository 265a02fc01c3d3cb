package dev.tracereplay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracereplay.Fixtures;
import dev.tracereplay.file.TraceFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** verify and repair in this JVM: exit codes and the exact text printed. */
class VerifyRepairCommandTest {
  @TempDir Path dir;

  @Nested
  class Verify {

    @Test
    void aValidTraceGetsAOneLineSummaryAndExitCode0() {
      Path trace = Fixtures.copy("shell-common.trace", dir);

      Cli.Result verify = Cli.run("verify", "--in=" + trace);

      assertThat(verify.exitCode()).isZero();
      assertThat(verify.out()).isEqualTo(trace + ": valid trace, version 1, 444 records, 47137 bytes\n");
      assertThat(verify.err()).isEmpty();
    }

    @Test
    void aTruncatedTraceSaysWhereItsValidPartEndsAndHowToRepairItWithExitCode1() throws IOException {
      Path trace = Fixtures.copy("shell-common.trace", dir);
      long torn = TraceFiles.offsetOfRecord(trace, 11);
      Path truncated = cut(trace, torn + 3, "truncated");

      Cli.Result verify = Cli.run("verify", "--in=" + truncated);

      assertThat(verify.exitCode()).isEqualTo(1);
      assertThat(verify.out()).isEmpty();
      assertThat(verify.err()).isEqualTo(truncated + ": truncated after record 10: the last complete record ends at"
          + " byte offset " + torn + "; the 3 bytes after it are a torn record.\n"
          + "To keep the header and the 10 complete records: tracereplay repair --in=" + truncated + " --out="
          + truncated + ".repaired\n");
    }

    @Test
    void aFileThatIsNotATraceIsCorruptWithExitCode2() throws IOException {
      Path notATrace = TraceFiles.notATrace(dir.resolve("notes.txt"));

      Cli.Result verify = Cli.run("verify", "--in=" + notATrace);

      assertThat(verify.exitCode()).isEqualTo(2);
      assertThat(verify.err()).isEqualTo(notATrace + ": not a tracereplay file: expected the signature"
          + " \"tracereplay file\" but found \"hello, this is n\" (file header, byte offset 0). Pass a file written"
          + " by 'tracereplay save' or gVisor's tracereplay.\n");
    }

    @Test
    void aRecordOverTheLimitIsCorruptAndNamesTheOption() {
      Path trace = Fixtures.copy("true-start.trace", dir);

      Cli.Result verify = Cli.run("verify", "--in=" + trace, "--max-record-size=20");

      assertThat(verify.exitCode()).isEqualTo(2);
      assertThat(verify.err()).startsWith(trace + ": record size 36 is over the limit of 20 bytes (record 1")
          .endsWith(" The limit is --max-record-size.\n").hasLineCount(1);
    }

    @Test
    void aMissingFileIsUnreadableWithExitCode2() {
      Path missing = dir.resolve("missing.trace");

      Cli.Result verify = Cli.run("verify", "--in=" + missing);

      assertThat(verify.exitCode()).isEqualTo(2);
      assertThat(verify.err()).isEqualTo("tracereplay verify: " + missing + ": no such file or directory\n");
    }

    @Test
    void aDirectoryIsNamedAsSuch() {
      Cli.Result verify = Cli.run("verify", "--in=" + dir);

      assertThat(verify.exitCode()).isEqualTo(2);
      assertThat(verify.err()).isEqualTo("tracereplay verify: " + dir + ": a directory, not a trace file\n");
    }

    @Test
    void suggestsARepairCommandTheShellReadsBack() {
      assertThat(VerifyCommand.shellWord("/tmp/a b/it's.trace")).isEqualTo("'/tmp/a b/it'\\''s.trace'");
      assertThat(VerifyCommand.shellWord("/tmp/plain-name_1.trace")).isEqualTo("/tmp/plain-name_1.trace");
    }
  }

  @Nested
  class Repair {

    @Test
    void keepsTheValidPrefixAndSaysWhatWasDropped() throws IOException {
      Path trace = Fixtures.copy("shell-common.trace", dir);
      long torn = TraceFiles.offsetOfRecord(trace, 11);
      Path truncated = cut(trace, torn + 3, "truncated");
      Path repaired = dir.resolve("repaired");

      Cli.Result repair = Cli.run("repair", "--in=" + truncated, "--out=" + repaired);

      assertThat(repair.exitCode()).isZero();
      assertThat(repair.out()).isEqualTo("Kept 10 complete records of " + truncated + " (" + torn + " bytes) in "
          + repaired + "; dropped 3 bytes (a torn record).\n");
      assertThat(repair.err()).isEmpty();
      assertThat(Files.readAllBytes(repaired)).isEqualTo(Arrays.copyOf(Files.readAllBytes(trace), (int) torn));
      assertThat(Cli.run("verify", "--in=" + repaired).exitCode()).isZero();
    }

    @Test
    void copiesAValidFileWhole() throws IOException {
      Path trace = Fixtures.copy("true-start.trace", dir);
      Path copy = dir.resolve("copy");

      Cli.Result repair = Cli.run("repair", "--in=" + trace, "--out=" + copy);

      assertThat(repair.exitCode()).isZero();
      assertThat(repair.out()).isEqualTo(trace + " was already valid: kept all 1 records (81 bytes) in " + copy
          + "; dropped 0 bytes.\n");
      assertThat(copy).hasSameBinaryContentAs(trace);
    }

    @Test
    void refusesToOverwriteWithExitCode1() throws IOException {
      Path truncated = cut(Fixtures.copy("true-start.trace", dir), 60, "truncated");
      Path existing = Files.writeString(dir.resolve("existing"), "keep me");

      Cli.Result repair = Cli.run("repair", "--in=" + truncated, "--out=" + existing);

      assertThat(repair.exitCode()).isEqualTo(1);
      assertThat(repair.out()).isEmpty();
      assertThat(repair.err()).isEqualTo("tracereplay repair: " + existing + ": the output file already exists;"
          + " repair never overwrites a file. Choose another output path\n");
      assertThat(existing).hasContent("keep me");
    }

    @Test
    void refusesACorruptFileWithTheReasonAndExitCode2() throws IOException {
      Path notATrace = TraceFiles.notATrace(dir.resolve("notes.txt"));
      Path out = dir.resolve("out");

      Cli.Result repair = Cli.run("repair", "--in=" + notATrace, "--out=" + out);

      assertThat(repair.exitCode()).isEqualTo(2);
      assertThat(repair.err()).startsWith("tracereplay repair: cannot repair a corrupt file: " + notATrace
          + ": not a tracereplay file: ").hasLineCount(1);
      assertThat(out).doesNotExist();
    }
  }

  /**
   * {@code repair --in=<(...)} failed with a bare "Illegal seek": the input was read twice and
   * copied by position. A pipe is read once now, by real processes under bash.
   */
  @Nested
  @Timeout(120)
  class FromAPipe {
    Path trace;
    /** Where record 11 starts; the file is cut 3 bytes after it. */
    long torn;
    Path truncated;

    @BeforeEach
    void cutShortInRecord11() throws IOException {
      trace = Fixtures.copy("shell-common.trace", dir);
      torn = TraceFiles.offsetOfRecord(trace, 11);
      truncated = cut(trace, torn + 3, "truncated");
    }

    /** tracereplay args... --in=<(cat truncated), under bash. */
    private CliProcess withTheTruncatedTraceFromAPipe(String... args) throws IOException {
      return CliProcess.startInShell("bash", "exec \"$@\" --in=<(cat '" + truncated + "')", args);
    }

    @Test
    void repairKeepsTheValidPrefixOfAProcessSubstitution() throws Exception {
      Path repaired = dir.resolve("repaired");

      try (CliProcess repair = withTheTruncatedTraceFromAPipe("repair", "--out=" + repaired)) {
        assertThat(repair.awaitExit(CliProcessTest.TIMEOUT)).as(repair.err.text()).isZero();
        assertThat(repair.out.text()).matches("Kept 10 complete records of /dev/fd/\\d+ \\(" + torn + " bytes\\) in "
            + Pattern.quote(repaired.toString()) + "; dropped 3 bytes \\(a torn record\\).\n");
      }
      assertThat(Files.readAllBytes(repaired)).isEqualTo(Arrays.copyOf(Files.readAllBytes(trace), (int) torn));
    }

    @Test
    void verifySaysThatRepairNeedsTheSameBytesAgain() throws Exception {
      try (CliProcess verify = withTheTruncatedTraceFromAPipe("verify")) {
        assertThat(verify.awaitExit(CliProcessTest.TIMEOUT)).isEqualTo(1);
        assertThat(verify.err.text()).matches("/dev/fd/(\\d+): truncated after record 10: the last complete record"
            + " ends at byte offset " + torn + "; the 3 bytes after it are a torn record.\n"
            + "To keep the header and the 10 complete records \\(this input is not a file and has been read: give"
            + " repair the same bytes again\\): tracereplay repair --in=/dev/fd/\\1 --out=repaired.trace\n");
      }
    }
  }

  private Path cut(Path file, long length, String name) throws IOException {
    return TraceFiles.cut(file, length, dir.resolve(name));
  }
}
