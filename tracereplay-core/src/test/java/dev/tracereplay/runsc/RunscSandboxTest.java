package dev.tracereplay.runsc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracereplay.InstalledRunsc;
import dev.tracereplay.TraceRecorder;
import dev.tracereplay.points.TraceMessage;
import dev.tracereplay.points.container.Start;
import dev.tracereplay.points.syscall.Open;
import dev.tracereplay.points.syscall.Write;
import dev.tracereplay.wire.MessageType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The launcher with the real runsc: recordings of real sandboxes, and its errors for real failures. */
@Timeout(180)
class RunscSandboxTest {
  @TempDir Path dir;

  @Test
  void recordsEchoWithItsWritesAndTheContextFieldsAskedFor() throws Exception {
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    Path file = dir.resolve("traces/echo");

    SandboxRecording recording = sandbox().points("syscall/write/enter", "syscall/write/exit")
        .contextFields("time", "process_name").command("/bin/echo", "hello").stdout(stdout).recordTo(file);

    assertThat(recording.file()).isEqualTo(file);
    assertThat(recording.exitCode()).isZero();
    assertThat(stdout.toString(StandardCharsets.UTF_8)).isEqualTo("hello\n");
    List<TraceMessage> messages = InstalledRunsc.messagesOf(file);
    assertThat(messages).hasSize((int) recording.messages()).isNotEmpty()
        .allMatch(message -> message.type() == MessageType.SYSCALL_WRITE);
    Write write = messages.get(0).as(Write.class);
    assertThat(write.getFd()).isEqualTo(1);
    assertThat(write.getCount()).isEqualTo(6);
    assertThat(write.getContextData().getProcessName()).isEqualTo("echo");
    assertThat(write.getContextData().getTimeNs()).isPositive();
    assertThat(write.getContextData().getCwd()).as("not asked for").isEmpty();
  }

  @Test
  void recordsAShellScriptWithItsFileSyscallsAndPassesItsExitCodeAndStderrOn() throws Exception {
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    Path file = dir.resolve("shell");
    // A path of this test's own (the sandbox sees the host's tree through an overlay), not a fixed
    // /tmp/x that another run of the test could share.
    String scratch = dir.resolve("x").toString();
    String script = "echo hi > '" + scratch + "'; cat '" + scratch + "' >&2; exit 3";

    SandboxRecording recording = sandbox()
        .points("container/start", "syscall/openat/enter", "syscall/openat/exit")
        .contextFields("process_name", "cwd")
        .command("/bin/sh", "-c", script).stderr(stderr).recordTo(file);

    assertThat(recording.exitCode()).isEqualTo(3);
    assertThat(stderr.toString(StandardCharsets.UTF_8)).isEqualTo("hi\n");
    List<TraceMessage> messages = InstalledRunsc.messagesOf(file);
    assertThat(messages.get(0).type()).isEqualTo(MessageType.CONTAINER_START);
    assertThat(messages.get(0).as(Start.class).getArgsList()).containsExactly("/bin/sh", "-c", script);
    List<Open> opens = messages.stream().filter(m -> m.type() == MessageType.SYSCALL_OPEN).map(m -> m.as(Open.class))
        .toList();
    assertThat(opens).anySatisfy(open -> {
      assertThat(open.getPathname()).isEqualTo(scratch);
      assertThat(open.getContextData().getProcessName()).isEqualTo("cat");
      assertThat(open.getContextData().getCwd()).isEqualTo("/");
    });
  }

  @Test
  void neverReplacesAFileThatIsThere() throws Exception {
    Path existing = Files.writeString(dir.resolve("trace"), "a recording of mine");

    assertThatThrownBy(() -> sandbox().command("/bin/true").recordTo(existing))
        .isInstanceOf(FileAlreadyExistsException.class).hasMessageContaining("never replaces a file");
    assertThat(existing).hasContent("a recording of mine");
  }

  @Test
  void aCommandThatIsNotThereFailsWithRunscsWords() {
    assertThatThrownBy(() -> sandbox().command("/no/such/program").recordTo(dir.resolve("trace")))
        .isInstanceOf(RunscException.class)
        .hasMessageStartingWith("runsc could not start the sandbox (exit code 128): ")
        .hasMessageContaining("failed to load /no/such/program: no such file or directory");
    assertThat(dir.resolve("trace")).doesNotExist();
  }

  @Test
  void tracesIntoAListeningSinkAtAPathThatNeedsEscaping() throws Exception {
    Path odd = Files.createDirectories(dir.resolve("a \"q\" \\ é"));
    Path endpoint = odd.resolve("s.sock");
    try (TraceRecorder recorder = TraceRecorder.start(endpoint, dir.resolve("out"))) {
      int exitCode = sandbox().points("container/start").command("/bin/sh", "-c", "exit 4").traceTo(endpoint);

      assertThat(exitCode).isEqualTo(4);
      assertThat(recorder.awaitNoClients(Duration.ofSeconds(30))).isTrue();
      assertThat(recorder.recordings()).singleElement().satisfies(r -> assertThat(r.messages()).isEqualTo(1));
    }
  }

  @Test
  void tracingIntoNothingFailsNamingTheEndpoint() {
    Path endpoint = dir.resolve("nobody.sock");

    assertThatThrownBy(() -> sandbox().points("container/start").command("/bin/true").traceTo(endpoint))
        .isInstanceOf(RunscException.class)
        .hasMessageContaining("connect(\"" + endpoint + "\"): no such file or directory")
        .hasMessageEndingWith("Is a sink listening at " + endpoint + "?");
  }

  @Test
  void aSandboxPastItsTimeoutIsStoppedAndWhatItRecordedIsKept() throws Exception {
    Path file = dir.resolve("trace");

    Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> sandbox()
        .command("/bin/sh", "-c", "cat /etc/hostname > /dev/null; exec sleep 60")
        .timeout(Duration.ofSeconds(3)).temporaryDirectory(dir).recordTo(file));

    assertThat(failure).isInstanceOf(RunscException.class).hasMessageStartingWith(
        "the sandbox ran longer than its timeout (3 s) and was stopped; the ");
    Matcher kept = Pattern.compile("messages recorded until then are kept in (\\S+)\\. ").matcher(failure.getMessage());
    assertThat(kept.find()).as(failure.getMessage()).isTrue();
    assertThat(InstalledRunsc.messagesOf(Path.of(kept.group(1)))).isNotEmpty();
    assertThat(file).doesNotExist();
  }

  @Test
  void sandboxesRecordingAtOnceEachHaveTheirOwn() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(3);
    try {
      List<Future<SandboxRecording>> recordings = new ArrayList<>();
      for (int i = 1; i <= 3; i++) {
        Sandbox sandbox = sandbox().points("container/start").command("/bin/echo", "sandbox " + i);
        Path file = dir.resolve("trace-" + i);
        recordings.add(threads.submit(() -> sandbox.recordTo(file)));
      }
      for (int i = 1; i <= 3; i++) {
        SandboxRecording recording = recordings.get(i - 1).get();
        assertThat(InstalledRunsc.messagesOf(recording.file()).get(0).as(Start.class).getArgsList()).containsExactly("/bin/echo",
            "sandbox " + i);
      }
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void aSessionPastTheRecordingLimitFailsAndKeepsWhatCameBeforeOutsideTheTarget() throws Exception {
    Path file = dir.resolve("limited");

    assertThatThrownBy(() -> sandbox().points("syscall/write/enter").maxBytes(2048).temporaryDirectory(dir)
        .command("/bin/sh", "-c", "i=0; while [ $i -lt 200 ]; do echo line $i; i=$((i+1)); done").recordTo(file))
        .isInstanceOfSatisfying(RunscException.class, e -> {
          Matcher kept = Pattern.compile("the sandbox's trace session passed the recording's limit of 2048 bytes, and"
              + " what came after was not recorded; the (\\d+) messages before it are kept in (/\\S+/client-0001),"
              + " not moved to " + Pattern.quote(file.toString()) + ". Allow a larger recording \\(Sandbox.maxBytes,"
              + " record --max-bytes\\) or trace fewer points").matcher(e.getMessage());
          assertThat(kept.matches()).as(e.getMessage()).isTrue();
          Path recording = Path.of(kept.group(2));
          try {
            assertThat(recording).startsWith(dir);
            assertThat(InstalledRunsc.messagesOf(recording)).hasSize(Integer.parseInt(kept.group(1))).isNotEmpty();
            assertThat(recording).satisfies(r -> assertThat(Files.size(r)).isLessThanOrEqualTo(2048));
          } catch (IOException ex) {
            throw new java.io.UncheckedIOException(ex);
          }
        });
    assertThat(file).doesNotExist();
  }

  private static Sandbox sandbox() {
    return InstalledRunsc.sandbox();
  }
}
