package dev.tracereplay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracereplay.Fifos;
import dev.tracereplay.Fixtures;
import dev.tracereplay.file.TraceFiles;
import dev.tracereplay.file.TraceVerifier;
import dev.tracereplay.wire.MessageHeader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code tracereplay filter}: a selection of a recording as a trace file of its own. */
@Timeout(60)
class FilterCommandTest {
  @TempDir Path dir;

  static int type(byte[] packet) {
    return MessageHeader.messageType(ByteBuffer.wrap(packet), 0);
  }

  @Test
  void writesTheSelectedMessagesByteForByteAsAValidTrace() throws Exception {
    Path trace = Fixtures.copy("shell-common.trace", dir);
    Path out = dir.resolve("opens");

    Cli.Result filter = Cli.run("filter", "--in=" + trace, "--out=" + out, "--types=open", "--messages=10-");

    List<byte[]> expected = TraceFiles.records(trace).subList(9, 444).stream().filter(p -> type(p) == 7).toList();
    assertThat(filter.exitCode()).as(filter.err()).isZero();
    assertThat(filter.out()).isEqualTo("Wrote " + expected.size() + " messages to " + out + " (" + expected.size()
        + " selected from " + trace + ", 0 dropped).\n");
    assertThat(TraceFiles.records(out)).containsExactlyElementsOf(expected);
    assertThat(TraceVerifier.verify(out).isValid()).isTrue();
    assertThat(Files.readAllBytes(out)).startsWith(java.util.Arrays.copyOf(Files.readAllBytes(trace), 37));
  }

  @Test
  void dropsAreCountedInTheLaterHeadersAsRunscCountsThem() throws Exception {
    Path trace = Fixtures.copy("shell-common.trace", dir);
    Path out = dir.resolve("dropped");

    Cli.Result filter = Cli.run("filter", "--in=" + trace, "--out=" + out, "--messages=1-6", "--fault=drop@2-3",
        "--fault=drop@5");

    List<byte[]> recorded = TraceFiles.records(trace);
    List<byte[]> expected = new ArrayList<>(List.of(recorded.get(0), counting(recorded.get(3), 2),
        counting(recorded.get(5), 3)));
    assertThat(filter.exitCode()).as(filter.err()).isZero();
    assertThat(filter.out()).endsWith("(6 selected from " + trace + ", 3 dropped).\n");
    assertThat(TraceFiles.records(out)).containsExactlyElementsOf(expected);
  }

  static byte[] counting(byte[] packet, int dropped) {
    byte[] copy = packet.clone();
    ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putInt(4, dropped);
    return copy;
  }

  @Test
  void aRandomDropWithASeedCutsTheSameFixtureEveryTime() throws Exception {
    Path trace = Fixtures.copy("loop-all.trace", dir);

    Cli.run("filter", "--in=" + trace, "--out=" + dir.resolve("a"), "--fault=drop~10%", "--seed=3");
    Cli.run("filter", "--in=" + trace, "--out=" + dir.resolve("b"), "--fault=drop~10%", "--seed=3");

    assertThat(dir.resolve("a")).hasSameBinaryContentAs(dir.resolve("b"));
    assertThat(Files.size(dir.resolve("a"))).isLessThan(Files.size(trace));
  }

  @Test
  void neverOverwritesOut() throws Exception {
    Path trace = Fixtures.copy("shell-common.trace", dir);
    Path out = Files.writeString(dir.resolve("precious"), "a recording that must stay");

    Cli.Result filter = Cli.run("filter", "--in=" + trace, "--out=" + out);

    assertThat(filter.exitCode()).isEqualTo(1);
    assertThat(filter.err()).isEqualTo("tracereplay filter: " + out + ": already exists; filter never overwrites a"
        + " file. Choose another --out\n");
    assertThat(out).hasContent("a recording that must stay");
  }

  @Test
  void createsMissingDirectoriesOfOutForTheOwnerOnly() throws Exception {
    Path trace = Fixtures.copy("shell-common.trace", dir);
    Path out = dir.resolve("fixtures/cut/opens");

    Cli.Result filter = Cli.run("filter", "--in=" + trace, "--out=" + out, "--messages=1-5");

    assertThat(filter.exitCode()).as(filter.err()).isZero();
    assertThat(TraceFiles.records(out)).containsExactlyElementsOf(TraceFiles.records(trace).subList(0, 5));
    for (Path created : List.of(dir.resolve("fixtures"), dir.resolve("fixtures/cut"))) {
      Set<PosixFilePermission> mode = Files.getPosixFilePermissions(created);
      assertThat(mode).as(created.toString()).doesNotContain(PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.OTHERS_WRITE, PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);
    }
  }

  @Test
  void anOutUnderAFileIsAnErrorThatLeavesTheFile() throws Exception {
    Path trace = Fixtures.copy("shell-common.trace", dir);
    Path file = Files.writeString(dir.resolve("plain"), "not a directory");

    Cli.Result filter = Cli.run("filter", "--in=" + trace, "--out=" + file.resolve("sub/out"));

    assertThat(filter.exitCode()).isEqualTo(1);
    assertThat(filter.err()).isEqualTo("tracereplay filter: " + file + " is not a directory, so --out="
        + file.resolve("sub/out") + " cannot be created in it: choose another --out\n");
    assertThat(file).hasContent("not a directory");
  }

  @Test
  void neverOverwritesOutInADirectoryItCreatedEither() throws Exception {
    Path trace = Fixtures.copy("shell-common.trace", dir);
    Path out = dir.resolve("new/dir/precious");

    assertThat(Cli.run("filter", "--in=" + trace, "--out=" + out, "--messages=1-1").exitCode()).isZero();
    byte[] first = Files.readAllBytes(out);
    Cli.Result again = Cli.run("filter", "--in=" + trace, "--out=" + out);

    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err()).contains("already exists; filter never overwrites a file");
    assertThat(out).hasBinaryContent(first);
  }

  @Test
  void aBadInputLeavesNoOutput() throws Exception {
    Path cut = TraceFiles.cut(Fixtures.copy("shell-common.trace", dir), 1000, dir.resolve("cut"));
    Path out = dir.resolve("out");

    Cli.Result filter = Cli.run("filter", "--in=" + cut, "--out=" + out);

    assertThat(filter.exitCode()).isEqualTo(1);
    assertThat(filter.err()).startsWith("tracereplay filter: ").contains(cut.toString());
    assertThat(out).doesNotExist();
  }

  @Test
  void readsAFifoOnce() throws Exception {
    Path trace = Fixtures.copy("shell-common.trace", dir);
    Path out = dir.resolve("copy");

    Cli.Result filter = Cli.run("filter", "--in=" + Fifos.fifoOf(trace, dir.resolve("fifo")), "--out=" + out);

    assertThat(filter.exitCode()).as(filter.err()).isZero();
    assertThat(out).hasSameBinaryContentAs(trace);
  }

  @Test
  void takesOnlyDropFaults() throws Exception {
    Path trace = Fixtures.copy("shell-common.trace", dir);

    Cli.Result filter = Cli.run("filter", "--in=" + trace, "--out=" + dir.resolve("x"), "--fault=corrupt@2");

    assertThat(filter.exitCode()).isEqualTo(2);
    assertThat(filter.err()).startsWith("tracereplay filter: Invalid value for option '--fault': filter applies only drop faults"
        + " (drop@N, drop@N-M, drop~P%), and corrupt@2 changes what is sent, not what is kept: give it to"
        + " 'tracereplay replay --fault' instead\n");
    assertThat(dir.resolve("x")).doesNotExist();
  }
}
