package dev.tracereplay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracereplay.InstalledRunsc;
import dev.tracereplay.points.TraceMessage;
import dev.tracereplay.points.container.Start;
import dev.tracereplay.wire.MessageType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tracereplay record} and {@code tracereplay points} with the real runsc. Runs that start
 * a sandbox run the command line as a process of its own: the sandbox inherits its stdin and
 * stdout, which in this JVM are the test runner's.
 */
@Timeout(180)
class RecordCommandTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(90);

  @TempDir Path dir;

  @Test
  void recordsTheWalkthroughsSandboxInOneStep() throws Exception {
    InstalledRunsc.require();
    Path out = dir.resolve("trace/client-0001");

    try (CliProcess record = CliProcess.start("record", "--out=" + out, "--points=container/start", "--", "/bin/true")) {
      assertThat(record.awaitExit(TIMEOUT)).isZero();
      assertThat(record.out.text()).isEmpty();
      assertThat(record.err.text()).isEqualTo("Recorded 1 messages to \"" + out + "\"\n");
    }
    List<TraceMessage> messages = InstalledRunsc.messagesOf(out);
    assertThat(messages).singleElement().satisfies(start -> {
      assertThat(start.type()).isEqualTo(MessageType.CONTAINER_START);
      assertThat(start.as(Start.class).getArgsList()).containsExactly("/bin/true");
    });
  }

  @Test
  void passesTheSandboxsOutputThroughAndTheCommandsOptionsToIt() throws Exception {
    InstalledRunsc.require();
    Path out = dir.resolve("echo");

    try (CliProcess record = CliProcess.start("record", "--out=" + out, "--points=syscall/write/enter,syscall/write/exit",
        "--context-fields=time,process_name", "/bin/echo", "-n", "hello")) {
      assertThat(record.awaitExit(TIMEOUT)).isZero();
      assertThat(record.out.text()).isEqualTo("hello");
      assertThat(record.err.text()).isEqualTo("Recorded 2 messages to \"" + out + "\"\n");
    }
    assertThat(InstalledRunsc.messagesOf(out)).hasSize(2).allSatisfy(write -> assertThat(write.type()).isEqualTo(MessageType.SYSCALL_WRITE));
  }

  @Test
  void exitsWithTheSandboxedCommandsExitCodeAndRecordsWithTheDefaultPreset() throws Exception {
    InstalledRunsc.require();
    Path out = dir.resolve("failing");

    try (CliProcess record = CliProcess.start("record", "--out=" + out, "--", "/bin/sh", "-c",
        "cat /etc/hostname > /dev/null; echo oops >&2; exit 7")) {
      assertThat(record.awaitExit(TIMEOUT)).isEqualTo(7);
      List<TraceMessage> messages = InstalledRunsc.messagesOf(out);
      assertThat(record.err.text()).isEqualTo("oops\nRecorded " + messages.size() + " messages to \"" + out + "\"\n");
      assertThat(messages).extracting(TraceMessage::type).contains(MessageType.CONTAINER_START,
          MessageType.SYSCALL_OPEN, MessageType.SYSCALL_READ, MessageType.SENTRY_TASK_EXIT);
    }
  }

  @Test
  void sigintStopsTheSandboxAndSaysWhereWhatWasRecordedIsKept() throws Exception {
    InstalledRunsc.require();
    Path out = dir.resolve("stopped");

    try (CliProcess record = CliProcess.start("record", "--out=" + out, "--", "/bin/sh", "-c",
        "echo started; exec sleep 60")) {
      record.out.awaitContains("started", TIMEOUT);
      record.signal("INT");

      assertThat(record.awaitExit(TIMEOUT)).isEqualTo(130);
      Matcher kept = Pattern.compile("tracereplay record: interrupted: the sandbox was stopped; the \\d+ messages"
          + " recorded until then are kept in (/\\S+/recording/client-0001)\n").matcher(record.err.text());
      assertThat(kept.matches()).as(record.err.text()).isTrue();
      Path recording = Path.of(kept.group(1));
      try {
        assertThat(InstalledRunsc.messagesOf(recording)).isNotEmpty();
      } finally {
        deleteTree(recording.getParent().getParent());
      }
    }
    assertThat(out).doesNotExist();
  }

  @Test
  void pointsListsWhatThisRunscOffers() {
    Path runsc = InstalledRunsc.require();

    Cli.Result points = Cli.run("points");

    assertThat(points.exitCode()).isZero();
    assertThat(points.err()).isEmpty();
    List<String> lines = points.out().lines().toList();
    assertThat(lines.get(0)).matches("\\d+ trace points of " + Pattern.quote(runsc.toString()) + ":");
    assertThat(lines).contains("sentry/clone", "syscall/openat/enter             optional fields: fd_path")
        .anyMatch(line -> line.matches("container/start +optional fields: env"))
        .contains("Context fields of every point: time, thread_id, task_start_time, group_id, thread_group_start_time,"
            + " container_id, credentials, cwd, process_name")
        .anyMatch(line -> line.matches("Presets \\(record --preset=NAME\\): files-and-processes \\(\\d+ points\\),"
            + " all \\(\\d+ points\\)"));
  }

  @Nested
  class Failures {

    @Test
    void anExistingOutIsAnErrorAndStaysUntouched() throws IOException {
      Path out = Files.writeString(dir.resolve("mine"), "not to be replaced");

      Cli.Result record = Cli.run("record", "--out=" + out, "--", "/bin/true");

      assertThat(record.exitCode()).isEqualTo(1);
      assertThat(record.err()).isEqualTo("tracereplay record: " + out + ": already exists, and a recording never"
          + " replaces a file: choose another name, or move the file away first\n");
      assertThat(out).hasContent("not to be replaced");
    }

    @Test
    void anUnknownPointIsAUsageErrorNamingTheNearestOnes() {
      InstalledRunsc.require();

      Cli.Result record = Cli.run("record", "--out=" + dir.resolve("trace"), "--points=syscall/opnat/enter", "--",
          "/bin/true");

      assertThat(record.exitCode()).isEqualTo(2);
      assertThat(record.err()).startsWith("tracereplay record: unknown trace point \"syscall/opnat/enter\": runsc"
          + " offers no such trace point. The nearest of the ").contains(" it offers: syscall/openat/enter, ")
          .endsWith("\nRun 'tracereplay record --help' for its usage.\n");
      assertThat(dir.resolve("trace")).doesNotExist();
    }

    @Test
    void aMissingRunscIsAnError() {
      Path missing = dir.resolve("bin/runsc");

      Cli.Result record = Cli.run("record", "--runsc=" + missing, "--out=" + dir.resolve("trace"), "--", "/bin/true");
      Cli.Result points = Cli.run("points", "--runsc=" + missing);

      String error = "there is no runsc at " + missing + ": no such file. Install gVisor (apt-get install -y runsc),"
          + " or give the path of its runsc\n";
      assertThat(record.exitCode()).isEqualTo(1);
      assertThat(record.err()).isEqualTo("tracereplay record: " + error);
      assertThat(points.exitCode()).isEqualTo(1);
      assertThat(points.err()).isEqualTo("tracereplay points: " + error);
    }

    @Test
    void aMaxBytesBelowOneByteOrNotASizeIsAUsageError() {
      Cli.Result zero = Cli.run("record", "--out=" + dir.resolve("trace"), "--max-bytes=0", "--", "/bin/true");
      Cli.Result lots = Cli.run("record", "--out=" + dir.resolve("trace"), "--max-bytes=lots", "--", "/bin/true");

      assertThat(zero.exitCode()).isEqualTo(2);
      assertThat(zero.err()).startsWith("tracereplay record: Invalid value for option '--max-bytes': the largest"
          + " recording must be at least 1 byte, was 0\n");
      assertThat(lots.exitCode()).isEqualTo(2);
      assertThat(lots.err()).startsWith("tracereplay record: Invalid value for option '--max-bytes': 'lots' is not a size");
      assertThat(dir.resolve("trace")).doesNotExist();
    }

    @Test
    void aRecordingPastMaxBytesFailsAndSaysWhereWhatCameBeforeIsKept() throws Exception {
      InstalledRunsc.require();
      Path out = dir.resolve("limited");

      try (CliProcess record = CliProcess.start("record", "--out=" + out, "--max-bytes=2K",
          "--points=syscall/write/enter", "--", "/bin/sh", "-c",
          "i=0; while [ $i -lt 200 ]; do echo line $i; i=$((i+1)); done")) {
        assertThat(record.awaitExit(TIMEOUT)).isEqualTo(1);
        Matcher kept = Pattern.compile("tracereplay record: the sandbox's trace session passed the recording's limit"
            + " of 2048 bytes, .* kept in (/\\S+/recording/client-0001), not moved to " + Pattern.quote(out.toString())
            + "\\. .*record --max-bytes.*\n").matcher(record.err.text());
        assertThat(kept.find()).as(record.err.text()).isTrue();
        assertThat(record.out.text()).contains("line 199");
        deleteTree(Path.of(kept.group(1)).getParent().getParent());
      }
      assertThat(out).doesNotExist();
    }

    @Test
    void aCommandIsRequired() {
      Cli.Result record = Cli.run("record", "--out=" + dir.resolve("trace"));

      assertThat(record.exitCode()).isEqualTo(2);
      assertThat(record.err()).startsWith("tracereplay record: Missing required parameter: 'CMD'");
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
