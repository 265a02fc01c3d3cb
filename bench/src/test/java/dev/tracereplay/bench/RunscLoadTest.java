package dev.tracereplay.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracereplay.bench.RunscLoad.Recorded;
import dev.tracereplay.file.TraceConfig;
import dev.tracereplay.file.TraceFileWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parts of the runsc load test that run without runsc: its sandbox config and its counting. */
class RunscLoadTest {
  @TempDir Path dir;

  /**
   * The points the fixtures' MANIFEST (the repository's fixtures/MANIFEST.md) calls {@code common}:
   * "container/start, sentry/clone, sentry/execve, sentry/exit_notify_parent, sentry/task_exit, and
   * the enter and exit points of the syscalls openat, read, write, close, execve, clone, socket,
   * connect, chdir, pipe2, dup2, fcntl, prlimit64, setresuid".
   */
  @Test
  void theSandboxesTraceTheFixturesCommonPointsWithEveryContextField() {
    List<String> expected = new ArrayList<>(List.of("container/start", "sentry/clone", "sentry/execve",
        "sentry/exit_notify_parent", "sentry/task_exit"));
    for (String syscall : "openat read write close execve clone socket connect chdir pipe2 dup2 fcntl prlimit64 setresuid"
        .split(" ")) {
      expected.add("syscall/" + syscall + "/enter");
      expected.add("syscall/" + syscall + "/exit");
    }
    assertThat(RunscLoad.COMMON_POINTS).containsExactlyElementsOf(expected).hasSize(33);

    String config = RunscLoad.podInitConfig(Path.of("/tmp/x/ev.sock"));
    for (String point : expected) {
      assertThat(config).containsOnlyOnce("\"name\": \"" + point + "\"");
    }
    assertThat(config).contains("\"endpoint\": \"/tmp/x/ev.sock\"")
        .contains("\"context_fields\": [\"time\", \"thread_id\", \"task_start_time\", \"group_id\","
            + " \"thread_group_start_time\", \"container_id\", \"credentials\", \"cwd\", \"process_name\"]");
  }

  @Test
  void countsEachRecordingsMessagesItsLastDroppedCountAndThatAfterItsFirstTenth() throws IOException {
    try (InputStream in = getClass().getResourceAsStream("/tracereplay/shell-common.trace")) {
      Files.copy(in, dir.resolve("client-0001"));
    }
    try (TraceFileWriter writer = TraceFileWriter.create(dir.resolve("client-0002"), new TraceConfig(1))) {
      for (int dropped : new int[] {0, 2, 7}) {
        writer.append(header(dropped));
      }
    }
    // 2,500 messages (the counts array grows): the message after the first tenth is number 251.
    try (TraceFileWriter writer = TraceFileWriter.create(dir.resolve("client-0003"), new TraceConfig(1))) {
      for (int i = 0; i < 2500; i++) {
        writer.append(header(i < 200 ? 0 : i <= 250 ? 5 : 40));
      }
    }

    assertThat(RunscLoad.readRecordings(dir, 3))
        .containsExactly(new Recorded(444, 0, 0), new Recorded(3, 7, 0), new Recorded(2500, 40, 5));
    assertThatThrownBy(() -> RunscLoad.readRecordings(dir, 4)).isInstanceOf(IOException.class)
        .hasMessage(dir + " holds 3 recordings, expected 4");
    // A saver kept for every round (--saver-life=run): a round's recordings are those after the earlier ones.
    assertThat(RunscLoad.readRecordings(dir, 1, 2)).containsExactly(new Recorded(3, 7, 0), new Recorded(2500, 40, 5));
    assertThatThrownBy(() -> RunscLoad.readRecordings(dir, 2, 2)).isInstanceOf(IOException.class)
        .hasMessage(dir + " holds 3 recordings, expected 4");
  }

  @Test
  void aBadCommandLineIsAUsageErrorBeforeAnythingRuns() {
    assertThat(run("--rounds=0")).startsWith("usage error: --rounds must be at least 1, got 0");
    assertThat(run("--savers=c")).startsWith("usage error: the C saver needs --peers=DIR with seqsaved");
    assertThat(run("--loops")).startsWith("usage error: expected --name=value, got '--loops'");
    assertThat(run("--session=mine")).startsWith("usage error: --session: own or shared, got 'mine'");
    assertThat(run("--savers=java,java-alt")).startsWith(
        "usage error: --alt-opts=JVM-OPTIONS and --savers=...,java-alt go together");
    assertThat(run("--session=shared", "--autogroup-nice=-5")).startsWith("usage error: --autogroup-nice: -20 to 19,"
        + " with --session=own (else it would set the harness's session's), got -5");
    assertThat(run("--autogroup-nice=20")).startsWith("usage error: --autogroup-nice: -20 to 19");
    assertThat(run("--saver-life=forever")).startsWith("usage error: --saver-life: round or run, got 'forever'");
    assertThat(run("--settle=61")).startsWith("usage error: --settle: 0 to 60 seconds, got '61'");
    assertThat(run("--settle=NaN")).startsWith("usage error: --settle: 0 to 60 seconds, got 'NaN'");
    assertThat(run("--settle=soon")).startsWith("usage error: --settle needs a number, got 'soon'");
    assertThat(run("--alt-opts=-Xint")).startsWith(
        "usage error: --alt-opts=JVM-OPTIONS and --savers=...,java-alt go together");
  }

  private static String run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = RunscLoad.run(args, new PrintStream(out, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(2);
    return out.toString(StandardCharsets.UTF_8);
  }

  /** A message of header only (type 7), with this dropped count. */
  private static ByteBuffer header(int dropped) {
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 8).putShort((short) 7)
        .putInt(dropped).flip();
  }
}
