package dev.tracereplay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracereplay.Fixtures;
import dev.tracereplay.TraceRecorder;
import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.channel.UnixSeqPacketChannel;
import dev.tracereplay.channel.UnixSeqPacketListener;
import dev.tracereplay.file.TraceFileReader;
import dev.tracereplay.file.TraceFiles;
import dev.tracereplay.internal.wire.Handshake;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** save and replay run in this JVM, as main runs them: exit codes and the exact text printed. */
@Timeout(60)
class SaveReplayCommandTest {
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void saveAndReplayPrintGvisorsLinesAndTheRecordingIsTheTraceByteForByte() throws Exception {
    Path trace = Fixtures.copy("true-start.trace", dir);
    Path endpoint = dir.resolve("sink.sock");
    Path out = dir.resolve("out");
    try (Cli.Background save = Cli.start("save", "--endpoint=" + endpoint, "--out=" + out)) {
      save.out.awaitContains("Listening on", TIMEOUT);

      Cli.Result replay = Cli.run("replay", "--endpoint=" + endpoint, "--in=" + trace);

      assertThat(replay.exitCode()).isZero();
      assertThat(replay.out()).isEqualTo("Handshake completed\n\rReplaying message: 1\nDone\n");
      assertThat(replay.err()).isEmpty();
      save.out.awaitContains("Closing client", TIMEOUT);
      assertThat(save.stop(TIMEOUT)).isZero();
      Path recording = out.resolve("client-0001");
      assertThat(save.out.text()).isEqualTo("Listening on \"" + endpoint + "\". Press ctrl-C to stop...\n"
          + "New client connected, writing to: \"" + recording + "\"\n"
          + "Closing client, wrote 1 messages to \"" + recording + "\"\n");
      assertThat(save.err.text()).isEqualTo("Recording into \"" + out + "\"; stop with Ctrl-C or SIGTERM.\n"
          + "Stopping (interrupt): closing 0 open recording(s).\n");
      assertThat(recording).hasSameBinaryContentAs(trace);
    }
    assertThat(endpoint).as("the socket file is removed on stop").doesNotExist();
  }

  @Test
  void replayOfALongTraceShowsTheFirstAndTheLastMessageNumber() throws Exception {
    Path trace = Fixtures.copy("loop-all.trace", dir);
    Path endpoint = dir.resolve("sink.sock");
    try (Cli.Background save = Cli.start("save", "--endpoint=" + endpoint, "--out=" + dir.resolve("out"))) {
      save.out.awaitContains("Listening on", TIMEOUT);

      Cli.Result replay = Cli.run("replay", "--endpoint=" + endpoint, "--in=" + trace);

      assertThat(replay.exitCode()).isZero();
      assertThat(replay.out()).startsWith("Handshake completed\n\rReplaying message: 1\r")
          .endsWith("\rReplaying message: 2186\nDone\n")
          .matches("Handshake completed\n(\rReplaying message: \\d+)+\nDone\n");
      save.out.awaitContains("Closing client, wrote 2186 messages", TIMEOUT);
    }
  }

  @Test
  void stoppingSaveClosesTheRecordingOfAClientStillConnected() throws Exception {
    Path endpoint = dir.resolve("sink.sock");
    Path out = dir.resolve("out");
    try (Cli.Background save = Cli.start("save", "--endpoint=" + endpoint, "--out=" + out);
        SeqPacketChannel client = connectedClient(save, endpoint)) {
      for (int i = 0; i < 3; i++) {
        client.send(message(i));
      }

      assertThat(save.stop(TIMEOUT)).isZero();

      assertThat(save.out.text()).endsWith("Closing client, wrote 3 messages to \"" + out.resolve("client-0001")
          + "\"\n");
      assertThat(save.err.text()).contains("Stopping (interrupt): closing 1 open recording(s).\n");
      try (TraceFileReader reader = TraceFileReader.open(out.resolve("client-0001"))) {
        for (int i = 0; i < 3; i++) {
          assertThat(reader.next()).isTrue();
          assertThat(reader.record()).isEqualTo(message(i));
        }
        assertThat(reader.next()).isFalse();
      }
    }
  }

  @Test
  void saveNeverOverwritesARecordingAlreadyInTheDirectory() throws Exception {
    Path trace = Fixtures.copy("true-start.trace", dir);
    Path endpoint = dir.resolve("sink.sock");
    Path out = Files.createDirectories(dir.resolve("out"));
    Files.writeString(out.resolve("client-0001"), "an earlier recording");
    try (Cli.Background save = Cli.start("save", "--endpoint=" + endpoint, "--out=" + out)) {
      save.out.awaitContains("Listening on", TIMEOUT);

      assertThat(Cli.run("replay", "--endpoint=" + endpoint, "--in=" + trace).exitCode()).isZero();

      save.out.awaitContains("Closing client, wrote 1 messages to \"" + out.resolve("client-0002") + "\"", TIMEOUT);
    }
    assertThat(out.resolve("client-0001")).hasContent("an earlier recording");
    assertThat(out.resolve("client-0002")).hasSameBinaryContentAs(trace);
  }

  @Test
  void saveHonoursPrefixAndSocketMode() throws Exception {
    Path endpoint = dir.resolve("sink.sock");
    Path out = dir.resolve("out");
    try (Cli.Background save = Cli.start("save", "--endpoint=" + endpoint, "--out=" + out, "--prefix=run-",
        "--socket-mode=0660");
        SeqPacketChannel client = connectedClient(save, endpoint)) {
      assertThat(client.peerAddress()).isEqualTo(endpoint.toString());
      assertThat(Files.getPosixFilePermissions(endpoint)).isEqualTo(
          PosixFilePermissions.fromString("rw-rw----"));
      save.out.awaitContains("New client connected, writing to: \"" + out.resolve("run-0001") + "\"\n", TIMEOUT);
    }
  }

  /** Failures at start: one line on stderr, a non-zero exit, nothing touched. */
  @Nested
  class SaveRefusesToStart {

    @Test
    void whenARegularFileIsAtTheEndpoint() throws Exception {
      Path endpoint = Files.writeString(dir.resolve("precious.txt"), "keep me");

      Cli.Result save = Cli.run("save", "--endpoint=" + endpoint, "--out=" + dir.resolve("out"));

      assertThat(save.exitCode()).isEqualTo(1);
      assertThat(save.out()).isEmpty();
      assertThat(save.err()).isEqualTo("tracereplay save: " + endpoint + ": the endpoint is a regular file, not a"
          + " stale socket; it is left alone. Choose another endpoint or remove it yourself\n");
      assertThat(endpoint).hasContent("keep me");
      assertThat(dir.resolve("out")).as("the output directory it created is removed").doesNotExist();
    }

    @Test
    void whenTheEndpointsDirectoryIsMissing() {
      Path endpoint = dir.resolve("missing").resolve("sink.sock");

      Cli.Result save = Cli.run("save", "--endpoint=" + endpoint, "--out=" + dir.resolve("out"));

      assertThat(save.exitCode()).isEqualTo(1);
      assertThat(save.err()).isEqualTo("tracereplay save: " + endpoint.getParent() + ": the directory of the"
          + " endpoint " + endpoint + " does not exist; create it first\n");
      assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void whenAServerIsAlreadyListeningThere() throws Exception {
      Path endpoint = dir.resolve("sink.sock");
      try (TraceRecorder running = TraceRecorder.start(endpoint, dir.resolve("first"))) {
        Cli.Result save = Cli.run("save", "--endpoint=" + endpoint, "--out=" + dir.resolve("out"));

        assertThat(save.exitCode()).isEqualTo(1);
        assertThat(save.err()).isEqualTo("tracereplay save: " + endpoint + ": a server is already listening on this"
            + " endpoint; it is left alone. Stop that program or choose another endpoint\n");
        try (SeqPacketChannel stillListening = UnixSeqPacketChannel.connect(endpoint)) {
          assertThat(stillListening.peerAddress()).isEqualTo(endpoint.toString());
        }
      }
    }

    @Test
    void whenOutIsAFile() throws Exception {
      Path out = Files.writeString(dir.resolve("out"), "not a directory");

      Cli.Result save = Cli.run("save", "--endpoint=" + dir.resolve("sink.sock"), "--out=" + out);

      assertThat(save.exitCode()).isEqualTo(1);
      assertThat(save.err())
          .isEqualTo("tracereplay save: " + out + ": the recording directory is a file, not a directory\n");
      assertThat(dir.resolve("sink.sock")).doesNotExist();
    }
  }

  @Nested
  class ReplayFailures {

    @Test
    void withNoListenerNamesTheEndpoint() throws Exception {
      Path trace = Fixtures.copy("true-start.trace", dir);
      Path endpoint = dir.resolve("nobody.sock");

      Cli.Result replay = Cli.run("replay", "--endpoint=" + endpoint, "--in=" + trace);

      assertThat(replay.exitCode()).isEqualTo(1);
      assertThat(replay.out()).isEmpty();
      assertThat(replay.err()).isEqualTo("tracereplay replay: replaying " + trace + ": cannot connect to the sink at "
          + endpoint + ": there is no socket file at that path. Start the sink (or 'tracereplay save') on that path"
          + " first. (no message sent)\n");
    }

    @Test
    void whenTheSinkClosesNamesTheEndpointAndTheMessage() throws Exception {
      Path trace = Fixtures.copy("loop-all.trace", dir);
      Path endpoint = dir.resolve("closing.sock");
      try (UnixSeqPacketListener listener = UnixSeqPacketListener.bind(endpoint)) {
        // A sink that answers the handshake and hangs up: the trace (233 KB) outgrows the socket buffer.
        CompletableFuture<Void> sink = CompletableFuture.runAsync(() -> {
          try (SeqPacketChannel channel = listener.accept()) {
            channel.receive(ByteBuffer.allocate(Handshake.MAX_SIZE));
            channel.send(Handshake.encode(1));
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        });

        Cli.Result replay = Cli.run("replay", "--endpoint=" + endpoint, "--in=" + trace);

        sink.get();
        assertThat(replay.exitCode()).isEqualTo(1);
        assertThat(replay.out()).startsWith("Handshake completed\n").endsWith("\n");
        assertThat(replay.err()).matches("tracereplay replay: replaying " + Pattern.quote(trace.toString())
            + ": the sink at " + Pattern.quote(endpoint.toString())
            + " had closed the connection: sending message \\d+ failed \\(\\d+ sent before it, which the sink may"
            + " not all have read\\)\n");
      }
    }

    @Test
    void ofAFileThatIsNotATraceSaysWhatIsWrong() throws Exception {
      Path notATrace = TraceFiles.notATrace(dir.resolve("notes.txt"));

      Cli.Result replay = Cli.run("replay", "--endpoint=" + dir.resolve("sink.sock"), "--in=" + notATrace);

      assertThat(replay.exitCode()).isEqualTo(1);
      assertThat(replay.err()).startsWith("tracereplay replay: " + notATrace + ": not a tracereplay file:")
          .endsWith("\n").hasLineCount(1);
    }
  }

  /** Connects a client to a running save and completes the handshake. */
  private static SeqPacketChannel connectedClient(Cli.Background save, Path endpoint) throws Exception {
    save.out.awaitContains("Listening on", TIMEOUT);
    SeqPacketChannel client = UnixSeqPacketChannel.connect(endpoint);
    client.send(Handshake.encode(1));
    client.setReceiveTimeout(TIMEOUT);
    assertThat(client.receive(ByteBuffer.allocate(Handshake.MAX_SIZE))).isPositive();
    return client;
  }

  /** A well-formed message: an 8-byte header (type 1) and a payload that tells it apart. */
  static ByteBuffer message(int number) {
    ByteBuffer packet = ByteBuffer.allocate(8 + 4 + number % 50).order(ByteOrder.LITTLE_ENDIAN);
    packet.putShort((short) 8).putShort((short) 1).putInt(0).putInt(number);
    return packet.rewind();
  }
}
