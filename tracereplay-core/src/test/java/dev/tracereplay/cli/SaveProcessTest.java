package dev.tracereplay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracereplay.Deadline;
import dev.tracereplay.Fixtures;
import dev.tracereplay.Root;
import dev.tracereplay.TraceReplayer;
import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.file.TraceFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code save} as a process, where what surrounds it matters: a stdout nobody reads, a shell that
 * starts it in the background, a umask, another user's directory.
 */
class SaveProcessTest {
  static final Duration TIMEOUT = CliProcessTest.TIMEOUT;
  static final int SIGINT = CliProcessTest.SIGINT;

  @TempDir Path dir;

  /**
   * "New client connected" was printed on the client's thread before the handshake answer: with
   * stdout a pipe nobody reads, the pipe filled after a hundred-odd sessions and every later client
   * got no answer. The lines (long here, so the pipe fills sooner) go through a bounded queue;
   * when it is full they are dropped and counted, and every client is served.
   */
  @Test
  @Timeout(300)
  void aStdoutNobodyReadsNeverHoldsUpAClient() throws Exception {
    Path out = dir.resolve("o".repeat(100)).resolve("p".repeat(100));
    Path endpoint = dir.resolve("s.sock");
    int sessions = 1500;
    try (CliProcess save = CliProcess.startWithUnreadStdout("save", "--endpoint=" + endpoint, "--out=" + out)) {
      save.err.awaitContains("Recording into", TIMEOUT);
      for (int i = 0; i < sessions; i++) {
        try (SeqPacketChannel client = CliProcessTest.handshakenClient(endpoint, Duration.ofSeconds(20))) {
          client.send(SaveReplayCommandTest.message(i));
        }
      }
      Deadline.await(TIMEOUT, () -> Files.exists(out.resolve(String.format("client-%04d", sessions))));
      save.signal("TERM");

      assertThat(save.awaitExit(TIMEOUT)).isZero();
      assertThat(save.err.text())
          .contains("tracereplay save: stdout is not being read: its lines are dropped (and counted) from now on,"
              + " so that recording goes on\n")
          .containsPattern("tracereplay save: \\d+ output line\\(s\\) were dropped because stdout was not read\n");
    }
    for (int i = 1; i <= sessions; i++) {
      assertThat(TraceFiles.records(out.resolve(String.format("client-%04d", i))))
          .containsExactly(SaveReplayCommandTest.message(i - 1).array());
    }
  }

  /**
   * A non-interactive shell starts a background job with SIGINT ignored, and the JVM installs no
   * handler for an ignored signal: {@code sh -c 'tracereplay save ... &'} could not be stopped with
   * SIGINT, while gVisor's (Go's signal.Notify) can. On JDK 22 and later save undoes the inherited
   * ignore; before, it says so and SIGTERM stops it.
   */
  @Test
  @Timeout(120)
  void aSaveStartedInTheBackgroundByAShellStopsOnSigintAsGvisorsDoes() throws Exception {
    Path endpoint = dir.resolve("s.sock");
    try (CliProcess shell = CliProcess.startInShell("sh", "\"$@\" & wait $!",
        "save", "--endpoint=" + endpoint, "--out=" + dir.resolve("out"))) {
      shell.out.awaitContains("Listening on", TIMEOUT);
      long save = shell.tracereplayPid(TIMEOUT);

      if (Runtime.version().feature() >= 22) {
        assertThat(CliProcess.ignores(SIGINT, save)).as("SIGINT ignored after start-up").isFalse();
        CliProcess.signal("INT", save);
        assertThat(shell.awaitExit(TIMEOUT)).isZero();
        assertThat(shell.out.text()).isEqualTo("Listening on \"" + endpoint + "\". Press ctrl-C to stop...\n"
            + "Ctrl-C pressed, stopping.\n");
      } else {
        assertThat(shell.err.text()).contains("SIGINT is ignored by this process, as its parent asked (a background"
            + " job), and this JVM cannot undo that before JDK 22");
        CliProcess.signal("TERM", save);
        assertThat(shell.awaitExit(TIMEOUT)).isZero();
      }
    }
    assertThat(endpoint).doesNotExist();
  }

  /**
   * The warm-up before listening (off by default) records into a directory of its own in the
   * temporary directory and deletes it: nothing is left there, and what save records afterwards
   * is the trace byte for byte, numbered from the first file.
   */
  @Test
  @Timeout(120)
  void theWarmUpLeavesNothingBehindAndChangesNothingSaveRecords() throws Exception {
    Path tmp = Files.createDirectory(dir.resolve("tmp"));
    Path trace = Fixtures.copy("true-start.trace", dir);
    Path endpoint = dir.resolve("s.sock");
    Path out = dir.resolve("out");
    String options = "JAVA_TOOL_OPTIONS='-D" + SaveWarmUp.PROPERTY + "=true -Djava.io.tmpdir=" + tmp + "'";
    try (CliProcess save = CliProcess.startInShell("sh", options + " exec \"$@\"",
        "save", "--endpoint=" + endpoint, "--out=" + out)) {
      save.out.awaitContains("Listening on", TIMEOUT);
      assertThat(tmp).as("the warm-up's directory, deleted before listening").isEmptyDirectory();

      TraceReplayer.replay(trace, endpoint);
      save.out.awaitContains("Closing client", TIMEOUT);
      CliProcess.signal("TERM", save.tracereplayPid(TIMEOUT));

      assertThat(save.awaitExit(TIMEOUT)).isZero();
      assertThat(save.err.text()).containsPattern("Warm-up before listening: " + SaveWarmUp.GENERATIONS
          * SaveWarmUp.CLIENTS * SaveWarmUp.BURSTS * SaveWarmUp.BURST + " messages recorded and deleted in \\d+ ms\\.\n");
      assertThat(save.out.text()).isEqualTo("Listening on \"" + endpoint + "\". Press ctrl-C to stop...\n"
          + "New client connected, writing to: \"" + out.resolve("client-0001") + "\"\n"
          + "Closing client, wrote 1 messages to \"" + out.resolve("client-0001") + "\"\n");
    }
    assertThat(out.resolve("client-0001")).hasSameBinaryContentAs(trace);
    try (var files = Files.list(out)) {
      assertThat(files).containsExactly(out.resolve("client-0001"));
    }
    assertThat(tmp).isEmptyDirectory();
  }

  /** Under umask 000 the recordings were 0666 and a created --out 0777: anyone could read or replace them. */
  @Test
  @Timeout(120)
  void recordingsAreOwnerOnlyWhateverTheUmaskUnlessFileModeWidensThem() throws Exception {
    for (String mode : new String[] {null, "0640"}) {
      Path out = dir.resolve("out-" + mode);
      Path endpoint = dir.resolve("s.sock");
      String[] args = mode == null
          ? new String[] {"save", "--endpoint=" + endpoint, "--out=" + out}
          : new String[] {"save", "--endpoint=" + endpoint, "--out=" + out, "--file-mode=" + mode};
      try (CliProcess save = CliProcess.startInShell("sh", "umask 000 && exec env --default-signal=INT \"$@\"",
          args)) {
        save.out.awaitContains("Listening on", TIMEOUT);
        try (SeqPacketChannel client = CliProcessTest.handshakenClient(endpoint, TIMEOUT)) {
          client.send(SaveReplayCommandTest.message(1));
        }
        save.out.awaitContains("Closing client", TIMEOUT);
        save.signal("INT");
        assertThat(save.awaitExit(TIMEOUT)).isZero();
      }
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out)))
          .isEqualTo(mode == null ? "rwx------" : "rwxr-x---");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("client-0001"))))
          .isEqualTo(mode == null ? "rw-------" : "rw-r-----");
    }
  }

  @Test
  @Timeout(60)
  void anOutThatOthersCanWriteToIsRefusedAndNothingIsBound() throws Exception {
    Path shared = Files.createDirectory(dir.resolve("shared"));
    Files.setAttribute(shared, "unix:mode", 0777);

    Cli.Result save = Cli.run("save", "--endpoint=" + dir.resolve("s.sock"), "--out=" + shared);

    assertThat(save.exitCode()).isEqualTo(1);
    assertThat(save.err()).isEqualTo("tracereplay save: " + shared + ": the recording directory is writable by"
        + " other users (mode 0777) without the sticky bit: they could rename or replace the recordings. Take their"
        + " write permission away (chmod go-w) or use another directory\n");
    assertThat(dir.resolve("s.sock")).doesNotExist();
  }

  @Test
  @Timeout(60)
  void anotherUsersOutIsRefused() throws Exception {
    Root.require("a directory owned by another user");
    Path theirs = Files.createDirectory(dir.resolve("theirs"));
    Files.setAttribute(theirs, "unix:uid", Root.OTHER_UID);

    Cli.Result save = Cli.run("save", "--endpoint=" + dir.resolve("s.sock"), "--out=" + theirs);

    assertThat(save.exitCode()).isEqualTo(1);
    assertThat(save.err()).startsWith("tracereplay save: " + theirs + ": the recording directory is owned by user"
        + " 'nobody' (uid 65534), not by this process's user (uid 0) or root");
    assertThat(theirs).isEmptyDirectory();
  }
}
