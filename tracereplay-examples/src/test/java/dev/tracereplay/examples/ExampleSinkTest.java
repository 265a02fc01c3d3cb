package dev.tracereplay.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tracereplay.Deadline;
import dev.tracereplay.ReplayResult;
import dev.tracereplay.TraceReplayer;
import dev.tracereplay.channel.SeqPacketChannel;
import dev.tracereplay.channel.UnixSeqPacketChannel;
import dev.tracereplay.points.TraceMessage;
import dev.tracereplay.points.TraceMessageReader;
import dev.tracereplay.points.TracePoints;
import dev.tracereplay.points.TracePrinter;
import dev.tracereplay.points.container.Start;
import dev.tracereplay.internal.wire.Handshake;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The example sink, fed over real sockets by the replayer, by hand-driven clients, and run as a program. */
@Timeout(120)
class ExampleSinkTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  private final ExecutorService threads = Executors.newCachedThreadPool();

  @AfterEach
  void stopThreads() {
    threads.shutdownNow();
  }

  @ParameterizedTest
  @ValueSource(strings = {"true-start.trace", "shell-common.trace"})
  void printsTheConnectionThenOneLinePerReplayedMessageThenConnectionClosed(String fixture) throws Exception {
    Path endpoint = dir.resolve("sink.sock");
    StringWriter out = new StringWriter();
    List<String> messageLines = textLines(fixture(fixture));

    ReplayResult result;
    try (ExampleSink sink = ExampleSink.start(endpoint, out, false)) {
      result = TraceReplayer.replay(fixture(fixture), sink.endpoint());
      awaitClosedConnections(out, 1);
    }

    assertThat(result.deliveredAll()).isTrue();
    assertThat(result.messagesSent()).isEqualTo(messageLines.size());
    List<String> expected = new ArrayList<>();
    expected.add("Socket address " + endpoint);
    expected.add("Connection accepted");
    expected.addAll(messageLines);
    expected.add("Connection closed");
    assertThat(out.toString().lines()).containsExactlyElementsOf(expected);
    assertThat(out.toString()).endsWith("Connection closed\n");
  }

  @Test
  void quietPrintsTheConnectionsButNoMessageLines() throws Exception {
    Path endpoint = dir.resolve("sink.sock");
    StringWriter out = new StringWriter();

    try (ExampleSink sink = ExampleSink.start(endpoint, out, true)) {
      assertThat(TraceReplayer.replay(fixture("shell-common.trace"), sink.endpoint()).messagesSent()).isEqualTo(444);
      awaitClosedConnections(out, 1);
    }

    assertThat(out.toString()).isEqualTo(
        "Socket address " + endpoint + "\nConnection accepted\nConnection closed\n");
  }

  @Test
  void awaitNoClientsReturnsOnceTheOpenSessionHasPrintedItsEnd() throws Exception {
    Path endpoint = dir.resolve("sink.sock");
    StringWriter out = new StringWriter();

    try (ExampleSink sink = ExampleSink.start(endpoint, out, false)) {
      assertThat(sink.awaitNoClients(Duration.ZERO)).as("no sandbox yet").isTrue();
      try (SeqPacketChannel client = connect(endpoint)) {
        assertThat(sink.awaitNoClients(Duration.ofMillis(50))).as("a sandbox is connected").isFalse();
      }
      assertThat(sink.awaitNoClients(WAIT)).as("the session ended within %s", WAIT).isTrue();
      assertThat(out.toString()).endsWith("Connection accepted\nConnection closed\n");
    }
  }

  @Test
  void closingTheSinkWithAClientConnectedSaysSoAndRemovesTheSocket() throws Exception {
    Path endpoint = dir.resolve("sink.sock");
    StringWriter out = new StringWriter();

    ExampleSink sink = ExampleSink.start(endpoint, out, false);
    try (SeqPacketChannel client = connect(endpoint)) {
      client.send(TracePoints.encode(Start.newBuilder().setId("live").build(), 0));
      Deadline.await(WAIT, "the message's line", () -> out.toString().contains("Start => id: \"live\""));

      sink.close();

      assertThat(client.receive(ByteBuffer.allocate(64))).as("the sink closed the connection").isEqualTo(-1);
    } finally {
      sink.close();
    }

    assertThat(out.toString().lines()).containsExactly("Socket address " + endpoint, "Connection accepted",
        "Start => id: \"live\" ", "Connection closed: the server was closed");
    assertThat(endpoint).doesNotExist();
  }

  @Nested
  class ClientsAtOnce {
    @Test
    void twoReplaysAtOnceKeepTheirLinesWholeAndInOrder() throws Exception {
      Path endpoint = dir.resolve("sink.sock");
      StringWriter out = new StringWriter();
      List<String> shell = textLines(fixture("shell-common.trace"));
      List<String> loop = textLines(fixture("loop-all.trace"));
      CountDownLatch go = new CountDownLatch(1);

      try (ExampleSink sink = ExampleSink.start(endpoint, out, false)) {
        Future<ReplayResult> first = threads.submit(() -> {
          go.await();
          return TraceReplayer.replay(fixture("shell-common.trace"), sink.endpoint());
        });
        Future<ReplayResult> second = threads.submit(() -> {
          go.await();
          return TraceReplayer.replay(fixture("loop-all.trace"), sink.endpoint());
        });
        go.countDown();
        assertThat(first.get().deliveredAll()).isTrue();
        assertThat(second.get().deliveredAll()).isTrue();
        awaitClosedConnections(out, 2);
      }

      List<String> lines = out.toString().lines().toList();
      assertThat(lines).hasSize(1 + 2 * 2 + shell.size() + loop.size());
      assertThat(lines.get(0)).isEqualTo("Socket address " + endpoint);
      Set<String> shellLines = new HashSet<>(shell);
      Set<String> loopLines = new HashSet<>(loop);
      assertThat(lines.stream().filter(shellLines::contains)).as("the shell session's lines").containsExactlyElementsOf(shell);
      assertThat(lines.stream().filter(loopLines::contains)).as("the loop session's lines").containsExactlyElementsOf(loop);
      assertThat(lines).filteredOn("Connection accepted"::equals).hasSize(2);
      assertThat(lines).filteredOn("Connection closed"::equals).hasSize(2);
    }

    @Test
    void aMalformedClientsCloseSaysWhyAndTheOtherClientIsUnaffected() throws Exception {
      Path endpoint = dir.resolve("sink.sock");
      StringWriter out = new StringWriter();
      List<String> shell = textLines(fixture("shell-common.trace"));

      try (ExampleSink sink = ExampleSink.start(endpoint, out, false);
          SeqPacketChannel bad = connect(endpoint)) {
        bad.send(TracePoints.encode(Start.newBuilder().setId("bad").build(), 0));
        Future<ReplayResult> good =
            threads.submit(() -> TraceReplayer.replay(fixture("shell-common.trace"), sink.endpoint()));
        bad.send(ByteBuffer.wrap(new byte[] {8, 0, 7}));
        assertThat(bad.receive(ByteBuffer.allocate(64))).as("the sink closed the bad client").isEqualTo(-1);
        assertThat(good.get().deliveredAll()).isTrue();
        awaitClosedConnections(out, 2);
      }

      List<String> lines = out.toString().lines().toList();
      Set<String> shellLines = new HashSet<>(shell);
      assertThat(lines.stream().filter(shellLines::contains)).containsExactlyElementsOf(shell);
      assertThat(lines).contains("Start => id: \"bad\" ")
          .contains("Connection closed: message 2 is malformed: packet of 3 bytes is shorter than the 8-byte message header")
          .hasSize(1 + 2 + 1 + shell.size() + 2);
      assertThat(lines).filteredOn("Connection closed"::equals).as("the good client's clean close").hasSize(1);
    }
  }

  @Nested
  class CommandLine {
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(stdout, true, UTF_8);
    private final PrintStream err = new PrintStream(stderr, true, UTF_8);

    @Test
    void anUnknownOptionPrintsTheUsageAndFails() {
      int status = ExampleSink.run(new String[] {"-x"}, out, err, sink -> {
        throw new AssertionError("must not start");
      });

      assertThat(status).isEqualTo(1);
      assertThat(stderr.toString(UTF_8)).isEqualTo("ExampleSink: unknown option '-x'\nusage: ExampleSink [-q] [PATH]\n");
      assertThat(stdout.toString(UTF_8)).isEmpty();
    }

    @Test
    void twoPathsPrintTheUsageAndFail() {
      int status = ExampleSink.run(new String[] {"a.sock", "-q", "b.sock"}, out, err, sink -> {
        throw new AssertionError("must not start");
      });

      assertThat(status).isEqualTo(1);
      assertThat(stderr.toString(UTF_8))
          .isEqualTo("ExampleSink: one PATH only, got 'a.sock' and 'b.sock'\nusage: ExampleSink [-q] [PATH]\n");
    }

    @Test
    void helpGoesToStdout() {
      int status = ExampleSink.run(new String[] {"-h"}, out, err, sink -> {
        throw new AssertionError("must not start");
      });

      assertThat(status).isZero();
      assertThat(stdout.toString(UTF_8)).startsWith("usage: ExampleSink [-q] [PATH]\n")
          .contains("default /tmp/gvisor_events.sock").contains("-q  quiet");
      assertThat(stderr.toString(UTF_8)).isEmpty();
    }

    @Test
    void aFileInTheWayIsLeftAloneAndTheProgramFails() throws Exception {
      Path endpoint = Files.writeString(dir.resolve("sink.sock"), "not a socket");

      int status = ExampleSink.run(new String[] {endpoint.toString()}, out, err, sink -> {
        throw new AssertionError("must not start");
      });

      assertThat(status).isEqualTo(1);
      assertThat(stdout.toString(UTF_8)).isEqualTo("Socket address " + endpoint + "\n");
      assertThat(stderr.toString(UTF_8)).startsWith("ExampleSink: " + endpoint + ": the endpoint is a regular file");
      assertThat(endpoint).hasContent("not a socket");
    }

    @Test
    void quietWithAPathRunsUntilStoppedThenRemovesItsSocket() throws Exception {
      Path endpoint = dir.resolve("sink.sock");
      CountDownLatch stop = new CountDownLatch(1);

      Future<Integer> program = threads.submit(
          () -> ExampleSink.run(new String[] {"-q", endpoint.toString()}, out, err, sink -> stop.await()));
      Deadline.await(WAIT, "the socket at " + endpoint, () -> Files.exists(endpoint) || program.isDone());
      TraceReplayer.replay(fixture("true-start.trace"), endpoint);
      Deadline.await(WAIT, "Connection closed", () -> stdout.toString(UTF_8).contains("Connection closed"));
      stop.countDown();

      assertThat(program.get()).isZero();
      assertThat(stdout.toString(UTF_8)).isEqualTo("Socket address " + endpoint + "\nConnection accepted\nConnection closed\n");
      assertThat(stderr.toString(UTF_8)).isEmpty();
      assertThat(endpoint).doesNotExist();
    }
  }

  @Nested
  class AsAProgram {
    @Test
    void sigtermClosesTheLiveConnectionAndRemovesTheSocket() throws Exception {
      Path endpoint = dir.resolve("sink.sock");
      Path stdout = dir.resolve("stdout.txt");
      Path stderr = dir.resolve("stderr.txt");
      Process process = new ProcessBuilder(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), ExampleSink.class.getName(), endpoint.toString())
          .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
      try {
        Deadline.await(WAIT, "the socket at " + endpoint, () -> Files.exists(endpoint) || !process.isAlive());
        assertThat(process.isAlive()).as("the program is running; stderr: %s", read(stderr)).isTrue();
        try (SeqPacketChannel client = connect(endpoint)) {
          client.send(TracePoints.encode(Start.newBuilder().setId("live").build(), 0));
          Deadline.await(WAIT, "the message's line", () -> read(stdout).contains("Start => id: \"live\""));

          process.destroy(); // SIGTERM

          assertThat(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the program ended").isTrue();
          assertThat(client.receive(ByteBuffer.allocate(64))).as("the connection is closed").isEqualTo(-1);
        }
        assertThat(process.exitValue()).isEqualTo(128 + 15);
        assertThat(read(stdout).lines()).containsExactly("Socket address " + endpoint, "Connection accepted",
            "Start => id: \"live\" ", "Connection closed: the server was closed");
        assertThat(endpoint).doesNotExist();
      } finally {
        process.destroyForcibly();
      }
    }

    private String read(Path file) throws IOException {
      return Files.readString(file, UTF_8);
    }
  }

  /** Waits until {@code count} connections printed their close line (clean or not). */
  private static void awaitClosedConnections(StringWriter out, int count) throws Exception {
    Deadline.await(WAIT, count + " 'Connection closed' lines",
        () -> out.toString().lines().filter(line -> line.startsWith("Connection closed")).count() >= count);
  }

  /** Connects and completes a version-1 handshake, as runsc does. */
  private static SeqPacketChannel connect(Path endpoint) throws IOException {
    SeqPacketChannel channel = UnixSeqPacketChannel.connect(endpoint);
    channel.setReceiveTimeout(WAIT);
    channel.setSendTimeout(WAIT);
    channel.send(Handshake.encode(Handshake.CURRENT_VERSION));
    ByteBuffer answer = ByteBuffer.allocate(Handshake.MAX_SIZE);
    assertThat(channel.receive(answer)).as("the handshake answer").isPositive();
    assertThat(Handshake.decode(answer.flip())).isEqualTo(1);
    return channel;
  }

  static Path fixture(String name) throws URISyntaxException {
    return Path.of(ExampleSinkTest.class.getResource("/tracereplay/" + name).toURI());
  }

  /** The server.cc line of each message of a trace file, in order. */
  static List<String> textLines(Path trace) throws IOException {
    List<String> lines = new ArrayList<>();
    try (TraceMessageReader reader = TraceMessageReader.open(trace)) {
      for (TraceMessage message; (message = reader.next()) != null; ) {
        lines.add(TracePrinter.textLine(message));
      }
    }
    return lines;
  }
}
