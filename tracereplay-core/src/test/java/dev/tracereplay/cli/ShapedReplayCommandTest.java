package dev.tracereplay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracereplay.Fifos;
import dev.tracereplay.Fixtures;
import dev.tracereplay.RawSink;
import dev.tracereplay.RefusingSink;
import dev.tracereplay.file.TraceFiles;
import dev.tracereplay.replay.Fault;
import dev.tracereplay.wire.MessageHeader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code tracereplay replay}'s shaping options, over a real socket into {@link RawSink}. */
@Timeout(60)
class ShapedReplayCommandTest {
  static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  int sinks;

  /** What ran, and what the sink received. */
  record Run(Cli.Result cli, List<byte[]> received) {}

  Run replay(String... options) throws Exception {
    Path endpoint = dir.resolve("sink-" + ++sinks + ".sock");
    try (RawSink sink = RawSink.listen(endpoint)) {
      CompletableFuture<List<byte[]>> received = CompletableFuture.supplyAsync(() -> {
        try {
          return sink.awaitSession(WAIT);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      List<String> args = new ArrayList<>(List.of("replay", "--endpoint=" + endpoint));
      args.addAll(List.of(options));
      Cli.Result cli = Cli.run(args.toArray(String[]::new));
      assertThat(cli.exitCode()).as(cli.err()).isZero();
      return new Run(cli, received.get());
    }
  }

  static byte[] withDroppedCount(byte[] packet, long dropped) {
    byte[] copy = packet.clone();
    ByteBuffer header = ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN);
    header.putInt(4, (int) (MessageHeader.droppedCount(header, 0) + dropped));
    return copy;
  }

  @Test
  void faultsAreAppliedAndTheReplayEndsWithDoneAndASummaryOnStderr() throws Exception {
    Path trace = Fixtures.copy("shell-common.trace", dir);
    List<byte[]> recorded = TraceFiles.records(trace);

    Run run = replay("--in=" + trace, "--fault=drop@2-3", "--fault=close@10");

    List<byte[]> expected = new ArrayList<>(List.of(recorded.get(0)));
    for (int i = 4; i <= 10; i++) {
      expected.add(withDroppedCount(recorded.get(i - 1), 2));
    }
    assertThat(run.received).containsExactlyElementsOf(expected);
    assertThat(run.cli.out()).startsWith("Handshake completed\n\rReplaying message: 1\r")
        .endsWith("\rReplaying message: 8\nDone\n");
    assertThat(run.cli.err()).isEqualTo("Sent 8 messages (10 selected, 2 dropped, 0 altered); closed the connection"
        + " after message 10 on purpose.\n");
  }

  @Test
  void typesAndMessagesSelectWhatIsSentByteForByte() throws Exception {
    Path trace = Fixtures.copy("shell-common.trace", dir);
    List<byte[]> recorded = TraceFiles.records(trace);

    Run run = replay("--in=" + trace, "--types=open,SENTRY_CLONE,5", "--messages=1-100");

    List<byte[]> expected = recorded.subList(0, 100).stream().filter(packet -> {
      int type = MessageHeader.messageType(ByteBuffer.wrap(packet), 0);
      return type == 7 || type == 2 || type == 5;
    }).toList();
    assertThat(expected).isNotEmpty();
    assertThat(run.received).containsExactlyElementsOf(expected);
    assertThat(run.cli.err()).startsWith("Sent " + expected.size() + " messages (" + expected.size() + " selected,");
  }

  @Test
  void theSameSeedDropsTheSameMessages() throws Exception {
    Path trace = Fixtures.copy("loop-all.trace", dir);

    Run first = replay("--in=" + trace, "--fault=drop~20%", "--seed=11");
    Run again = replay("--in=" + trace, "--fault=drop~20%", "--seed=11");
    Run other = replay("--in=" + trace, "--fault=drop~20%", "--seed=12");

    assertThat(again.received).containsExactlyElementsOf(first.received);
    assertThat(other.received).isNotEqualTo(first.received);
    assertThat(first.received.size()).isBetween(2186 * 7 / 10, 2186 * 9 / 10);
  }

  @Test
  void aRateReplaysEveryMessage() throws Exception {
    Path trace = Fixtures.copy("shell-common.trace", dir);

    assertThat(replay("--in=" + trace, "--rate=100000").received).containsExactlyElementsOf(TraceFiles.records(trace));
  }

  @Test
  void aFifoIsReadOnce() throws Exception {
    Path trace = Fixtures.copy("shell-common.trace", dir);

    Run run = replay("--in=" + Fifos.fifoOf(trace, dir.resolve("trace.fifo")));

    assertThat(run.cli.out()).startsWith("Handshake completed\n").endsWith("Replaying message: 444\nDone\n");
    assertThat(run.received).containsExactlyElementsOf(TraceFiles.records(trace));
  }

  @Test
  void anAlterationIsCountedInTheSummary() throws Exception {
    Path trace = Fixtures.copy("true-start.trace", dir);
    byte[] recorded = TraceFiles.records(trace).get(0);

    Run run = replay("--in=" + trace, "--fault=short@1");

    assertThat(run.received).containsExactly(Arrays.copyOf(recorded, 5));
    assertThat(run.cli.err()).isEqualTo("Sent 1 messages (1 selected, 0 dropped, 1 altered).\n");
  }

  @Test
  void aHandshakeFaultTheSinkRefusesExitsWith0AndDoneSaysTheSinkClosedAsExpected() throws Exception {
    Path trace = Fixtures.copy("true-start.trace", dir);
    Path endpoint = dir.resolve("refusing.sock");
    try (RefusingSink sink = RefusingSink.listen(endpoint, 1)) {
      Cli.Result cli = Cli.run("replay", "--endpoint=" + endpoint, "--in=" + trace, "--fault=handshake-version=7");

      assertThat(cli.exitCode()).as(cli.err()).isZero();
      assertThat(cli.out()).isEqualTo("Done: the sink closed the connection after the handshake-version=7 fault, as"
          + " expected\n");
      assertThat(cli.err()).isEqualTo("Sent 0 messages (0 selected, 0 dropped, 0 altered); the sink closed the"
          + " connection at the handshake fault, as a sink refusing that version does: nothing was sent.\n");
      assertThat(sink.clientVersion(WAIT)).isEqualTo(7);
    }
  }

  @Nested
  class UsageErrors {
    static final String GRAMMAR = "Faults: drop@N, drop@N-M, drop~P%, corrupt@N, short@N, bad-header@N,"
        + " unknown-type@N, oversize@N, stall@N:DURATION (e.g. 500ms, 2s), close@N, handshake-version=V (N: a"
        + " 1-based message number in the file)";

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
        --fault=drop@x        | Invalid value for option '--fault': 'drop@x' is not a fault: 'x' is not a message number (a whole number).
        --fault=explode@3     | Invalid value for option '--fault': 'explode@3' is not a fault: unknown fault.
        --fault=stall@3       | Invalid value for option '--fault': 'stall@3' is not a fault: a stall needs its duration
        --fault=stall@3:99999999999h | Invalid value for option '--fault': 'stall@3:99999999999h' is not a fault: '99999999999h' is longer than a stall may be: at most 1h.
        --fault=close@99999999999999999999 | Invalid value for option '--fault': 'close@99999999999999999999' is not a fault: '99999999999999999999' is too large for a message number: at most 9223372036854775807.
        --messages=2-99999999999999999999 | Invalid value for option '--messages': '2-99999999999999999999' is not a message range: '99999999999999999999' is too large for a message number: at most 9223372036854775807.
        --types=open,opne     | Invalid value for option '--types': 'opne' is not a message type: a type is a payload name
        --messages=5          | Invalid value for option '--messages': '5' is not a message range: the dash is missing
        --speed=0             | Invalid value for option '--speed': speed must be a number above 0, was 0.0
        --rate=-3             | Invalid value for option '--rate': rate must be a number above 0, was -3.0
        --speed=2 --rate=3    | mutually exclusive
        --seed=x              | Invalid value for option '--seed'
        """)
    void exitWith2NamingTheSpec(String options, String error) throws Exception {
      Path trace = Fixtures.copy("true-start.trace", dir);
      List<String> args = new ArrayList<>(List.of("replay", "--endpoint=" + dir.resolve("nobody.sock"), "--in=" + trace));
      args.addAll(List.of(options.split(" ")));

      Cli.Result result = Cli.run(args.toArray(String[]::new));

      assertThat(result.exitCode()).isEqualTo(2);
      assertThat(result.out()).isEmpty();
      assertThat(result.err()).startsWith("tracereplay replay: ").contains(error)
          .endsWith("\nRun 'tracereplay replay --help' for its usage.\n");
      if (options.startsWith("--fault")) {
        assertThat(result.err()).contains(GRAMMAR);
      }
    }

    @Test
    void aSpeedForATraceWithoutTimesIsFoundBeforeConnecting() throws Exception {
      Path untimed = Fixtures.copy("true-start.trace", dir);

      // Nothing listens: a connection attempt would fail with exit code 1.
      Cli.Result result = Cli.run("replay", "--endpoint=" + dir.resolve("nobody.sock"), "--in=" + untimed, "--speed=2");

      assertThat(result.exitCode()).isEqualTo(2);
      assertThat(result.out()).isEmpty();
      assertThat(result.err()).startsWith("tracereplay replay: Invalid value for option '--speed': a replay at speed"
          + " 2.0 follows the messages' context_data.time_ns, but none of the 1 messages selected from " + untimed + " has one (the"
          + " trace session did not ask for the time context field): pace it by rate instead\n");
    }

    @Test
    void theHelpShowsTheOptions() {
      Cli.Result help = Cli.run("replay", "--help");

      assertThat(help.err()).isEmpty();
      assertThat(help.out()).contains("[--fault=SPEC]...", "[--seed=S]", "[--types=TYPE[,TYPE...]]",
          "[--messages=FROM-TO]", "[--speed=X", "| --rate=N]");
      assertThat(help.out().replaceAll("\\s+", " ")).contains(Fault.GRAMMAR);
    }
  }
}
