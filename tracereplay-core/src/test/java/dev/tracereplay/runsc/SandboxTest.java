package dev.tracereplay.runsc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher without a real sandbox: its checks, and its errors for the runs a real runsc
 * cannot be made to fail on purpose, with a script in runsc's place ({@link FakeRunsc}).
 */
@Timeout(60)
class SandboxTest {
  /** What every "could not start" error ends with: what to do next. */
  static final String NEXT_STEP = " Next: fix what runsc names (one of its flags, the command's path inside the"
      + " sandbox; the sandbox's stderr has runsc's whole message), or run another runsc (record --runsc=PATH,"
      + " Sandbox.runsc).";

  @TempDir Path dir;

  @Test
  void describesWhatRunsWithTheCommandQuotedForAShell() {
    Sandbox sandbox = Runsc.sandbox().flags("--platform=ptrace").points("syscall/openat/enter")
        .contextFields("time").command("/bin/sh", "-c", "cat /etc/passwd; echo 'done'");

    assertThat(sandbox).hasToString("runsc --rootless --network=none --platform=ptrace do /bin/sh -c"
        + " 'cat /etc/passwd; echo '\\''done'\\''' (trace points: syscall/openat/enter; context fields: time)");
    assertThat(Runsc.sandbox().command("/bin/true")).hasToString(
        "runsc --rootless --network=none do /bin/true (trace points: preset files-and-processes)");
  }

  @Test
  void runsRunscWithTheLaunchersFlagsThenTheCallersThenDo() throws Exception {
    FakeRunsc runsc = FakeRunsc.create(dir, "exit 3");

    int exitCode = Runsc.sandbox().runsc(runsc.path()).flags("--network=host").command("/bin/echo", "a b")
        .temporaryDirectory(dir).traceTo(dir.resolve("sink.sock"));

    assertThat(exitCode).isEqualTo(3);
    assertThat(runsc.doArguments()).hasSize(9).startsWith("--rootless", "--network=none")
        .endsWith("--network=host", "do", "/bin/echo", "a b");
    assertThat(runsc.doArguments().get(2)).matches("--root=" + dir + "/tracereplay-runsc-\\d+/state");
    assertThat(runsc.doArguments().get(3)).matches("--log=" + dir + "/tracereplay-runsc-\\d+/runsc.log");
    assertThat(runsc.doArguments().get(4)).matches("--pod-init-config=" + dir + "/tracereplay-runsc-\\d+/pod-init.json");
    try (var left = Files.list(dir)) {
      assertThat(left).as("the private directory is deleted").noneMatch(p -> p.getFileName().toString()
          .startsWith("tracereplay-runsc-"));
    }
  }

  @Test
  void readsRunscsMetadataOncePerBinaryAndAgainWhenTheBinaryChanges() throws Exception {
    FakeRunsc runsc = FakeRunsc.create(dir, "exit 0");

    assertThat(Runsc.metadata(runsc.path()).points()).hasSize(21);
    assertThat(Runsc.metadata(runsc.path()).points()).hasSize(21);
    assertThat(runsc.metadataCalls()).isEqualTo(1);

    Files.setLastModifiedTime(runsc.path(), FileTime.from(Instant.now().plusSeconds(60)));
    Runsc.metadata(runsc.path());
    assertThat(runsc.metadataCalls()).isEqualTo(2);
  }

  @Nested
  class Refuses {

    @Test
    void anExistingFileBeforeRunscRuns() throws Exception {
      FakeRunsc runsc = FakeRunsc.create(dir, "exit 0");
      Path existing = Files.writeString(dir.resolve("trace"), "mine");

      assertThatThrownBy(() -> Runsc.sandbox().runsc(runsc.path()).command("/bin/true").recordTo(existing))
          .isInstanceOf(FileAlreadyExistsException.class)
          .hasMessage(existing + ": already exists, and a recording never replaces a file: choose another name, or"
              + " move the file away first");
      assertThat(existing).hasContent("mine");
      assertThat(runsc.metadataCalls()).isZero();
      assertThat(runsc.doArguments()).isNull();
    }

    @Test
    void flagsTheLauncherSetsItself() {
      for (String flag : new String[] {"--root=/x", "-root=/x", "--pod-init-config=x.json", "--log=x", "--log-fd=3"}) {
        assertThatThrownBy(() -> Runsc.sandbox().flags(flag)).as(flag).isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("the flag " + flag + " cannot be given: the launcher sets --");
      }
      assertThatThrownBy(() -> Runsc.sandbox().flags("do")).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("not a runsc flag: \"do\"; flags start with - or --, e.g. --platform=kvm");
    }

    @Test
    void aSandboxWithoutCommand() {
      assertThatThrownBy(() -> Runsc.sandbox().recordTo(dir.resolve("trace"))).isInstanceOf(IllegalStateException.class)
          .hasMessage("call command(...) first: the sandbox has no command to run");
      assertThatThrownBy(() -> Runsc.sandbox().command()).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("the sandbox's command must name a program, e.g. /bin/true; was []");
      assertThatThrownBy(() -> Runsc.sandbox().timeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRecordingLimitBelowOneByte() {
      assertThatThrownBy(() -> Runsc.sandbox().maxBytes(0)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("the largest recording must be at least 1 byte, was 0");
      assertThatThrownBy(() -> Runsc.sandbox().maxBytes(-1)).isInstanceOf(IllegalArgumentException.class);
      assertThat(Sandbox.DEFAULT_MAX_BYTES).isEqualTo(1L << 30);
    }
  }

  @Nested
  class Fails {

    @Test
    void whenRunscIsNotThere() {
      Path missing = dir.resolve("bin/runsc");

      assertThatThrownBy(() -> Runsc.sandbox().runsc(missing).command("/bin/true").recordTo(dir.resolve("trace")))
          .isInstanceOf(RunscException.class)
          .hasMessage("there is no runsc at " + missing + ": no such file. Install gVisor (apt-get install -y runsc),"
              + " or give the path of its runsc");
    }

    @Test
    void whenRunscIsNotAnExecutable() throws Exception {
      Path notExecutable = Files.writeString(dir.resolve("runsc"), "");

      assertThatThrownBy(() -> Runsc.sandbox().runsc(notExecutable).command("/bin/true").traceTo(dir.resolve("s")))
          .isInstanceOf(RunscException.class)
          .hasMessage(notExecutable + " is not an executable file: give the path of gVisor's runsc");
    }

    @Test
    void whenTheMetadataIsNotRunscs() throws Exception {
      Path other = dir.resolve("other");
      Files.writeString(other, "#!/bin/sh\necho 'usage: other [-x]' >&2\nexit 64\n");
      Files.setPosixFilePermissions(other, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));

      assertThatThrownBy(() -> Runsc.metadata(other)).isInstanceOf(RunscException.class)
          .hasMessage("'" + other + " trace metadata' failed with exit code 64: usage: other [-x]. Is " + other
              + " gVisor's runsc?");
    }

    @Test
    void whenRunscCannotStartTheSandboxWithRunscsOwnWordsAndAHintForNonRootUsers() throws Exception {
      String error = "creating container: cannot create sandbox: cannot read client sync file: waiting for sandbox"
          + " to start: EOF";
      FakeRunsc runsc = FakeRunsc.create(dir, "printf '{\"msg\":\"" + error + "\",\"level\":\"error\"}' > \"$log\"\n"
          + "echo '" + error + "' >&2\nexit 128");
      Sandbox sandbox = Runsc.sandbox().runsc(runsc.path()).command("/bin/true").temporaryDirectory(dir);

      assertThatThrownBy(() -> sandbox.uid(1000).recordTo(dir.resolve("trace"))).isInstanceOf(RunscException.class)
          .hasMessage("runsc could not start the sandbox (exit code 128): " + error + ". This process runs as uid 1000,"
              + " not as root: run it as root, or allow unprivileged user namespaces (sysctl user.max_user_namespaces,"
              + " kernel.unprivileged_userns_clone), which runsc --rootless needs otherwise." + NEXT_STEP);
      assertThatThrownBy(() -> sandbox.uid(0).traceTo(dir.resolve("sink.sock"))).isInstanceOf(RunscException.class)
          .hasMessage("runsc could not start the sandbox (exit code 128): " + error + "." + NEXT_STEP
              + " Is a sink listening at " + dir.resolve("sink.sock") + "?");
      assertThat(dir.resolve("trace")).doesNotExist();
    }

    @Test
    void whenRunscRefusesItsFlagsWithTheLastLinesOfItsStderr() throws Exception {
      FakeRunsc runsc = FakeRunsc.create(dir, "echo 'flag provided but not defined: -bogus' >&2\n"
          + "echo 'Usage: runsc <flags> <subcommand> <subcommand args>' >&2\nexit 2");

      assertThatThrownBy(() -> Runsc.sandbox().runsc(runsc.path()).flags("--bogus").command("/bin/true").uid(0)
          .temporaryDirectory(dir).recordTo(dir.resolve("trace")))
          .isInstanceOf(RunscException.class)
          .hasMessage("runsc could not start the sandbox (exit code 2): flag provided but not defined: -bogus / Usage:"
              + " runsc <flags> <subcommand> <subcommand args>." + NEXT_STEP);
    }

    @Test
    void whenTheSandboxNeverConnects() throws Exception {
      FakeRunsc runsc = FakeRunsc.create(dir, "echo 'no trace sessions here' >&2\nexit 0");

      assertThatThrownBy(() -> Runsc.sandbox().runsc(runsc.path()).command("/bin/true").temporaryDirectory(dir)
          .recordTo(dir.resolve("trace")))
          .isInstanceOf(RunscException.class)
          .hasMessageMatching("the sandbox never connected to its trace session's sink at " + dir
              + "/tracereplay-runsc-\\d+/sink.sock, although runsc ran \\(exit code 0\\): this runsc may not support"
              + " trace sessions \\(gVisor releases from 2022 on do\\), or one of the flags \\[\\] turned them off."
              + " Its last lines on stderr: no trace sessions here");
      assertThat(dir.resolve("trace")).doesNotExist();
    }

    @Test
    void whenTheSandboxRunsPastItsTimeoutAndStopsIt() throws Exception {
      // Notes the SIGTERM the launcher sends (a stop by SIGKILL after the grace period would note nothing).
      FakeRunsc runsc = FakeRunsc.create(dir, "trap 'echo TERM > \"$here/signalled\"; kill $sleeper; exit 143' TERM\n"
          + "sleep 600 & sleeper=$!\nwait $sleeper");

      assertThatThrownBy(() -> Runsc.sandbox().runsc(runsc.path()).command("/bin/true").timeout(Duration.ofSeconds(1))
          .temporaryDirectory(dir).recordTo(dir.resolve("trace")))
          .isInstanceOf(RunscException.class)
          .hasMessage("the sandbox ran longer than its timeout (1 s) and was stopped. Give it a longer timeout, or a"
              + " command that ends");
      assertThat(dir.resolve("signalled")).as("runsc was stopped by SIGTERM, which it passes on to the sandbox")
          .hasContent("TERM");
    }

    @Test
    void aTimeoutUnderASecondIsSaidInMilliseconds() throws Exception {
      FakeRunsc runsc = FakeRunsc.create(dir, "trap 'kill $sleeper; exit 143' TERM\nsleep 600 & sleeper=$!\nwait $sleeper");

      assertThatThrownBy(() -> Runsc.sandbox().runsc(runsc.path()).command("/bin/true").timeout(Duration.ofMillis(300))
          .temporaryDirectory(dir).recordTo(dir.resolve("trace")))
          .isInstanceOf(RunscException.class)
          .hasMessageStartingWith("the sandbox ran longer than its timeout (300 ms) and was stopped.");
      assertThat(SandboxRun.duration(Duration.ofMillis(1500))).isEqualTo("1500 ms");
      assertThat(SandboxRun.duration(Duration.ofMinutes(5))).isEqualTo("300 s");
    }
  }
}
