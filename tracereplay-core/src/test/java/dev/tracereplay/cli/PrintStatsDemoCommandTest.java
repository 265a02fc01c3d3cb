package dev.tracereplay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracereplay.Fixtures;
import dev.tracereplay.file.TraceFiles;
import dev.tracereplay.points.TraceStats;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** print, stats and demo, run in-process with captured output. */
@Timeout(60)
class PrintStatsDemoCommandTest {
  @TempDir Path dir;

  private static String resource(String name) throws IOException {
    try (InputStream in = PrintStatsDemoCommandTest.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void printShowsEachMessageAsGvisorsExampleServer() throws IOException {
    Path trace = Fixtures.copy("true-start.trace", dir);

    Cli.Result result = Cli.run("print", "--in=" + trace);

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).isEqualTo(resource("/points/true-start.print.txt"));
    assertThat(result.out()).isEqualTo("Start => id: \"runsc-409429\" cwd: \"/\" args: \"/bin/true\" \n");
  }

  @Test
  void printWithALimitMatchesTheCheckedInListing() throws IOException {
    Path trace = Fixtures.copy("shell-common.trace", dir);

    Cli.Result result = Cli.run("print", "--in=" + trace, "--limit=40");

    assertThat(result.out()).isEqualTo(resource("/points/shell-common-first-40.print.txt"));
  }

  @Test
  void printFiltersByTypeAndPrintsJson() throws IOException {
    Path trace = Fixtures.copy("shell-common.trace", dir);

    Cli.Result opens = Cli.run("print", "--in=" + trace, "--types=open,SYSCALL_CLOSE");
    Cli.Result json = Cli.run("print", "--in=" + trace, "--json", "--types=write", "--limit=1");

    List<String> lines = opens.out().lines().toList();
    assertThat(lines).hasSize(210 + 140).allMatch(line -> line.matches("[EX] (Open|Close) .*"));
    assertThat(json.out()).startsWith("{\"number\":").contains("\"type\":\"SYSCALL_WRITE\"").endsWith("}\n");
    assertThat(json.out().lines()).hasSize(1);
  }

  @Test
  void anUnknownTypeNameIsAUsageErrorListingTheValidNames() throws IOException {
    Path trace = Fixtures.copy("true-start.trace", dir);

    Cli.Result result = Cli.run("print", "--in=" + trace, "--types=opn");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("unknown message type \"opn\"").contains("open, close, read");
  }

  @Test
  void printOfAFileThatIsNotATraceFailsWithTheReadersMessage() throws IOException {
    Path notATrace = Files.writeString(dir.resolve("notes.txt"), "just some notes, not a trace");

    Cli.Result result = Cli.run("print", "--in=" + notATrace);

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).startsWith("tracereplay print: " + notATrace + ": not a tracereplay file")
        .contains("byte offset 0");
  }

  /**
   * One packet with field 1 nested 2,000 deep (the fuzz corpus's depth bomb) made print die of a
   * StackOverflowError with a 1,025-line stack trace; it is a line saying what is wrong, and the
   * listing goes on.
   */
  @Test
  void printReportsAPayloadNestedTooDeepAndGoesOn() throws IOException {
    byte[] bomb;
    try (InputStream in = PrintStatsDemoCommandTest.class.getResourceAsStream(
        "/dev/tracereplay/fuzz/PrinterFuzzTestInputs/anyPacketPrintsAsOneLine/seed-payload-depth-bomb-2000")) {
      bomb = in.readAllBytes();
    }
    Path trace = dir.resolve("bomb.trace");
    Files.write(trace, TraceFiles.withHeader().record(bomb).record(TraceFiles.packet(2)).bytes());

    Cli.Result result = Cli.run("print", "--in=" + trace);

    assertThat(result.err()).isEmpty();
    assertThat(result.exitCode()).isZero();
    assertThat(result.out().lines()).hasSize(2).first().isEqualTo("Undecodable Open payload (message_type 7, "
        + (bomb.length - 8) + " bytes): the payload nests messages more than 100 levels deep (fields this library"
        + " does not know, read as messages); no trace point does, and printing it would overflow the stack");
  }

  @Test
  void statsCountsEachTypeAsDecodingDoes() throws IOException {
    Path trace = Fixtures.copy("shell-common.trace", dir);

    Cli.Result result = Cli.run("stats", "--in=" + trace);

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).isEqualTo(TraceStats.of(trace).render());
    assertThat(result.out()).contains("messages:      444\n", "wire version:  1\n", "dropped:       0\n",
        "time span:     0.074753583 s", "SYSCALL_OPEN (7)", "210\n");
  }

  @Test
  void demoReplaysABundledRecordingIntoAPrintingSinkAndCleansUp() throws IOException {
    Cli.Result result = Cli.run("demo", "--recording=start");

    assertThat(result.exitCode()).isZero();
    List<String> lines = result.out().lines().toList();
    assertThat(lines.get(0)).startsWith("Socket address /tmp/tracereplay-demo-").endsWith("/sink.sock");
    assertThat(lines.subList(1, 4)).containsExactly("Connection accepted",
        "Start => id: \"runsc-409429\" cwd: \"/\" args: \"/bin/true\" ", "Connection closed");
    assertThat(result.out()).contains("Replayed 1 messages (36 bytes) of a real runsc recording (true-start.trace)");
    Path socketDirectory = Path.of(lines.get(0).substring("Socket address ".length())).getParent();
    assertThat(socketDirectory).doesNotExist();
  }

  @Test
  void demoOfTheShellRecordingPrintsEveryMessage() {
    Cli.Result result = Cli.run("demo");

    assertThat(result.exitCode()).isZero();
    List<String> lines = Arrays.asList(result.out().split("\n"));
    int accepted = lines.indexOf("Connection accepted");
    int closed = lines.indexOf("Connection closed");
    assertThat(closed - accepted - 1).isEqualTo(444);
    assertThat(result.out()).contains("Replayed 444 messages");
  }
}
