package dev.tracereplay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracereplay.Fixtures;
import dev.tracereplay.channel.PeerClosedException;
import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.channel.UnixSeqPacketChannel;
import dev.tracereplay.file.TraceFiles;
import dev.tracereplay.file.TraceVerification;
import dev.tracereplay.file.TraceVerifier;
import dev.tracereplay.internal.wire.Handshake;
import java.io.IOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * tracereplay as separate processes, as users run it: round trips, stopping by signal, a crash
 * (SIGKILL) in the middle of a recording, and a refusal to start.
 */
class CliProcessTest {
  static final Duration TIMEOUT = Duration.ofSeconds(60);
  static final int SIGINT = 2;

  @TempDir Path dir;

  @Test
  @Timeout(180)
  void everyFixtureRoundTripsThroughASaveProcessAndAReplayProcessByteForByte() throws Exception {
    Path endpoint = dir.resolve("sink.sock");
    Path out = dir.resolve("out");
    try (CliProcess save = CliProcess.start("save", "--endpoint=" + endpoint, "--out=" + out)) {
      save.out.awaitContains("Listening on", TIMEOUT);
      int client = 0;
      for (String fixture : Fixtures.ALL) {
        Path trace = Fixtures.copy(fixture, dir);
        Path recording = out.resolve(String.format("client-%04d", ++client));
        int messages = TraceFiles.records(trace).size();

        try (CliProcess replay = CliProcess.start("replay", "--endpoint=" + endpoint, "--in=" + trace)) {
          assertThat(replay.awaitExit(TIMEOUT)).as("replay of %s; stderr: %s", fixture, replay.err.text()).isZero();
          assertThat(replay.out.text()).startsWith("Handshake completed\n\rReplaying message: 1")
              .endsWith("\rReplaying message: " + messages + "\nDone\n");
        }

        save.out.awaitContains("Closing client, wrote " + messages + " messages to \"" + recording + "\"\n",
            TIMEOUT);
        assertThat(recording).as(fixture).hasSameBinaryContentAs(trace);
      }
      save.signal("TERM");
      assertThat(save.awaitExit(TIMEOUT)).isZero();
    }
  }

  @ParameterizedTest(name = "SIG{0}")
  @ValueSource(strings = {"TERM", "INT"})
  @Timeout(120)
  void aSignalStopsSaveCleanlyWithAClientConnectedMidSession(String signal) throws Exception {
    Path endpoint = dir.resolve("sink.sock");
    Path out = dir.resolve("out");
    Path recording = out.resolve("client-0001");
    int messages = 1000;
    try (CliProcess save = CliProcess.start("save", "--endpoint=" + endpoint, "--out=" + out)) {
      save.out.awaitContains("Listening on", TIMEOUT);
      assertThat(save.ignores(SIGINT)).as("SIGINT is ignored by the save process: its parents (the shell that ran"
          + " Maven?) ignore it, and it is inherited; run the build in the foreground").isFalse();
      try (SeqPacketChannel client = handshakenClient(endpoint)) {
        for (int i = 0; i < messages; i++) {
          client.send(SaveReplayCommandTest.message(i));
        }

        save.signal(signal);

        assertThat(save.awaitExit(TIMEOUT)).isZero();
      }
      // gVisor's lines byte for byte, with its "Ctrl-C pressed" line for SIGINT (gVisor has none for SIGTERM).
      assertThat(save.out.text()).isEqualTo("Listening on \"" + endpoint + "\". Press ctrl-C to stop...\n"
          + "New client connected, writing to: \"" + recording + "\"\n"
          + (signal.equals("INT") ? "Ctrl-C pressed, stopping.\n" : "")
          + "Closing client, wrote " + messages + " messages to \"" + recording + "\"\n");
      assertThat(save.err.text()).contains("Stopping (SIG" + signal + "): closing 1 open recording(s).\n");
    }
    TraceVerification check = TraceVerifier.verify(recording);
    assertThat(check.status()).isEqualTo(TraceVerification.Status.VALID);
    assertThat(TraceFiles.records(recording)).containsExactlyElementsOf(sent(messages));
  }

  @Test
  @Timeout(120)
  void sighupEndsSaveThroughTheShutdownHookWithEveryRecordingClosed() throws Exception {
    Path endpoint = dir.resolve("sink.sock");
    Path recording = dir.resolve("out").resolve("client-0001");
    try (CliProcess save = CliProcess.start("save", "--endpoint=" + endpoint, "--out=" + dir.resolve("out"))) {
      save.out.awaitContains("Listening on", TIMEOUT);
      try (SeqPacketChannel client = handshakenClient(endpoint)) {
        for (int i = 0; i < 100; i++) {
          client.send(SaveReplayCommandTest.message(i));
        }

        save.signal("HUP");

        assertThat(save.awaitExit(TIMEOUT)).as("the JVM's own exit code for SIGHUP").isEqualTo(128 + 1);
      }
      assertThat(save.out.text()).endsWith("Closing client, wrote 100 messages to \"" + recording + "\"\n");
    }
    assertThat(TraceFiles.records(recording)).containsExactlyElementsOf(sent(100));
  }

  @Test
  @Timeout(120)
  void aSaveKilledMidStreamLeavesATraceThatIsValidOrRepairableToAPrefixOfWhatWasSent() throws Exception {
    Path endpoint = dir.resolve("sink.sock");
    Path recording = dir.resolve("out").resolve("client-0001");
    int killAt = 20_000;
    long sent = 0;
    try (CliProcess save = CliProcess.start("save", "--endpoint=" + endpoint, "--out=" + dir.resolve("out"))) {
      save.out.awaitContains("Listening on", TIMEOUT);
      try (SeqPacketChannel client = handshakenClient(endpoint)) {
        client.setSendTimeout(TIMEOUT);
        try {
          while (sent < 100 * killAt) {
            client.send(SaveReplayCommandTest.message((int) sent));
            if (++sent == killAt) {
              save.kill();   // SIGKILL, while this client keeps sending
            }
          }
        } catch (PeerClosedException | SocketException gone) {
          // The process is dead: its end of the connection is closed.
        }
      }
      assertThat(save.awaitExit(TIMEOUT)).as("killed by SIGKILL").isEqualTo(128 + 9);
    }
    assertThat(sent).as("messages sent before the connection broke").isGreaterThanOrEqualTo(killAt);

    TraceVerification check = TraceVerifier.verify(recording);
    assertThat(check.status()).isIn(TraceVerification.Status.VALID, TraceVerification.Status.TRUNCATED);
    assertThat(check.records()).isPositive().isLessThanOrEqualTo(sent);

    Path repaired = dir.resolve("repaired");
    try (CliProcess repair = CliProcess.start("repair", "--in=" + recording, "--out=" + repaired)) {
      assertThat(repair.awaitExit(TIMEOUT)).as(repair.err.text()).isZero();
    }
    assertThat(TraceVerifier.verify(repaired).status()).isEqualTo(TraceVerification.Status.VALID);
    assertThat(TraceFiles.records(repaired)).containsExactlyElementsOf(sent((int) check.records()));
  }

  @Test
  @Timeout(60)
  void saveRefusesARegularFileAtTheEndpointAndLeavesItAlone() throws Exception {
    Path endpoint = Files.writeString(dir.resolve("precious.txt"), "keep me");
    try (CliProcess save = CliProcess.start("save", "--endpoint=" + endpoint, "--out=" + dir.resolve("out"))) {
      assertThat(save.awaitExit(TIMEOUT)).isEqualTo(1);
      assertThat(save.err.text()).isEqualTo("tracereplay save: " + endpoint + ": the endpoint is a regular file, not"
          + " a stale socket; it is left alone. Choose another endpoint or remove it yourself\n");
      assertThat(save.out.text()).isEmpty();
    }
    assertThat(endpoint).hasContent("keep me");
  }

  private static SeqPacketChannel handshakenClient(Path endpoint) throws IOException {
    return handshakenClient(endpoint, TIMEOUT);
  }

  /** A client that has sent its handshake and read the answer, waiting at most {@code timeout} for it. */
  static SeqPacketChannel handshakenClient(Path endpoint, Duration timeout) throws IOException {
    SeqPacketChannel client = UnixSeqPacketChannel.connect(endpoint);
    client.send(Handshake.encode(1));
    client.setReceiveTimeout(timeout);
    assertThat(client.receive(ByteBuffer.allocate(Handshake.MAX_SIZE))).isPositive();
    return client;
  }

  /** The first {@code count} messages the tests send. */
  private static List<byte[]> sent(int count) {
    return new ArrayList<>(IntStream.range(0, count).mapToObj(i -> SaveReplayCommandTest.message(i).array()).toList());
  }
}
